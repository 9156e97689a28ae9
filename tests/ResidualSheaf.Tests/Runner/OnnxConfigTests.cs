using System.Text.Json.Nodes;
using ResidualSheaf.Runner;
using ResidualSheaf.Tests.Models.Onnx;

namespace ResidualSheaf.Tests.Runner;

/// <summary>
/// <c>network.onnx</c> in a config: bad files are exit 2 naming the node and write nothing; a good one runs the static job with
/// ONNX Runtime as the reference (err_float64 ≤ 1e-12) and the heat job converges to ONNX Runtime's output.
/// </summary>
[Collection("Console")]
public sealed class OnnxConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rs-onnx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Outputs => Path.Combine(_dir, "outputs");

    private (int Code, string Error) Run(string json, params string[] extra)
    {
        string path = Path.Combine(_dir, "config.json");
        File.WriteAllText(path, json);
        var err = new StringWriter();
        var old = Console.Error;
        Console.SetError(err);
        try
        {
            return (Program.Main(["--config", path, .. extra]), err.ToString());
        }
        finally
        {
            Console.SetError(old);
        }
    }

    private string Config(string fixture, string extra = "", string job = "static") =>
        $$"""{ "name": "t", "job": "{{job}}", "output_root": "{{Outputs}}", "network": { "onnx": "{{OnnxFixtures.Path(fixture)}}" } {{extra}} }""";

    [Theory]
    [InlineData("broken_unsupported_operator.onnx", "ONNX node '/Tanh': unsupported operator Tanh")]
    [InlineData("broken_inconsistent_shapes.onnx", "ONNX node 'fc2': inconsistent shapes")]
    [InlineData("broken_add_shapes.onnx", "ONNX node 'residual_add': Add of different shapes")]
    [InlineData("broken_missing_initializer.onnx", "ONNX node '/layers.1/Gemm': input 'layers.1.weight'")]
    [InlineData("broken_not_onnx.onnx", "is not an ONNX model")]
    [InlineData("broken_dynamic_features.onnx", "is dynamic and cannot be resolved")]
    [InlineData("no_such_file.onnx", "does not exist")]
    public void BadModelIsExitTwoNamingTheNodeAndWritesNothing(string fixture, string expected)
    {
        var (code, error) = Run(Config(fixture));
        Assert.Equal(2, code);
        Assert.Contains("config field 'network.onnx'", error);
        Assert.Contains(expected, error);
        Assert.False(Directory.Exists(Outputs) && Directory.EnumerateFileSystemEntries(Outputs).Any());
    }

    [Theory]
    [InlineData(""", "weights": { "source": "seeded" }""", "config field 'weights': not allowed with network.onnx")]
    [InlineData(""", "constructions": ["chord"]""", "the ONNX graph has no Add of two branches")]
    public void FieldsThatContradictTheModelAreRefused(string extra, string expected)
    {
        var (code, error) = Run(Config("mlp.onnx", extra));
        Assert.Equal(2, code);
        Assert.Contains(expected, error);
        Assert.False(Directory.Exists(Outputs) && Directory.EnumerateFileSystemEntries(Outputs).Any());
    }

    [Theory]
    [MemberData(nameof(OnnxHeadTests.RefusedHeads), MemberType = typeof(OnnxHeadTests))]
    public void RefusedHeadIsExitTwoNamingTheNode(string graph, string node, string problem)
    {
        string model = Path.Combine(_dir, graph + ".onnx");
        File.WriteAllBytes(model, OnnxHeadTests.RefusedHead(graph));
        var (code, error) = Run($$"""{ "name": "t", "job": "static", "output_root": "{{Outputs}}", "network": { "onnx": "{{model}}" } }""");
        Assert.Equal(2, code);
        Assert.Contains($"config field 'network.onnx'", error);
        Assert.Contains($"ONNX node '{node}'", error);
        Assert.Contains(problem, error);
        Assert.False(Directory.Exists(Outputs) && Directory.EnumerateFileSystemEntries(Outputs).Any());
    }

    [Theory]
    [InlineData("residual_softmax.onnx", "heat", """, "heat": { "method": "exact" }""", "config field 'heat.method': 'exact' solves the piecewise-linear flow")]
    [InlineData("sigmoid_mlp.onnx", "heat", """, "heat": { "method": "krylov" }""", "config field 'heat.method': 'krylov'")]
    [InlineData("sigmoid_mlp.onnx", "heat", """, "heat": { "method": "rkc-krylov" }""", "config field 'heat.method': 'rkc-krylov'")]
    [InlineData("residual_softmax.onnx", "heat", """, "heat": { "method": "auto", "pin_output": true }""", "config field 'heat.pin_output': pinning the output a_out of a softmax head")]
    [InlineData("sigmoid_mlp.onnx", "static", """, "controls": { "pin_output": true }""", "config field 'controls.pin_output'")]
    [InlineData("sigmoid_mlp.onnx", "lambda-min", """, "lambda_min": { }""", "config field 'network.onnx': job 'lambda-min'")]
    public void HeadChecksApplyToOnnxModelsWithAHead(string fixture, string job, string extra, string expected)
    {
        var (code, error) = Run(Config(fixture, extra, job));
        Assert.Equal(2, code);
        Assert.Contains(expected, error);
        Assert.False(Directory.Exists(Outputs) && Directory.EnumerateFileSystemEntries(Outputs).Any());
    }

    [Theory]
    [InlineData("mlp.onnx", """ "head_mode": "identity" """, "config field 'network.head_mode': only applies when the ONNX graph ends in a Sigmoid or Softmax")]
    [InlineData("sigmoid_mlp.onnx", """ "head_mode": "newton" """, "config field 'network.head_mode'")]
    [InlineData("sigmoid_mlp.onnx", """ "head": "sigmoid" """, "config field 'network.head': not allowed with network.onnx")]
    public void HeadFieldsBesideOnnxAreChecked(string fixture, string field, string expected)
    {
        var (code, error) = Run($$"""{ "name": "t", "job": "static", "output_root": "{{Outputs}}", "network": { "onnx": "{{OnnxFixtures.Path(fixture)}}", {{field}} } }""");
        Assert.Equal(2, code);
        Assert.Contains(expected, error);
    }

    [Theory]
    [InlineData("residual_softmax.onnx", "jacobian")]
    [InlineData("sigmoid_mlp.onnx", "identity")]
    public void StaticJobWithAnOnnxHeadComparesWithOnnxRuntime(string fixture, string mode)
    {
        string outDir = Path.Combine(_dir, "static-head");
        var (code, error) = Run($$"""{ "name": "t", "job": "static", "network": { "onnx": "{{OnnxFixtures.Path(fixture)}}", "head_mode": "{{mode}}" }, "inputs": { "count": 5 }, "constructions": ["junction"] }""", "--out", outDir);
        Assert.True(code == 0, error);
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "report.json")))!;
        var junction = report["constructions"]!["junction"]!;
        // 5 inputs keep the job quick; the ≥ 50-input comparison with ONNX Runtime is OnnxHeadTests'.
        Assert.True(junction["err_float64"]!["max"]!.GetValue<double>() <= 1e-12);
        Assert.Equal(5, junction["err_float64"]!["count"]!.GetValue<int>());
        var resolved = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "config.resolved.json")))!;
        Assert.Equal(mode, resolved["network"]!["head_mode"]!.GetValue<string>());
        Assert.False(resolved["controls"]!["pin_output"]!.GetValue<bool>());
    }

    [Fact]
    public void HeatJobWithAnOnnxHeadConvergesToOnnxRuntimesOutput()
    {
        string outDir = Path.Combine(_dir, "heat-head");
        var (code, error) = Run(Config("residual_softmax.onnx",
            """, "heat": { "method": "switching-aware", "integrator": "rodas4", "t_end": 100000, "stop_distance": 1e-9, "initial": { "kind": "normal", "seed": 1 } }""", job: "heat"), "--out", outDir);
        Assert.True(code == 0, error);
        var summary = JsonNode.Parse(File.ReadAllText(Directory.GetFiles(outDir, "summary.json", SearchOption.AllDirectories).Single()))!;
        Assert.True(summary["converged"]!.GetValue<bool>());
        Assert.True(summary["limit_output_vs_onnx_runtime_float64"]!.GetValue<double>() <= 1e-12);
        Assert.True(summary["final_output_vs_onnx_runtime_float64"]!.GetValue<double>() <= 1e-9);
    }

    [Fact]
    public void KindBesideOnnxIsRefused()
    {
        var (code, error) = Run($$"""{ "name": "t", "job": "static", "output_root": "{{Outputs}}", "network": { "kind": "mlp", "onnx": "{{OnnxFixtures.Path("mlp.onnx")}}" } }""");
        Assert.Equal(2, code);
        Assert.Contains("config field 'network.kind': not allowed with network.onnx", error);
    }

    [Fact]
    public void StaticJobComparesWithOnnxRuntime()
    {
        string outDir = Path.Combine(_dir, "static");
        var (code, error) = Run(Config("resblock_after.onnx", """, "inputs": { "count": 50 }, "constructions": ["junction"]"""), "--out", outDir);
        Assert.True(code == 0, error);
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "report.json")))!;
        Assert.StartsWith("ONNX Runtime on ", report["reference"]!.GetValue<string>());
        var junction = report["constructions"]!["junction"]!;
        Assert.True(junction["err_float64"]!["max"]!.GetValue<double>() <= 1e-12);
        Assert.Equal(50, junction["err_float64"]!["count"]!.GetValue<int>());
        // The float32 reference is ONNX Runtime on a float32 copy: it differs from the float64 sheaf by rounding only.
        double e32 = junction["err_float32"]!["max"]!.GetValue<double>();
        Assert.True(e32 > 1e-12 && e32 < 1e-5, $"{e32}");
        var resolved = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "config.resolved.json")))!;
        Assert.Equal(OnnxFixtures.Path("resblock_after.onnx"), resolved["network"]!["onnx"]!.GetValue<string>());
        Assert.Null(resolved["weights"]);
    }

    /// <summary>
    /// ONNX Runtime has no float64 Conv: the float64 reference of a conv model is TorchSharp's float64 run of the graph (torch's
    /// conv2d, not the sheaf's Conv2dMap), so err_float64 is float64-accurate, and the report says which reference it was (a float64
    /// model of operators ORT has in float64 keeps ORT and gets no such field).
    /// </summary>
    [Fact]
    public void ConvModelsTakeTheirFloat64ReferenceFromTorchSharp()
    {
        string conv = Path.Combine(_dir, "conv"), plain = Path.Combine(_dir, "plain");
        string model = Path.Combine(OnnxFixtures.Folder, "..", "digits", "conv_single.onnx").Replace("\\", "/");
        var (code, error) = Run($$"""{ "name": "t", "job": "static", "network": { "onnx": "{{model}}" }, "inputs": { "count": 2 }, "constructions": ["junction"] }""", "--out", conv);
        Assert.True(code == 0, error);
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(conv, "report.json")))!;
        Assert.Null(report["reference_float64_is_float32"]);
        Assert.Contains("TorchSharp float64", report["reference_float64"]!.GetValue<string>());
        double e64 = report["constructions"]!["junction"]!["err_float64"]!["max"]!.GetValue<double>();
        double e32 = report["constructions"]!["junction"]!["err_float32"]!["max"]!.GetValue<double>();
        Assert.True(e64 <= 1e-12, $"{e64}");
        Assert.True(e32 > 1e-12 && e32 < 1e-4, $"{e32}");
        Assert.Equal(0, Run(Config("resblock_after.onnx", """, "inputs": { "count": 2 }, "constructions": ["junction"]"""), "--out", plain).Code);
        var plainReport = JsonNode.Parse(File.ReadAllText(Path.Combine(plain, "report.json")))!;
        Assert.Null(plainReport["reference_float64_is_float32"]);
        Assert.Null(plainReport["reference_float64"]);
    }

    [Fact]
    public void HeatJobConvergesToOnnxRuntimesOutput()
    {
        string outDir = Path.Combine(_dir, "heat");
        var (code, error) = Run(Config("skip_across_two_blocks.onnx",
            """, "heat": { "method": "exact", "t_end": 1000, "stop_distance": 1e-9, "initial": { "kind": "normal", "seed": 1 } }""", job: "heat"), "--out", outDir);
        Assert.True(code == 0, error);
        var summary = JsonNode.Parse(File.ReadAllText(Directory.GetFiles(outDir, "summary.json", SearchOption.AllDirectories).Single()))!;
        Assert.True(summary["converged"]!.GetValue<bool>());
        Assert.True(summary["limit_output_vs_onnx_runtime_float64"]!.GetValue<double>() <= 1e-12);
        Assert.True(summary["final_output_vs_onnx_runtime_float64"]!.GetValue<double>() <= 1e-8);
        Assert.Null(summary["final_output_vs_torch_float64"]);
    }

    [Fact]
    public void InspectDescribesTheSheafOfTheGraphAndDrawsIt()
    {
        string outDir = Path.Combine(_dir, "inspect");
        string path = Path.Combine(_dir, "config.json");
        File.WriteAllText(path, Config("many_skips.onnx", """, "constructions": ["junction", "chord"]"""));
        var stdout = new StringWriter();
        var old = Console.Out;
        Console.SetOut(stdout);
        int code;
        try
        {
            code = Program.Main(["inspect", "--config", path, "--out", outDir]);
        }
        finally
        {
            Console.SetOut(old);
        }
        Assert.Equal(0, code);
        Assert.Contains("junction construction:", stdout.ToString());
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "inspect.json")))!;
        var junction = report["constructions"]!["junction"]!;
        // Two Adds (consecutive): two junction vertices p_1, p_2, each holding two addends of width 3.
        Assert.Equal(["p_1", "p_2"], junction["junctions"]!.AsArray().Select(j => j!.GetValue<string>()));
        Assert.All(junction["vertices"]!.AsArray().Where(v => v!["role"]!.GetValue<string>() == "junction"), v => Assert.Equal(6, v!["dimension"]!.GetValue<int>()));
        int free = junction["free_dimension"]!.GetValue<int>();
        // Exact construction: δ_Ω square; its free dimension is every stalk but the pinned input (4).
        Assert.Equal([free, free], junction["delta_omega_shape"]!.AsArray().Select(d => d!.GetValue<int>()));
        Assert.Equal(junction["total_vertex_dimension"]!.GetValue<int>() - 4, free);
        var chord = report["constructions"]!["chord"]!;
        Assert.Empty(chord["junctions"]!.AsArray());
        Assert.True(File.Exists(Path.Combine(outDir, "graph-junction.png")));
        Assert.True(File.Exists(Path.Combine(outDir, "graph-chord.png")));
    }

    [Fact]
    public void InspectOfABadModelIsExitTwo()
    {
        string path = Path.Combine(_dir, "config.json");
        File.WriteAllText(path, Config("broken_add_shapes.onnx"));
        var err = new StringWriter();
        var old = Console.Error;
        Console.SetError(err);
        try
        {
            Assert.Equal(2, Program.Main(["inspect", "--config", path]));
        }
        finally
        {
            Console.SetError(old);
        }
        Assert.Contains("residual_add", err.ToString());
    }

    [Fact]
    public void ExportOnnxWritesAModelThatReadsBackAndRefusesToOverwrite()
    {
        string configs = Path.Combine(OnnxFixtures.Folder, "..", "..", "..", "configs");
        string model = Path.Combine(_dir, "projection.onnx");
        var stdout = new StringWriter();
        var old = Console.Out;
        Console.SetOut(stdout);
        try
        {
            Assert.Equal(0, Program.Main(["export-onnx", "--config", Path.Combine(configs, "lab14-projection.json"), "--out", model]));
        }
        finally
        {
            Console.SetOut(old);
        }
        var back = ResidualSheaf.Models.Onnx.OnnxNetwork.Load(model);
        Assert.Equal(2, back.InputDimension);
        string outDir = Path.Combine(_dir, "static");
        var (code, error) = Run($$"""{ "name": "t", "job": "static", "network": { "onnx": "projection.onnx" }, "inputs": { "count": 5 } }""", "--out", outDir);
        Assert.True(code == 0, error);
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "report.json")))!;
        Assert.True(report["constructions"]!["junction"]!["err_float64"]!["max"]!.GetValue<double>() <= 1e-12);
        var err = new StringWriter();
        var oldErr = Console.Error;
        Console.SetError(err);
        try
        {
            Assert.Equal(2, Program.Main(["export-onnx", "--config", Path.Combine(configs, "lab14-projection.json"), "--out", model]));
        }
        finally
        {
            Console.SetError(oldErr);
        }
        Assert.Contains("exists", err.ToString());
    }
}

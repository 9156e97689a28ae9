using System.Text.Json.Nodes;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Runner;
using ResidualSheaf.Runner.Config;
using ResidualSheaf.Runner.Jobs;

namespace ResidualSheaf.Tests.Runner;

/// <summary>End-to-end heat runs from the shipped configs, bad heat input (exit 2, nothing written) and faults (exit 3, trace kept).</summary>
[Collection("Console")]
public sealed class HeatRunTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rs-heat-").FullName;

    private int _runs;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The repository's configs folder, found from the test binary's location.</summary>
    public static string ConfigsFolder
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "ResidualSheaf.sln"))) return Path.Combine(d.FullName, "configs");
            throw new InvalidOperationException("repository root not found");
        }
    }

    private (int Code, string Out, JsonNode? Summary, string Error) RunShipped(string name, Func<string, string>? edit = null)
    {
        string src = Path.Combine(ConfigsFolder, name + ".json");
        string json = File.ReadAllText(src);
        if (edit is not null) json = edit(json);
        // Relative weight paths in shipped configs are resolved against configs/, so the copy lives there in spirit: rewrite them.
        json = json.Replace("\"weights/", "\"" + Path.Combine(ConfigsFolder, "weights").Replace("\\", "/") + "/");
        string outName = name + "-" + Interlocked.Increment(ref _runs);
        string path = Path.Combine(_dir, outName + ".json");
        File.WriteAllText(path, json);
        return RunFile(path, outName);
    }

    private (int Code, string Out, JsonNode? Summary, string Error) RunFile(string path, string outName)
    {
        string outDir = Path.Combine(_dir, "out-" + outName);
        var err = new StringWriter();
        var old = Console.Error;
        Console.SetError(err);
        int code;
        try
        {
            code = Program.Main(["--config", path, "--out", outDir]);
        }
        finally
        {
            Console.SetError(old);
        }
        string summary = Path.Combine(outDir, "summary.json");
        return (code, outDir, File.Exists(summary) ? JsonNode.Parse(File.ReadAllText(summary)) : null, err.ToString());
    }

    private static double D(JsonNode? n) => n!.GetValue<double>();

    [Fact]
    public void MainJobConvergesToTheTorchForwardPassWithMonotoneEnergyAndWritesEverything()
    {
        var (code, outDir, s, _) = RunShipped("heat-resnet");
        Assert.Equal(0, code);
        foreach (string f in new[] { "trace.csv", "events.csv", "summary.json", "weights.json", "config.resolved.json", "run.log", "run.clef",
                     "energy.png", "distance.png", "discord.png", "output.png" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);
        Assert.True(s!["converged"]!.GetValue<bool>());
        Assert.True(D(s["final_distance_to_limit"]) <= 1e-9);
        Assert.True(D(s["final_output_vs_torch_float64"]) <= 1e-9);
        Assert.True(D(s["limit_output_vs_torch_float64"]) <= 1e-12);
        Assert.True(s["energy_monotone"]!.GetValue<bool>());
        Assert.True(s["energy_bound"]!["holds"]!.GetValue<bool>());
        // Issue 13 item 10: the ratio leaves out t = 0 (where it is 1 by definition), recomputed here from trace.csv.
        double worst = D(s["energy_bound"]!["worst_ratio_E_over_bound"]);
        double e0 = D(s["initial_energy"]), ls = D(s["lambda_star"]);
        var rows = File.ReadAllLines(Path.Combine(outDir, "trace.csv")).Skip(2).Select(l => l.Split(','));
        double fromTrace = rows.Max(r => double.Parse(r[1], System.Globalization.CultureInfo.InvariantCulture) /
            (e0 * Math.Exp(-2 * ls * double.Parse(r[0], System.Globalization.CultureInfo.InvariantCulture))));
        Assert.True(worst < 1, $"worst ratio {worst}");
        Assert.Equal(fromTrace, worst, 1e-9);
        // Issue 17: the certificate is a lower bound on λ_* and its bound E(0)e^{−2αλ_cert t}, recomputed from trace.csv, holds.
        var cert = s["rate_certificate"]!;
        Assert.True(cert["applies"]!.GetValue<bool>());
        double lc = D(cert["lambda"]);
        Assert.InRange(lc, 1e-6, ls);
        double certFromTrace = File.ReadAllLines(Path.Combine(outDir, "trace.csv")).Skip(2).Select(l => l.Split(','))
            .Max(r => double.Parse(r[1], System.Globalization.CultureInfo.InvariantCulture) /
                      (e0 * Math.Exp(-2 * lc * double.Parse(r[0], System.Globalization.CultureInfo.InvariantCulture))));
        Assert.True(certFromTrace <= 1 + 1e-9, $"E above the certified bound: ratio {certFromTrace}");
        Assert.True(cert["holds"]!.GetValue<bool>());
        Assert.Equal(1, s["stationary_points"]!["count"]!.GetValue<int>());
        Assert.Equal(1, s["stationary_points"]!["reached_rank"]!.GetValue<int>());
        Assert.True(D(s["static"]!["err_float64"]) <= 1e-12);
        var events = File.ReadAllLines(Path.Combine(outDir, "events.csv"));
        Assert.Equal(s["statistics"]!["events"]!.GetValue<int>(), events.Length - 1);
        var trace = File.ReadAllLines(Path.Combine(outDir, "trace.csv"));
        Assert.True(trace.Length > 10);
        Assert.StartsWith("t,E,dE_dt,distance_to_limit,", trace[0]);
    }

    [Theory]
    [InlineData("heat-resnet", "summary.json")]
    [InlineData("lab14-static", "report.json")]
    public void TheResolvedConfigRunsAgainAndReproducesEveryNumber(string name, string result)
    {
        // Issue 13 item 5: config.resolved.json is documented as a valid config; it must run and give the same numbers.
        var first = RunShipped(name);
        Assert.Equal(0, first.Code);
        string resolved = Path.Combine(first.Out, "config.resolved.json");
        var again = RunFile(resolved, name + "-again");
        Assert.True(again.Code == 0, again.Error);
        static IEnumerable<(string, string)> Numbers(JsonNode? n, string path = "")
        {
            switch (n)
            {
                case JsonObject o:
                    foreach (var (k, v) in o)
                        if (k is not ("wall_time_s" or "provenance" or "plots" or "weights" or "name")) foreach (var x in Numbers(v, path + "." + k)) yield return x;
                    break;
                case JsonArray a:
                    for (int i = 0; i < a.Count; i++) foreach (var x in Numbers(a[i], $"{path}[{i}]")) yield return x;
                    break;
                case JsonValue v:
                    yield return (path, v.ToJsonString());
                    break;
            }
        }
        var a = Numbers(JsonNode.Parse(File.ReadAllText(Path.Combine(first.Out, result)))).ToList();
        var b = Numbers(JsonNode.Parse(File.ReadAllText(Path.Combine(again.Out, result)))).ToList();
        Assert.True(a.Count > 20);
        Assert.Equal(a, b);
    }

    [Fact]
    public void ExactMethodAgreesWithTheAdaptiveRunOnTheLimitAndHasNoEnergyIncrease()
    {
        var (code, _, s, _) = RunShipped("heat-resnet-exact");
        Assert.Equal(0, code);
        Assert.True(s!["converged"]!.GetValue<bool>());
        Assert.True(D(s["final_output_vs_torch_float64"]) <= 1e-9);
        Assert.Equal(0, s["energy_increases"]!["count"]!.GetValue<int>());
        Assert.True(s["statistics"]!["eigendecompositions"]!.GetValue<long>() >= 1);
    }

    [Fact]
    public void ChordConvergesToItsLeastSquaresSolutionWhichIsNotTheForwardPass()
    {
        var (code, _, s, _) = RunShipped("heat-resnet-chord");
        Assert.Equal(0, code);
        Assert.True(s!["converged"]!.GetValue<bool>());
        Assert.Equal("least-squares solution", s["limit"]!.GetValue<string>());
        Assert.True(D(s["final_distance_to_limit"]) <= 1e-9);
        Assert.True(D(s["limit_output_vs_torch_float64"]) > 1e-3);
        Assert.False(s["energy_bound"]!["applies"]!.GetValue<bool>());
        Assert.False(s["rate_certificate"]!["applies"]!.GetValue<bool>());
        Assert.True(s["stationary_points"]!["reached"]!.GetValue<bool>());
    }

    [Fact]
    public void GoldenNetworkWithTheAuthorsEulerTakesTheirStepCounts()
    {
        var (code, _, s, _) = RunShipped("heat-mlp-golden");
        Assert.Equal(0, code);
        Assert.Equal(11_719, s!["statistics"]!["accepted_steps"]!.GetValue<long>());
        Assert.Equal(0.749999999458, D(s["final_output"]![0]), 1e-12);
        var (code2, _, s2, _) = RunShipped("heat-mlp-golden", j => j.Replace("\"kind\": \"zeros\"", "\"kind\": \"ones\""));
        Assert.Equal(0, code2);
        Assert.Equal(10_723, s2!["statistics"]!["accepted_steps"]!.GetValue<long>());
    }

    [Trait("Category", "Slow")] // measured: among the slowest tests of a full run (./test.sh --quick leaves it out)
    [Fact]
    public void TwoBlocksWithProjectionConverge()
    {
        var (code, _, s, _) = RunShipped("heat-two-blocks");
        Assert.Equal(0, code);
        Assert.True(s!["converged"]!.GetValue<bool>());
        Assert.True(D(s["final_output_vs_torch_float64"]) <= 1e-9);
    }

    [Trait("Category", "Slow")] // measured: among the slowest tests of a full run (./test.sh --quick leaves it out)
    [Fact]
    public void KrylovMethodRunsFromConfigsAndMatchesTheExactRunsSwitchTimes()
    {
        static string Krylov(string j) => j.Replace("\"method\": \"switching-aware\"", "\"method\": \"krylov\"").Replace("\"integrator\": \"dp5\",", "");
        var (code, outDir, s, _) = RunShipped("heat-two-blocks", Krylov);
        Assert.Equal(0, code);
        Assert.Equal("krylov", s!["method"]!.GetValue<string>());
        Assert.True(s["converged"]!.GetValue<bool>());
        Assert.True(D(s["final_output_vs_torch_float64"]) <= 1e-9);
        Assert.True(s["energy_monotone"]!.GetValue<bool>());
        var (codeExact, exactDir, sExact, _) = RunShipped("heat-two-blocks", j => j.Replace("\"method\": \"switching-aware\"", "\"method\": \"exact\"").Replace("\"integrator\": \"dp5\",", ""));
        Assert.Equal(0, codeExact);
        static double[] Times(string dir) => File.ReadAllLines(Path.Combine(dir, "events.csv")).Skip(1).Select(l => double.Parse(l.Split(',')[0], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var (tk, te) = (Times(outDir), Times(exactDir));
        Assert.Equal(te.Length, tk.Length);
        Assert.All(te.Zip(tk), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-9 * (1 + p.First), $"switch at {p.First} vs {p.Second}"));
        // Both locate the first time the distance reaches stop_distance (relative 1e−6).
        Assert.Equal(D(sExact!["time_to_converge"]), D(s["time_to_converge"]), 1e-5 * D(sExact["time_to_converge"]));
    }

    /// <summary>heat.krylov_basis / heat.krylov_min_basis reach the flow: an adaptive 4…24 basis gives the exact run's switch times.</summary>
    [Trait("Category", "Slow")] // a krylov and an exact run of heat-two-blocks, as the test above
    [Fact]
    public void KrylovBasisFieldsReachTheFlowAndKeepTheExactRunsSwitchTimes()
    {
        static string Krylov(string j) => j.Replace("\"method\": \"switching-aware\"", "\"method\": \"krylov\", \"krylov_basis\": 24, \"krylov_min_basis\": 4")
            .Replace("\"integrator\": \"dp5\",", "");
        var (code, outDir, s, _) = RunShipped("heat-two-blocks", Krylov);
        Assert.Equal(0, code);
        Assert.True(s!["converged"]!.GetValue<bool>());
        var resolved = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "config.resolved.json")))!["heat"]!;
        Assert.Equal(24, resolved["krylov_basis"]!.GetValue<int>());
        Assert.Equal(4, resolved["krylov_min_basis"]!.GetValue<int>());
        var h = HeatConfig.Parse(new JsonFields(System.Text.Json.JsonDocument.Parse(resolved.ToJsonString()).RootElement, "heat"));
        var flow = Assert.IsType<KrylovPiecewiseFlow>(HeatConfigMapping.Algorithm(h, "krylov", "dp5"));
        Assert.Equal((4, 24), (flow.MinBasis, flow.MaxBasis));
        var hand = Assert.IsType<HandoffFlow>(HeatConfigMapping.Algorithm(h, "rkc-krylov", "rkc"));
        Assert.Equal((4, 24), (hand.Then.MinBasis, hand.Then.MaxBasis));
        Assert.Equal(1, flow.Threads);
        var (codeExact, exactDir, _, _) = RunShipped("heat-two-blocks", j => j.Replace("\"method\": \"switching-aware\"", "\"method\": \"exact\"").Replace("\"integrator\": \"dp5\",", ""));
        Assert.Equal(0, codeExact);
        static double[] Times(string dir) => File.ReadAllLines(Path.Combine(dir, "events.csv")).Skip(1).Select(l => double.Parse(l.Split(',')[0], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var (tk, te) = (Times(outDir), Times(exactDir));
        Assert.True(te.Length > 0);
        Assert.Equal(te.Length, tk.Length);
        Assert.All(te.Zip(tk), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-9 * (1 + p.First), $"switch at {p.First} vs {p.Second}"));
    }

    /// <summary>heat.krylov_threads reaches the flow and changes no number: events and trace byte for byte as with one thread.</summary>
    [Fact]
    public void KrylovThreadsReachTheFlowAndChangeNoNumber()
    {
        static Func<string, string> Krylov(int threads) => j => j.Replace("\"method\": \"switching-aware\"",
            $"\"method\": \"krylov\", \"krylov_basis\": 24, \"krylov_min_basis\": 4, \"krylov_threads\": {threads}").Replace("\"integrator\": \"dp5\",", "");
        var (code1, dir1, s1, _) = RunShipped("heat-two-blocks", Krylov(1));
        var (code3, dir3, s3, _) = RunShipped("heat-two-blocks", Krylov(3));
        Assert.Equal((0, 0), (code1, code3));
        Assert.True(s3!["converged"]!.GetValue<bool>());
        var resolved = JsonNode.Parse(File.ReadAllText(Path.Combine(dir3, "config.resolved.json")))!["heat"]!;
        Assert.Equal(3, resolved["krylov_threads"]!.GetValue<int>());
        var h = HeatConfig.Parse(new JsonFields(System.Text.Json.JsonDocument.Parse(resolved.ToJsonString()).RootElement, "heat"));
        Assert.Equal(3, Assert.IsType<KrylovPiecewiseFlow>(HeatConfigMapping.Algorithm(h, "krylov", "dp5")).Threads);
        Assert.Equal(3, Assert.IsType<HandoffFlow>(HeatConfigMapping.Algorithm(h, "rkc-krylov", "rkc")).Then.Threads);
        foreach (string file in (string[])["events.csv", "trace.csv"])
            Assert.Equal(File.ReadAllText(Path.Combine(dir1, file)), File.ReadAllText(Path.Combine(dir3, file)));
        Assert.Equal(s1!["time_to_converge"]!.ToJsonString(), s3["time_to_converge"]!.ToJsonString());
    }

    [Trait("Category", "Slow")] // measured: among the slowest tests of a full run (./test.sh --quick leaves it out)
    [Fact]
    public void RkcKrylovMethodRunsFromConfigsAndConvergesToTheForwardPass()
    {
        static string Hybrid(string j) => j.Replace("\"method\": \"switching-aware\"", "\"method\": \"rkc-krylov\", \"krylov_tolerance\": 1e-12, \"handoff_quiet_steps\": 5")
            .Replace("\"integrator\": \"dp5\",", "");
        var (code, outDir, s, _) = RunShipped("heat-two-blocks", Hybrid);
        Assert.Equal(0, code);
        Assert.Equal("rkc-krylov", s!["method"]!.GetValue<string>());
        Assert.True(s["converged"]!.GetValue<bool>());
        Assert.True(D(s["final_output_vs_torch_float64"]) <= 1e-9);
        Assert.True(s["energy_monotone"]!.GetValue<bool>());
        var resolved = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "config.resolved.json")))!["heat"]!;
        Assert.Equal(1e-12, D(resolved["krylov_tolerance"]));
        Assert.Equal(5, resolved["handoff_quiet_steps"]!.GetValue<int>());
    }

    [Fact]
    public void MethodAutoIsSwitchingAwareForSmallProblemsAndRkcKrylovForLargeOnes()
    {
        var (code, _, s, _) = RunShipped("heat-resnet", j => j.Replace("\"method\": \"switching-aware\"", "\"method\": \"auto\""));
        Assert.Equal(0, code);
        Assert.Equal("switching-aware", s!["method"]!.GetValue<string>());
        Assert.Equal("auto", s["method_requested"]!.GetValue<string>());
        Assert.Equal("switching-aware", HeatConfigMapping.ResolveMethod("auto", AutoFlow.LargeProblem));
        Assert.Equal("rkc-krylov", HeatConfigMapping.ResolveMethod("auto", AutoFlow.LargeProblem + 1));
        Assert.Equal("exact", HeatConfigMapping.ResolveMethod("exact", 1_000_000));
    }

    private const string Lab = """
        "network": { "kind": "resnet", "blocks": [ { "in": 3, "hidden": 3, "out": 3 } ] }
        """;

    [Theory]
    [InlineData("""{ "alpha": 0 }""", "heat.alpha")]
    [InlineData("""{ "alpha": -1 }""", "heat.alpha")]
    [InlineData("""{ "rtol": -1e-8 }""", "heat.rtol")]
    [InlineData("""{ "t_end": 0 }""", "heat.t_end")]
    [InlineData("""{ "method": "exact", "integrator": "dp5" }""", "heat.integrator")]
    [InlineData("""{ "method": "krylov", "integrator": "dp5" }""", "heat.integrator")]
    [InlineData("""{ "method": "rkc-krylov", "integrator": "rkc" }""", "heat.integrator")]
    [InlineData("""{ "method": "switching-aware", "krylov_tolerance": 1e-10 }""", "heat.krylov_tolerance")]
    [InlineData("""{ "method": "krylov", "krylov_tolerance": 0 }""", "heat.krylov_tolerance")]
    [InlineData("""{ "method": "krylov", "handoff_quiet_steps": 5 }""", "heat.handoff_quiet_steps")]
    [InlineData("""{ "method": "switching-aware", "krylov_basis": 80 }""", "heat.krylov_basis")]
    [InlineData("""{ "method": "exact", "krylov_min_basis": 16 }""", "heat.krylov_min_basis")]
    [InlineData("""{ "method": "krylov", "krylov_basis": 1 }""", "heat.krylov_basis")]
    [InlineData("""{ "method": "krylov", "krylov_basis": 2.5 }""", "heat.krylov_basis")]
    [InlineData("""{ "method": "krylov", "krylov_min_basis": 1 }""", "heat.krylov_min_basis")]
    [InlineData("""{ "method": "krylov", "krylov_threads": 0 }""", "heat.krylov_threads")]
    [InlineData("""{ "method": "krylov", "krylov_threads": 65 }""", "heat.krylov_threads")]
    [InlineData("""{ "method": "switching-aware", "krylov_threads": 2 }""", "heat.krylov_threads")]
    [InlineData("""{ "method": "krylov", "krylov_min_basis": 50 }""", "heat.krylov_min_basis")]
    [InlineData("""{ "method": "rkc-krylov", "krylov_basis": 20, "krylov_min_basis": 30 }""", "heat.krylov_min_basis")]
    [InlineData("""{ "method": "rkc-krylov", "handoff_quiet_steps": 0 }""", "heat.handoff_quiet_steps")]
    [InlineData("""{ "metod": "exact" }""", "heat.metod")]
    [InlineData("""{ "pins": [ { "coordinate": "q[0]" } ] }""", "heat.pins[0].coordinate")]
    [InlineData("""{ "pins": [ { "coordinate": "x[0]" } ] }""", "already pinned")]
    [InlineData("""{ "pins": [ { "coordinate": "z1[7]" } ] }""", "'z1[7]' is not a coordinate")]
    [InlineData("""{ "initial": { "kind": "values", "values": [1, 2, 3] } }""", "heat.initial.values")]
    [InlineData("""{ "input": [1, 2] }""", "heat.input")]
    [InlineData("""{ "soft_pins": [ { "coordinate": "y[0]", "target": 1 } ] }""", "heat.stop_force")]
    [InlineData("""{ "method": "authors-euler", "stop_distance": 1e-9 }""", "heat.stop_distance")]
    public void BadHeatInputIsExitTwoAndWritesNothing(string heat, string expected)
    {
        string outputs = Path.Combine(_dir, "outputs");
        string path = Path.Combine(_dir, "bad.json");
        File.WriteAllText(path, $$"""{ "name": "bad", "job": "heat", "output_root": "{{outputs}}", {{Lab}}, "heat": {{heat}} }""");
        var err = new StringWriter();
        var old = Console.Error;
        Console.SetError(err);
        int code;
        try
        {
            code = Program.Main(["--config", path]);
        }
        finally
        {
            Console.SetError(old);
        }
        Assert.Equal(2, code);
        Assert.Contains(expected, err.ToString());
        Assert.False(Directory.Exists(outputs) && Directory.EnumerateFileSystemEntries(outputs).Any());
    }

    [Fact]
    public void StepLimitStopsWithExitThreeKeepingTraceAndSummary()
    {
        var (code, outDir, s, _) = RunShipped("heat-resnet", j => j.Replace("\"t_end\": 1000,", "\"t_end\": 1000, \"max_steps\": 5,"));
        Assert.Equal(HeatJob.IntegrationFault, code);
        Assert.Equal("StepLimit", s!["status"]!.GetValue<string>());
        Assert.False(s["converged"]!.GetValue<bool>());
        Assert.True(File.ReadAllLines(Path.Combine(outDir, "trace.csv")).Length >= 2);
    }

    [Fact]
    public void BlowUpIsReportedAsNonFiniteStateWithExitThree()
    {
        // Forward Euler with α·dt far beyond 2/λ_max diverges geometrically until the state overflows.
        var (code, _, s, _) = RunShipped("heat-mlp-golden", j => j.Replace("\"trace_every\": 10,", "\"trace_every\": 10, \"alpha\": 1e6,"));
        Assert.Equal(HeatJob.IntegrationFault, code);
        Assert.Equal("NonFiniteState", s!["status"]!.GetValue<string>());
    }

    [Fact]
    public void CancelledRunKeepsTraceAndMarksSummaryInterrupted()
    {
        string path = Path.Combine(ConfigsFolder, "heat-resnet.json");
        var config = RunConfig.Load(path);
        var net = NetworkFactory.Create(config);
        var setup = HeatSetup.Build(config, net);
        string outDir = Path.Combine(_dir, "cancelled");
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        int code = Program.Run(config, net, outDir, setup, cts.Token);
        Assert.Equal(Program.Cancelled, code);
        var s = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")))!;
        Assert.True(s["interrupted"]!.GetValue<bool>());
        Assert.True(File.Exists(Path.Combine(outDir, "trace.csv")));
    }
}

using ResidualSheaf.Runner;
using ResidualSheaf.Runner.Config;
using ResidualSheaf.Runner.Hunt;
using ResidualSheaf.Tests.Runner;

namespace ResidualSheaf.Tests.Heads;

/// <summary>Config fields of heads: bad input exits 2 naming the field with nothing written; heat runs and hunts with heads.</summary>
[Collection("Console")]
public sealed class HeadConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rs-head-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Outputs => Path.Combine(_dir, "outputs");

    private string Write(string json, string name = "config")
    {
        string path = Path.Combine(_dir, name + ".json");
        File.WriteAllText(path, json);
        return path;
    }

    private string Heat(string network, string heat = "") =>
        $$"""{ "name": "t", "job": "heat", "output_root": "{{Outputs.Replace("\\", "/")}}", "network": {{network}}, "heat": { "t_end": 1000 {{heat}} } }""";

    private const string Mlp = """ "kind": "mlp", "widths": [2, 3, 2] """;

    [Theory]
    [InlineData("{" + Mlp + """, "head": "tanh" }""", "", "network.head")]
    [InlineData("{" + Mlp + """, "head": "sigmoid", "head_mode": "hessian" }""", "", "network.head_mode")]
    [InlineData("{" + Mlp + """, "head_mode": "identity" }""", "", "network.head_mode")]
    [InlineData("""{ "kind": "mlp", "widths": [2, 3, 1], "head": "softmax" }""", "", "network.head")]
    [InlineData("""{ "kind": "resnet", "blocks": [ { "in": 2, "hidden": 3 } ], "classifier": 1, "head": "softmax" }""", "", "network.head")]
    [InlineData("{" + Mlp + """, "classifier": 3, "head": "sigmoid" }""", "", "network.classifier")]
    [InlineData("{" + Mlp + """, "head": "softmax" }""", """, "method": "exact" """, "heat.method")]
    [InlineData("{" + Mlp + """, "head": "sigmoid" }""", """, "method": "krylov" """, "heat.method")]
    [InlineData("{" + Mlp + """, "head": "sigmoid" }""", """, "method": "rkc-krylov" """, "heat.method")]
    [InlineData("{" + Mlp + """, "head": "sigmoid" }""", """, "pin_output": true """, "heat.pin_output")]
    public void BadHeadInputExitsTwoNamingTheField(string network, string heat, string field)
    {
        var (code, _, error) = RunnerCli.Run(["--config", Write(Heat(network, heat))]);
        Assert.Equal(2, code);
        Assert.Contains(field, error);
        Assert.False(Directory.Exists(Outputs) && Directory.EnumerateFileSystemEntries(Outputs).Any());
    }

    [Fact]
    public void HeadsAreResolvedAndIdentityHeadsWriteNoHeadFields()
    {
        var withHead = RunConfig.Parse(System.Text.Json.JsonDocument.Parse(Heat("{" + Mlp + """, "head": "softmax", "head_mode": "identity" }""")).RootElement, _dir);
        var json = ResolvedConfig.ToJson(withHead)["network"]!.ToJsonString();
        Assert.Contains("\"head\":\"softmax\"", json);
        Assert.Contains("\"head_mode\":\"identity\"", json);
        var plain = RunConfig.Parse(System.Text.Json.JsonDocument.Parse(Heat("{" + Mlp + "}")).RootElement, _dir);
        Assert.DoesNotContain("head", ResolvedConfig.ToJson(plain)["network"]!.ToJsonString());
    }

    [Fact]
    public void HeatRunWithAHeadSaysTheModeAndConverges()
    {
        string out1 = Path.Combine(_dir, "run");
        var cfg = Write(Heat("{" + Mlp + """, "head": "sigmoid", "head_mode": "identity" }""", """, "input": [0.5, -1], "stop_distance": 1e-9 """));
        var (code, _, error) = RunnerCli.Run(["--config", cfg, "--out", out1]);
        Assert.True(code == 0, error);
        var summary = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(out1, "summary.json")))!;
        Assert.Equal("sigmoid", (string?)summary["head"]);
        Assert.Equal("identity", (string?)summary["head_mode"]);
        Assert.False((bool)summary["gradient_flow"]!);
        Assert.Equal("Converged", (string?)summary["status"]);
        Assert.True((double)summary["final_output_vs_torch_float64"]! < 1e-8);
        var header = File.ReadLines(Path.Combine(out1, "trace.csv")).First();
        Assert.Contains("discord_head", header);
        Assert.Contains("edge_head", header);
    }

    [Fact]
    public void HuntSamplesHeadsWithoutChangingIdentityCases()
    {
        string Hunt(string extra) => $$"""
            { "name": "h", "master_seed": 5, "cases": 40,
              "network": { "blocks": [1, 2], "widths": [3], "hidden": [3], "relu": ["after", "before"] {{extra}} },
              "constructions": ["junction"], "weight_scale": [0.3, 3],
              "heat": { "rtol": 1e-8, "atol": 1e-10, "stop_distance": 1e-8, "t_end": 10000 } }
            """;
        var plain = HuntConfig.Parse(System.Text.Json.JsonDocument.Parse(Hunt("")).RootElement);
        var heads = HuntConfig.Parse(System.Text.Json.JsonDocument.Parse(Hunt(""", "heads": ["identity", "sigmoid", "softmax"], "head_modes": ["jacobian", "identity"], "classes": [2, 3] """)).RootElement);
        var seen = new HashSet<string>();
        for (long id = 0; id < 40; id++)
        {
            var a = HuntCase.Sample(plain, id);
            var b = HuntCase.Sample(heads, id);
            // Same blocks, scales and seeds: the head is drawn after everything else.
            Assert.Equal(a.ArchitectureText, b.ArchitectureText.Split(";C")[0].Split(";sigmoid")[0].Split(";softmax")[0]);
            Assert.Equal((a.WeightScale, a.WeightSeed, a.InputScale, a.InitialScale, a.Alpha), (b.WeightScale, b.WeightSeed, b.InputScale, b.InitialScale, b.Alpha));
            seen.Add($"{b.Architecture.Head}-{b.Architecture.HeadMode}");
        }
        Assert.True(seen.Count >= 4, string.Join(", ", seen));
        Assert.Throws<ConfigException>(() => HuntConfig.Parse(System.Text.Json.JsonDocument.Parse(Hunt(""", "heads": ["softmax"], "classes": [1] """)).RootElement));
        // A few head cases run end to end (exact ground truth is skipped for heads; the tightened run stands in).
        for (long id = 0; id < 6; id++)
        {
            var r = CaseRunner.Run(heads, id, CancellationToken.None);
            Assert.Null(r.Case.Architecture.Head != ResidualSheaf.Models.Graph.OutputHead.Identity ? r.ExactStatus : null);
        }
    }
}

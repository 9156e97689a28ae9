using System.Text.Json.Nodes;

namespace ResidualSheaf.Tests.Runner;

/// <summary>Every report says what produced it: version, git commit and dirty flag, .NET and TorchSharp versions, machine.</summary>
[Collection("Console")]
public sealed class ProvenanceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rs-prov-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static void AssertProvenance(string file)
    {
        var p = JsonNode.Parse(File.ReadAllText(file))!["provenance"];
        Assert.NotNull(p);
        Assert.Matches(@"^\d+\.\d+\.\d+", p["version"]!.GetValue<string>());
        Assert.Matches("^([0-9a-f]{40}|unknown)$", p["git_commit"]!.GetValue<string>());
        Assert.True(p.AsObject().ContainsKey("git_dirty")); // true, false, or null when built without git
        Assert.StartsWith(".NET", p["dotnet"]!.GetValue<string>());
        Assert.Matches(@"^\d+\.\d+", p["torchsharp"]!.GetValue<string>());
        Assert.Equal(Environment.MachineName, p["machine"]!["host"]!.GetValue<string>());
        Assert.True(p["machine"]!["processors"]!.GetValue<int>() >= 1);
    }

    [Fact]
    public void StaticReportHeatSummaryAndHuntSummaryRecordProvenance()
    {
        string root = Path.Combine(_dir, "outputs").Replace("\\", "/");
        string st = Path.Combine(_dir, "s.json");
        File.WriteAllText(st, $$"""{ "name": "s", "job": "static", "output_root": "{{root}}", "inputs": {"count": 1}, "network": { "kind": "mlp", "widths": [2, 1] } }""");
        Assert.Equal(0, RunnerCli.Run("--config", st, "--out", Path.Combine(_dir, "s")).Code);
        AssertProvenance(Path.Combine(_dir, "s", "report.json"));

        string heat = Path.Combine(_dir, "h.json");
        File.WriteAllText(heat, $$"""{ "name": "h", "job": "heat", "output_root": "{{root}}", "network": { "kind": "resnet", "blocks": [ { "in": 3, "hidden": 3 } ] } }""");
        Assert.Equal(0, RunnerCli.Run("--config", heat, "--out", Path.Combine(_dir, "h")).Code);
        AssertProvenance(Path.Combine(_dir, "h", "summary.json"));

        string hunt = Path.Combine(_dir, "hunt.json");
        File.WriteAllText(hunt, $$"""
            { "name": "hu", "cases": 2, "network": { "widths": [3], "hidden": [3] }, "heat": { "stop_distance": 1e-8 }, "output_root": "{{root}}" }
            """);
        Assert.Equal(0, RunnerCli.Run("hunt", "--config", hunt, "--out", Path.Combine(_dir, "hu")).Code);
        AssertProvenance(Path.Combine(_dir, "hu", "summary.json"));
    }
}

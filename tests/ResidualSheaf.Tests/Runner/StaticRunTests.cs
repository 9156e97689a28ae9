using System.Text.Json.Nodes;
using ResidualSheaf.Runner;

namespace ResidualSheaf.Tests.Runner;

/// <summary>End-to-end runs of the static and lambda-min jobs on small configs.</summary>
[Collection("Console")]
public sealed class StaticRunTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rs-run-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string RunConfig(string json, string outName)
    {
        string path = Path.Combine(_dir, outName + ".json");
        File.WriteAllText(path, json);
        string outDir = Path.Combine(_dir, outName);
        Assert.Equal(0, Program.Main(["--config", path, "--out", outDir]));
        return outDir;
    }

    private static string LabConfig(int count) => $$"""
        { "name": "lab", "job": "static", "seed": 42,
          "network": { "kind": "resnet", "relu": "after", "blocks": [ { "in": 3, "hidden": 3, "out": 3 } ] },
          "inputs": { "count": {{count}}, "seed": 0 } }
        """;

    [Fact]
    public void LabRunWritesEveryArtefactAndShowsJunctionExactChordWrong()
    {
        string outDir = RunConfig(LabConfig(12), "lab");
        foreach (string f in new[] { "report.json", "sweep.csv", "weights.json", "config.resolved.json", "run.log", "run.clef",
                     "errors.png", "graph-junction.png", "graph-chord.png" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);
        foreach (string png in new[] { "errors.png", "graph-junction.png", "graph-chord.png" })
            Assert.True(new FileInfo(Path.Combine(outDir, png)).Length > 10_000, png);
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "report.json")))!;
        var junction = report["constructions"]!["junction"]!;
        var chord = report["constructions"]!["chord"]!;
        Assert.True(junction["err_float64"]!["max"]!.GetValue<double>() <= 1e-12);
        Assert.True(junction["residual"]!["max"]!.GetValue<double>() <= 1e-12);
        Assert.Equal("12 of 12", junction["masks_consistent"]!.GetValue<string>());
        Assert.Equal(18, junction["free_dimension"]!.GetValue<int>());
        Assert.True(chord["full_column_rank"]!.GetValue<bool>());
        Assert.True(chord["inputs_with_residual_above_1e-3"]!.GetValue<int>() > 6);
        Assert.True(junction["controls"]!["pinned_to_forward_residual"]!["max"]!.GetValue<double>() <= 1e-12);
        Assert.True(junction["controls"]!["pinned_to_wrong_residual"]!["min"]!.GetValue<double>() > 1e-2);
        Assert.Contains("not reproduced", report["lab_text_difference"]!.GetValue<string>());
        var rows = File.ReadAllLines(Path.Combine(outDir, "sweep.csv"));
        Assert.Equal(1 + 2 * 12, rows.Length);
        Assert.StartsWith("{", File.ReadLines(Path.Combine(outDir, "run.clef")).First());
    }

    [Fact]
    public void SameConfigGivesIdenticalNumbersAndTheResolvedConfigReproducesTheRun()
    {
        string a = RunConfig(LabConfig(5), "a");
        string b = RunConfig(LabConfig(5), "b");
        Assert.Equal(File.ReadAllText(Path.Combine(a, "sweep.csv")), File.ReadAllText(Path.Combine(b, "sweep.csv")));
        string resolved = File.ReadAllText(Path.Combine(a, "config.resolved.json"));
        string c = RunConfig(resolved, "c");
        Assert.Equal(File.ReadAllText(Path.Combine(a, "sweep.csv")), File.ReadAllText(Path.Combine(c, "sweep.csv")));
    }

    [Fact]
    public void ExportedWeightsLoadBackToTheSameRun()
    {
        string a = RunConfig(LabConfig(4), "seeded");
        string weights = Path.Combine(a, "weights.json");
        string b = RunConfig($$"""
            { "name": "lab", "job": "static",
              "network": { "kind": "resnet", "relu": "after", "blocks": [ { "in": 3, "hidden": 3, "out": 3 } ] },
              "weights": { "source": "json", "path": "{{weights}}" },
              "inputs": { "count": 4, "seed": 0 } }
            """, "loaded");
        Assert.Equal(File.ReadAllText(Path.Combine(a, "sweep.csv")), File.ReadAllText(Path.Combine(b, "sweep.csv")));
    }

    [Fact]
    public void LambdaMinRunReportsPositiveLambdaForBothConstructions()
    {
        string outDir = RunConfig("""
            { "name": "lm", "job": "lambda-min",
              "network": { "kind": "resnet", "blocks": [ { "in": 3, "hidden": 3, "out": 3 } ] },
              "lambda_min": { "draws": 3, "scales": [0.1, 10] } }
            """, "lm");
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "report.json")))!;
        foreach (string c in new[] { "junction", "chord" })
            foreach (var s in report["by_construction"]![c]!.AsArray())
                Assert.True(s!["all_positive"]!.GetValue<bool>());
        Assert.Equal(1 + 3 * 2 * 2, File.ReadAllLines(Path.Combine(outDir, "lambda_min.csv")).Length);
        Assert.True(File.Exists(Path.Combine(outDir, "lambda-min.png")));
        Assert.Equal(3, Directory.GetFiles(Path.Combine(outDir, "weights"), "draw-*.json").Length);
    }
}

/// <summary>Tests that redirect or print to the console run one at a time.</summary>
[CollectionDefinition("Console", DisableParallelization = true)]
public sealed class ConsoleCollection;

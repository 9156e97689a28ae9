using ResidualSheaf.Runner.Hunt;

namespace ResidualSheaf.Tests.Runner;

/// <summary><c>runner open-problem</c>: the document's hunt sections are the hunt folder's own rows and report.</summary>
[Collection("Console")]
public sealed class OpenProblemDocumentTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rs-open-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string ShortHunt()
    {
        // t_end far below the time to converge: every case is a candidate (slow convergence) and gets a folder.
        string cfg = Path.Combine(_dir, "op.json");
        File.WriteAllText(cfg, $$"""
            { "name": "op", "master_seed": 3, "cases": 3,
              "network": { "blocks": [1, 1], "widths": [2], "hidden": [2], "relu": ["after"] },
              "constructions": ["junction"], "weight_scale": [0.5, 2],
              "heat": { "rtol": 1e-8, "atol": 1e-10, "stop_distance": 1e-8, "t_end": 0.5 }, "verify": { "certified": "recheck" },
              "output_root": "{{_dir.Replace("\\", "/")}}" }
            """);
        string folder = Path.Combine(_dir, "op-out");
        Assert.Equal(0, RunnerCli.Run("hunt", "--config", cfg, "--out", folder).Code);
        return folder;
    }

    [Fact]
    public void HuntSectionsReplaceTheMarkerWithTheFoldersRowsAndReport()
    {
        string folder = ShortHunt();
        string template = Path.Combine(_dir, "t.md");
        File.WriteAllText(template, "# Answer\n\nprose before\n\n" + OpenProblemDocument.Marker + "\n\nprose after\n");
        string doc = Path.Combine(_dir, "doc.md");
        Assert.Equal(0, RunnerCli.Run("open-problem", "--template", template, "--out", doc, folder).Code);
        string text = File.ReadAllText(doc);
        Assert.DoesNotContain(OpenProblemDocument.Marker, text);
        Assert.StartsWith("# Answer\n\nprose before\n\n### Hunt `op`: 3 of 3 cases", text);
        Assert.EndsWith("prose after\n", text);
        // The report's conclusion, verbatim, and one flagged row per candidate with the command that re-runs its folder.
        string conclusion = File.ReadAllLines(Path.Combine(folder, "report.md")).First(l => l.StartsWith("**Conclusion.**"));
        Assert.Contains(conclusion, text);
        foreach (var r in ResultsFile.Read(Path.Combine(folder, "results.csv")))
        {
            Assert.Equal("slow-convergence", r["verdict"]);
            Assert.Contains($"| {r["case"]} | slow-convergence | junction | after | 1 |", text);
            Assert.Contains($"counterexamples/case-{long.Parse(r["case"]):D6}/config.json", text);
        }
    }

    [Fact]
    public void ATemplateWithoutTheMarkerOrAFolderWithoutAReportIsRefusedAndNothingWritten()
    {
        string template = Path.Combine(_dir, "t.md");
        File.WriteAllText(template, "# no marker\n");
        string doc = Path.Combine(_dir, "doc.md");
        var (code, _, error) = RunnerCli.Run("open-problem", "--template", template, "--out", doc, _dir);
        Assert.Equal(2, code);
        Assert.Contains("no line <!-- hunts -->", error);
        File.WriteAllText(template, OpenProblemDocument.Marker + "\n");
        (code, _, error) = RunnerCli.Run("open-problem", "--template", template, "--out", doc, _dir);
        Assert.Equal(2, code);
        Assert.Contains("results.csv is missing", error);
        Assert.False(File.Exists(doc));
    }
}

using System.Globalization;
using System.Text.Json;
using ResidualSheaf.Runner.Hunt;

namespace ResidualSheaf.Tests.Runner;

/// <summary>
/// runner train-sweep: a row per (β, seed pair) whose losses are those of job train run alone with that β and seeds, beside the
/// seed's gradient-descent baseline; the same rows for --threads 2, after a kill (a torn row) and --resume, and from two shards
/// merged; bad sweep configs and merges are exit 2 with nothing written.
/// </summary>
[Collection("Console")]
public sealed class TrainSweepTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rs-sweep-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Train = """
        "train": { "data": { "kind": "paraboloid", "n_train": 30, "n_test": 10 }, "epochs": 2, "steps_per_epoch": 60, "dt": 0.01,
                   "baseline": { "steps": 40 } }
        """;

    private string Config(string sweep, string weights = """{ "source": "neural-sheaf" }""")
    {
        string path = Path.Combine(_dir, $"c{Guid.NewGuid():N}.json");
        File.WriteAllText(path, $$"""
            { "name": "s", "job": "train", "network": { "kind": "mlp", "widths": [2, 6, 1] }, "weights": {{weights}}, {{Train}}
              {{sweep}} }
            """);
        return path;
    }

    private const string Sweep = """, "sweep": { "beta_times_n_train": [0.5, 3], "seeds": [ { "weights": 1, "init": 7 }, { "weights": 5, "init": 8 } ] }""";

    // The rows without their timing columns.
    private static string[] Rows(string folder) =>
        [.. File.ReadAllLines(Path.Combine(folder, "sweep.csv")).Select(l => string.Join(",", l.Split(',')[..13]))];

    [Fact]
    public void RowsAreTheJobsLossesAndDoNotDependOnThreadsResumeOrShards()
    {
        string config = Config(Sweep);
        string whole = Path.Combine(_dir, "whole");
        var (code, _, err) = RunnerCli.Run("train-sweep", "--config", config, "--out", whole);
        Assert.True(code == 0, err);
        var rows = ResultsFile.Read(Path.Combine(whole, "sweep.csv"));
        Assert.Equal(4, rows.Count);
        Assert.Equal(["0", "1", "2", "3"], rows.Select(r => r["point"]));

        // Point 3 = β·n 3, seed pair (5, 8), run as job train on its own.
        string single = Path.Combine(_dir, $"c{Guid.NewGuid():N}.json");
        File.WriteAllText(single, $$"""
            { "name": "j", "job": "train", "seed": 5, "network": { "kind": "mlp", "widths": [2, 6, 1] }, "weights": { "source": "neural-sheaf" },
              "train": { "data": { "kind": "paraboloid", "n_train": 30, "n_test": 10 }, "epochs": 2, "steps_per_epoch": 60, "dt": 0.01,
                         "beta": 0.1, "init_seed": 8, "baseline": { "steps": 40 } } }
            """);
        string job = Path.Combine(_dir, "job");
        (code, _, err) = RunnerCli.Run("--config", single, "--out", job);
        Assert.True(code == 0, err);
        using (var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(job, "summary.json"))))
        {
            var s = summary.RootElement;
            double Cell(string c) => double.Parse(rows[3][c], CultureInfo.InvariantCulture);
            Assert.Equal(s.GetProperty("sheaf").GetProperty("final_train_loss").GetDouble(), Cell("sheaf_train_loss"));
            Assert.Equal(s.GetProperty("sheaf").GetProperty("final_test_loss").GetDouble(), Cell("sheaf_test_loss"));
            Assert.Equal(s.GetProperty("gd").GetProperty("final_test_loss").GetDouble(), Cell("gd_test_loss"));
            Assert.Equal(s.GetProperty("beta").GetDouble(), Cell("beta"));
        }

        string threaded = Path.Combine(_dir, "threaded");
        Assert.Equal(0, RunnerCli.Run("train-sweep", "--config", config, "--out", threaded, "--threads", "2").Code);
        Assert.Equal(Rows(whole), Rows(threaded));

        // A kill in mid-row: the torn row is dropped and only the missing points run again.
        var lines = File.ReadAllLines(Path.Combine(threaded, "sweep.csv"));
        File.WriteAllText(Path.Combine(threaded, "sweep.csv"), string.Join("\n", lines[..2]) + "\n" + lines[2][..20]);
        (code, _, err) = RunnerCli.Run("train-sweep", "--config", config, "--out", threaded, "--resume");
        Assert.True(code == 0, err);
        Assert.Equal(Rows(whole), Rows(threaded));

        string a = Path.Combine(_dir, "a"), b = Path.Combine(_dir, "b"), merged = Path.Combine(_dir, "merged");
        Assert.Equal(0, RunnerCli.Run("train-sweep", "--config", config, "--shard", "0/2", "--out", a).Code);
        Assert.Equal(2, RunnerCli.Run("train-sweep-merge", "--out", merged, a).Code);
        Assert.False(Directory.Exists(merged));
        Assert.Equal(0, RunnerCli.Run("train-sweep", "--config", config, "--shard", "1/2", "--out", b).Code);
        (code, _, err) = RunnerCli.Run("train-sweep-merge", "--out", merged, a, b);
        Assert.True(code == 0, err);
        Assert.Equal(Rows(whole), Rows(merged));
        Assert.Equal(File.ReadAllLines(Path.Combine(whole, "table.csv")), File.ReadAllLines(Path.Combine(merged, "table.csv")));
        Assert.True(File.Exists(Path.Combine(merged, "beta-scaling.png")));
    }

    [Theory]
    [InlineData("", "sweep")]
    [InlineData(""", "sweep": { "seeds": [ { "weights": 1, "init": 2 } ] }""", "sweep.beta_times_n_train")]
    [InlineData(""", "sweep": { "beta_times_n_train": [1, -2], "seeds": [ { "weights": 1, "init": 2 } ] }""", "sweep.beta_times_n_train")]
    [InlineData(""", "sweep": { "beta_times_n_train": [1], "seeds": [ { "weights": 1 } ] }""", "sweep.seeds[0].init")]
    [InlineData(""", "sweep": { "beta_times_n_train": [1], "seeds": [ { "weights": 1, "init": 2 } ], "steps": 3 }""", "sweep.steps")]
    public void BadSweepConfigsAreExitTwoNamingTheField(string sweep, string field)
    {
        string folder = Path.Combine(_dir, "bad");
        var (code, _, err) = RunnerCli.Run("train-sweep", "--config", Config(sweep), "--out", folder);
        Assert.Equal(2, code);
        Assert.Contains(field, err);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void ASweepOverFileWeightsIsRefusedAndResumeNeedsAnExistingSweep()
    {
        string weights = Path.Combine(_dir, "w.json");
        File.WriteAllText(weights, "{}");
        var (code, _, err) = RunnerCli.Run("train-sweep", "--config", Config(Sweep, $$"""{ "source": "json", "path": "{{weights}}" }"""));
        Assert.Equal(2, code);
        Assert.Contains("weights", err);
        (code, _, err) = RunnerCli.Run("train-sweep", "--config", Config(Sweep), "--out", Path.Combine(_dir, "none"), "--resume");
        Assert.Equal(2, code);
        Assert.Contains("--resume", err);
    }
}

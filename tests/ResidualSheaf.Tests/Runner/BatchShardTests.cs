using System.Globalization;
using System.Text.Json.Nodes;
using ResidualSheaf.Runner.Batch;
using ResidualSheaf.Runner.Hunt;

namespace ResidualSheaf.Tests.Runner;

/// <summary>Batches split with --shard k/N and joined by batch-merge: the merged folder holds the unsharded run's rows.</summary>
public sealed class BatchShardTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rs-batch-shard-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Config(string name = "sharded", int count = 7)
    {
        string path = Path.Combine(_dir, name + ".json");
        File.WriteAllText(path, $$"""
            { "name": "{{name}}", "job": "heat", "seed": 5, "network": { "kind": "resnet", "blocks": [ { "in": 3, "hidden": 3, "out": 3 } ] },
              "inputs": { "count": {{count}}, "seed": 1 },
              "heat": { "t_end": 2000, "method": "exact", "trace_inputs": [0, 3], "initial": { "kind": "zeros" } },
              "output_root": "{{Path.Combine(_dir, "outputs").Replace("\\", "/")}}" }
            """);
        return path;
    }

    private static int Cli(params string[] args) => RunnerCli.Run(args).Code;

    /// <summary>batch.csv rows keyed by input, without wall_time_s (the one column that differs between runs).</summary>
    private static SortedDictionary<long, string> Rows(string folder)
    {
        var rows = new SortedDictionary<long, string>();
        foreach (var r in ResultsFile.Read(Path.Combine(folder, BatchCommand.RowsFile)))
            Assert.True(rows.TryAdd(long.Parse(r["input"], CultureInfo.InvariantCulture),
                string.Join(",", BatchRow.Header.Where(h => h != "wall_time_s").Select(h => r[h]))), $"input {r["input"]} twice");
        return rows;
    }

    [Fact]
    public void MergeOfTwoShardsEqualsTheUnshardedRun()
    {
        string cfg = Config();
        string whole = Path.Combine(_dir, "whole"), merged = Path.Combine(_dir, "merged");
        Assert.Equal(0, Cli("--config", cfg, "--out", whole));
        // Default folders: <output_root>/<name>-shard-k-of-2.
        Assert.Equal(0, Cli("--config", cfg, "--shard", "0/2", "--threads", "1"));
        Assert.Equal(0, Cli("--config", cfg, "--shard", "1/2", "--threads", "2"));
        string s0 = Path.Combine(_dir, "outputs", "sharded-shard-0-of-2"), s1 = Path.Combine(_dir, "outputs", "sharded-shard-1-of-2");
        Assert.Equal([0L, 2, 4, 6], Rows(s0).Keys);
        Assert.Equal([1L, 3, 5], Rows(s1).Keys);
        Assert.True(Directory.Exists(Path.Combine(s1, "traces", "input-3")));
        Assert.False(Directory.Exists(Path.Combine(s1, "traces", "input-0")));
        var shardSummary = JsonNode.Parse(File.ReadAllText(Path.Combine(s1, "summary.json")))!;
        Assert.Equal(0, (int)shardSummary["missing_inputs"]!);

        Assert.Equal(0, Cli("batch-merge", "--out", merged, s1, s0));
        Assert.Equal(Rows(whole), Rows(merged));
        Assert.Equal(File.ReadLines(Path.Combine(whole, BatchCommand.EnergyFile)).First(), File.ReadLines(Path.Combine(merged, BatchCommand.EnergyFile)).First());
        Assert.Equal(File.ReadAllLines(Path.Combine(whole, BatchCommand.EnergyFile)), File.ReadAllLines(Path.Combine(merged, BatchCommand.EnergyFile)));
        var a = JsonNode.Parse(File.ReadAllText(Path.Combine(whole, "summary.json")))!;
        var b = JsonNode.Parse(File.ReadAllText(Path.Combine(merged, "summary.json")))!;
        foreach (string key in new[] { "rows", "missing_inputs", "converged", "by_status" })
            Assert.Equal(a[key]!.ToJsonString(), b[key]!.ToJsonString());
        foreach (string column in BatchSummary.QuantileColumns.Where(c => c != "wall_time_s"))
            Assert.Equal(a["quantiles"]![column]!.ToJsonString(), b["quantiles"]![column]!.ToJsonString());
        Assert.True(File.Exists(Path.Combine(merged, "traces", "input-0", "run", "summary.json")));
        Assert.True(File.Exists(Path.Combine(merged, "traces", "input-3", "run", "summary.json")));
        Assert.True(File.Exists(Path.Combine(merged, "energy.png")));
    }

    [Fact]
    public void IncompleteOrMismatchedShardsAreRefusedAndNothingIsWritten()
    {
        string cfg = Config(), other = Config("other", count: 5);
        string s0 = Path.Combine(_dir, "s0"), s1 = Path.Combine(_dir, "s1"), o1 = Path.Combine(_dir, "o1"), out1 = Path.Combine(_dir, "refused");
        Assert.Equal(0, Cli("--config", cfg, "--shard", "0/2", "--out", s0));
        Assert.Equal(0, Cli("--config", other, "--shard", "1/2", "--out", o1));

        var (code, _, error) = RunnerCli.Run("batch-merge", "--out", out1, s0);
        Assert.Equal(2, code);
        Assert.Contains("shard(s) 1 of 2 not given", error);
        (code, _, error) = RunnerCli.Run("batch-merge", "--out", out1, s0, o1);
        Assert.Equal(2, code);
        Assert.Contains("different batch config", error);
        (code, _, error) = RunnerCli.Run("batch-merge", "--out", out1, s0, s0);
        Assert.Equal(2, code);
        Assert.Contains("given twice", error);

        // A shard that lost rows (a killed task) is named, with the command that finishes it.
        Assert.Equal(0, Cli("--config", cfg, "--shard", "1/2", "--out", s1));
        var lines = File.ReadAllLines(Path.Combine(s1, BatchCommand.RowsFile));
        File.WriteAllLines(Path.Combine(s1, BatchCommand.RowsFile), lines[..^1]);
        (code, _, error) = RunnerCli.Run("batch-merge", "--out", out1, s0, s1);
        Assert.Equal(2, code);
        Assert.Contains("shard 1/2", error);
        Assert.Contains("has 2 of its 3 inputs", error);
        Assert.False(Directory.Exists(out1));

        // --resume refuses another shard's folder.
        (code, _, error) = RunnerCli.Run("--config", cfg, "--shard", "0/2", "--resume", "--out", s1);
        Assert.Equal(2, code);
        Assert.Contains("holds shard 1/2, not 0/2", error);
    }
}

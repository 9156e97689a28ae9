using System.Text.Json.Nodes;
using ResidualSheaf.Runner.Hunt;
using ResidualSheaf.Runner.Slurm;

namespace ResidualSheaf.Tests.Runner;

/// <summary>
/// <c>hunt --slurm</c> without a cluster: the scripts (--dry-run), which shards a (re-)submission runs, and the refusals.
/// Submission to a real Slurm is tested by tests/slurm/hunt-array-test.sh (run by .ci/run).
/// </summary>
[Collection("Console")]
public sealed class SlurmTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rs-slurm-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Config(int cases = 6, long seed = 11, string slurm = "")
    {
        string path = Path.Combine(_dir, $"hunt-{seed}-{cases}.json");
        File.WriteAllText(path, $$"""
            { "name": "s", "master_seed": {{seed}}, "cases": {{cases}},
              "network": { "widths": [3], "hidden": [3] }, "heat": { "rtol": 1e-8, "atol": 1e-10, "stop_distance": 1e-8 },
              "output_root": "{{Path.Combine(_dir, "outputs").Replace("\\", "/")}}" {{slurm}} }
            """);
        return path;
    }

    private static (int Code, string Out, string Error) Cli(params string[] args) => RunnerCli.Run(args);

    [Fact]
    public void DryRunPrintsBothScriptsWithConfigSettingsAndFlagOverridesAndWritesNothing()
    {
        string cfg = Config(slurm: """, "slurm": { "tasks": 2, "cpus_per_task": 2, "time": "00:05:00", "partition": "p1", "account": "acc", "memory": "1G" }""");
        string hunt = Path.Combine(_dir, "h");
        var (code, output, error) = Cli("hunt", "--slurm", "--config", cfg, "--out", hunt, "--dry-run", "--time", "00:07:00");
        Assert.True(code == 0, error);
        foreach (string line in new[] { "#SBATCH --array=0-1", "#SBATCH --cpus-per-task=2", "#SBATCH --time=00:07:00", "#SBATCH --partition=p1",
                     "#SBATCH --account=acc", "#SBATCH --mem=1G", "N=2", "--shard \"$k/$N\" --resume", "--dependency=afterok:<array job>",
                     "hunt-merge --out", Path.Combine(hunt, "shards", "shard-0-of-2"), Path.Combine(hunt, "shards", "shard-1-of-2"), "mv -T" })
            Assert.Contains(line, output);
        Assert.DoesNotContain("00:05:00", output);
        Assert.False(Directory.Exists(hunt));
    }

    [Fact]
    public void ASubmissionRunsOnlyTheShardsThatAreIncomplete()
    {
        string cfg = Config(cases: 9);
        string hunt = Path.Combine(_dir, "h");
        Assert.Equal(0, Cli("hunt", "--config", cfg, "--shard", "0/3", "--out", Path.Combine(hunt, "shards", "shard-0-of-3")).Code);
        Assert.Equal(0, Cli("hunt", "--config", cfg, "--shard", "2/3", "--out", Path.Combine(hunt, "shards", "shard-2-of-3")).Code);
        // Shard 2 loses its last row and its report no longer counts what is there: it must run again.
        string results = Path.Combine(hunt, "shards", "shard-2-of-3", "results.csv");
        File.WriteAllLines(results, File.ReadAllLines(results)[..^1]);
        var (code, output, error) = Cli("hunt", "--slurm", "--config", cfg, "--out", hunt, "--tasks", "3", "--dry-run");
        Assert.True(code == 0, error);
        Assert.Contains("to run: shard(s) 1-2 (1 of them partly done)", output);
        Assert.Contains("#SBATCH --array=1-2\n", output);

        Assert.Equal(new ShardStatus(Path.Combine(hunt, "shards", "shard-0-of-3"), true, null, (0, 3), 3, 3, true) with { Fingerprint = null },
            ShardStatus.Read(Path.Combine(hunt, "shards", "shard-0-of-3"), 9, 0, 3) with { Fingerprint = null });
        var two = ShardStatus.Read(Path.Combine(hunt, "shards", "shard-2-of-3"), 9, 2, 3);
        Assert.Equal((2, false), (two.Done, two.Complete));
    }

    [Fact]
    public void AShardFolderOfAnotherConfigOrAnotherSplitIsRefusedBeforeAnythingIsSubmitted()
    {
        string hunt = Path.Combine(_dir, "h");
        Assert.Equal(0, Cli("hunt", "--config", Config(cases: 4, seed: 99), "--shard", "0/2", "--out", Path.Combine(hunt, "shards", "shard-0-of-2")).Code);
        var (code, _, error) = Cli("hunt", "--slurm", "--config", Config(cases: 4), "--out", hunt, "--tasks", "2", "--dry-run");
        Assert.Equal(2, code);
        Assert.Contains("shard-0-of-2' was run from a different hunt config", error);

        // Shards cannot be re-cut once submitted.
        string other = Path.Combine(_dir, "h2");
        Directory.CreateDirectory(Path.Combine(other, "slurm"));
        File.WriteAllText(Path.Combine(other, "slurm", "submissions.jsonl"), """{"shards":4,"array_job":1,"merge_job":2}""" + "\n");
        (code, _, error) = Cli("hunt", "--slurm", "--config", Config(), "--out", other, "--tasks", "2", "--dry-run");
        Assert.Equal(2, code);
        Assert.Contains("was submitted as 4 shards", error);
        var (ok, output, _) = Cli("hunt", "--slurm", "--config", Config(), "--out", other, "--dry-run");
        Assert.Equal(0, ok);
        Assert.Contains("N=4", output);

        // A damaged record is an error that names the folder, not a crash.
        File.WriteAllText(Path.Combine(other, "slurm", "submissions.jsonl"), "{\"shards\": 4, \"arr");
        (code, _, error) = Cli("hunt", "--slurm", "--config", Config(), "--out", other, "--dry-run");
        Assert.Equal(2, code);
        Assert.Contains("holds a damaged hunt file", error);
    }

    [Theory]
    [InlineData(""", "slurm": { "tasks": 0 }""", new string[0], "slurm.tasks")]
    [InlineData(""", "slurm": { "time": "1 h" }""", new string[0], "slurm.time")]
    [InlineData(""", "slurm": { "gpus": 1 }""", new string[0], "slurm.gpus")]
    [InlineData(""", "slurm": { "runner": "" }""", new string[0], "slurm.runner")]
    [InlineData("", new[] { "--cpus-per-task", "x" }, "--cpus-per-task")]
    [InlineData("", new[] { "--partition", "a b" }, "--partition")]
    [InlineData("", new[] { "--shard", "0/2" }, "--shard cannot be combined with --slurm")]
    [InlineData("", new[] { "--threads", "2" }, "--threads cannot be combined with --slurm")]
    [InlineData("", new[] { "--tasks", "7" }, "7 tasks for 6 cases")]
    [InlineData("", new[] { "--bogus" }, "'--bogus'")]
    public void BadSlurmSettingsAreRefusedNamingTheFieldOrFlag(string slurm, string[] flags, string expected)
    {
        string hunt = Path.Combine(_dir, "h");
        var (code, _, error) = Cli(["hunt", "--slurm", "--config", Config(slurm: slurm), "--out", hunt, "--dry-run", .. flags]);
        Assert.Equal(2, code);
        Assert.Contains(expected, error);
        Assert.False(Directory.Exists(hunt));
    }

    [Fact]
    public void SlurmSettingsDoNotChangeTheFingerprintSoShardsStayMergeable()
    {
        var a = HuntConfig.Load(Config());
        var b = HuntConfig.Load(Config(slurm: """, "slurm": { "tasks": 3, "partition": "x" }"""));
        Assert.Equal(a.Fingerprint(), b.Fingerprint());
        Assert.Equal(3, b.Slurm!.Tasks);
        Assert.Equal("x", b.ToJson()["slurm"]!["partition"]!.GetValue<string>());
    }

    [Fact]
    public void MergeNamesMissingAndIncompleteShardsAndMergesPartOnlyWhenAsked()
    {
        string cfg = Config(cases: 9);
        string[] s = [.. Enumerable.Range(0, 3).Select(k => Path.Combine(_dir, $"s{k}"))];
        foreach (int k in new[] { 0, 2 }) Assert.Equal(0, Cli("hunt", "--config", cfg, "--shard", $"{k}/3", "--out", s[k]).Code);
        var (code, _, error) = Cli("hunt-merge", "--out", Path.Combine(_dir, "m1"), s[0], s[2]);
        Assert.Equal(2, code);
        Assert.Contains("shard(s) 1 of 3 not given", error);
        Assert.False(File.Exists(Path.Combine(_dir, "m1", "results.csv")));

        string results = Path.Combine(s[2], "results.csv");
        File.WriteAllLines(results, File.ReadAllLines(results)[..^1]);
        Assert.Equal(0, Cli("hunt", "--config", cfg, "--shard", "1/3", "--out", s[1]).Code);
        (code, _, error) = Cli("hunt-merge", "--out", Path.Combine(_dir, "m2"), s[0], s[1], s[2]);
        Assert.Equal(2, code);
        Assert.Contains("shard 2 has 2 of its 3 cases", error);

        Assert.Equal(0, Cli("hunt-merge", "--partial", "--out", Path.Combine(_dir, "m3"), s[0], s[2]).Code);
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir, "m3", "summary.json")))!;
        Assert.Equal(5, summary["cases_done"]!.GetValue<int>());
        Assert.Equal("[1]", summary["session"]!["missing_shards"]!.ToJsonString());
    }

    [Fact]
    public void AMergeJobThatSbatchRefusesCancelsTheHeldArraySoNothingIsLeftSubmitted()
    {
        var slurm = new FakeSlurm(_dir, refuseMerge: true);
        string hunt = Path.Combine(_dir, "h");
        var (code, _, error) = slurm.With(() => Cli("hunt", "--slurm", "--config", Config(), "--out", hunt, "--tasks", "2"));
        Assert.Equal(2, code);
        Assert.Contains("sbatch refused the merge job: sbatch: error: Invalid account", error);
        var calls = File.ReadAllLines(slurm.Log);
        Assert.Contains(calls, c => c.StartsWith("sbatch --hold --parsable", StringComparison.Ordinal));
        Assert.Contains("scancel 41", calls);
        Assert.DoesNotContain(calls, c => c.StartsWith("scontrol release", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(hunt, "slurm", "submissions.jsonl")));
    }

    [Fact]
    public void ArrayRangesAreWrittenInSbatchSyntax()
    {
        Assert.Equal("0-3", SlurmScripts.Ranges([0, 1, 2, 3]));
        Assert.Equal("1,4-6,9", SlurmScripts.Ranges([1, 4, 5, 6, 9]));
        Assert.Equal("'it'\\''s'", SlurmScripts.Quote("it's"));
    }
}

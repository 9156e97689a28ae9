using System.Text.Json.Nodes;
using ResidualSheaf.Runner.Batch;
using ResidualSheaf.Runner.Config;
using ResidualSheaf.Runner.Data;
using ResidualSheaf.Runner.Hunt;
using ResidualSheaf.Runner.Jobs;
using ResidualSheaf.Runner.Sharding;

namespace ResidualSheaf.Tests.Runner;

/// <summary>
/// A batch's <c>--slurm</c> without a cluster: the scripts (--dry-run), which shards a (re-)submission runs, the sbatch calls of a
/// submission (stand-in Slurm commands), the refusals, and the resume rule the array tasks rely on. A batch on a real Slurm is
/// tested by tests/slurm/batch-array-test.sh (run by .ci/run).
/// </summary>
[Collection("Console")]
public sealed class BatchSlurmTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rs-batch-slurm-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Config(int count = 7, string extra = "", int seed = 1)
    {
        string path = Path.Combine(_dir, $"batch-{count}-{seed}-{extra.GetHashCode():x}.json");
        File.WriteAllText(path, $$"""
            { "name": "bs", "job": "heat", "seed": 5, "network": { "kind": "resnet", "blocks": [ { "in": 3, "hidden": 3, "out": 3 } ] },
              "inputs": { "count": {{count}}, "seed": {{seed}} },
              "heat": { "t_end": 2000, "method": "exact", "trace_inputs": [0, 3], "initial": { "kind": "zeros" } },
              "output_root": "{{Path.Combine(_dir, "outputs").Replace("\\", "/")}}" {{extra}} }
            """);
        return path;
    }

    private static (int Code, string Out, string Error) Cli(params string[] args) => RunnerCli.Run(args);

    [Fact]
    public void DryRunPrintsTheArrayAndMergeScriptsWithConfigSettingsAndFlagOverridesAndWritesNothing()
    {
        string cfg = Config(extra: """, "slurm": { "tasks": 2, "cpus_per_task": 2, "time": "00:05:00", "partition": "p1", "account": "acc", "memory": "1G" }""");
        string batch = Path.Combine(_dir, "b");
        var (code, output, error) = Cli("--config", cfg, "--slurm", "--out", batch, "--dry-run", "--time", "00:07:00");
        Assert.True(code == 0, error);
        string shards = Path.Combine(batch, "shards");
        foreach (string line in new[]
                 {
                     "Batch bs (", "7 inputs in 2 shards; to run: shard(s) 0-1", "#SBATCH --job-name=batch-bs\n", "#SBATCH --array=0-1\n",
                     "#SBATCH --cpus-per-task=2", "#SBATCH --time=00:07:00", "#SBATCH --partition=p1", "#SBATCH --account=acc", "#SBATCH --mem=1G", "N=2\n",
                     $"--config '{Path.Combine(batch, "slurm", "batch-config.json")}' --shard \"$k/$N\" --resume", $"--out '{shards}'\"/shard-$k-of-$N\"",
                     "--threads \"${SLURM_CPUS_PER_TASK:-1}\"", "#SBATCH --job-name=batch-bs-merge", "--dependency=afterok:<array job>",
                     "batch-merge --out \"$tmp\"", $"'{Path.Combine(shards, "shard-0-of-2")}'", $"'{Path.Combine(shards, "shard-1-of-2")}'", "mv -T",
                 })
            Assert.Contains(line, output);
        // A batch shard is started by the top-level command (no "hunt" verb), and the flag beat the config's time.
        Assert.DoesNotContain(" hunt ", output);
        Assert.DoesNotContain("00:05:00", output);
        Assert.False(Directory.Exists(batch));
    }

    [Fact]
    public void ASubmissionRunsOnlyTheShardsThatAreIncomplete()
    {
        string cfg = Config(count: 9);
        string batch = Path.Combine(_dir, "b");
        string Shard(int k) => Path.Combine(batch, "shards", $"shard-{k}-of-3");
        Assert.Equal(0, Cli("--config", cfg, "--shard", "0/3", "--out", Shard(0)).Code);
        Assert.Equal(0, Cli("--config", cfg, "--shard", "2/3", "--out", Shard(2)).Code);
        // Shard 2 loses its last row (a task killed as it wrote it): it must run again; shard 1 never ran.
        string rows = Path.Combine(Shard(2), BatchCommand.RowsFile);
        File.WriteAllLines(rows, File.ReadAllLines(rows)[..^1]);
        var (code, output, error) = Cli("--config", cfg, "--slurm", "--out", batch, "--tasks", "3", "--dry-run");
        Assert.True(code == 0, error);
        Assert.Contains("9 inputs in 3 shards; to run: shard(s) 1-2 (1 of them partly done)", output);
        Assert.Contains("#SBATCH --array=1-2\n", output);

        var zero = ShardStatus.Read(Shard(0), 9, 0, 3, ShardKind.Batch);
        Assert.Equal((true, (0, 3), 3, 3, true), (zero.Exists, zero.Shard, zero.Expected, zero.Done, zero.Complete));
        var two = ShardStatus.Read(Shard(2), 9, 2, 3, ShardKind.Batch);
        Assert.Equal((2, false), (two.Done, two.Complete));
        Assert.False(ShardStatus.Read(Shard(1), 9, 1, 3, ShardKind.Batch).Exists);

        // The shard folder of another data set (another input seed: another fingerprint) is refused before anything is submitted.
        (code, _, error) = Cli("--config", Config(count: 9, seed: 2), "--slurm", "--out", batch, "--tasks", "3", "--dry-run");
        Assert.Equal(2, code);
        Assert.Contains("shard-0-of-3' was run from a different batch config", error);
    }

    [Fact]
    public void ASubmissionHoldsTheArraySubmitsTheMergeAfterItAndFreezesAConfigWithTheSameFingerprint()
    {
        var slurm = new FakeSlurm(_dir, refuseMerge: false);
        string log = slurm.Log;
        string cfg = Config(extra: """, "slurm": { "tasks": 2 }""");
        string batch = Path.Combine(_dir, "outputs", "bs");
        var (code, output, error) = slurm.With(() => Cli("--config", cfg, "--slurm"));
        Assert.True(code == 0, error);
        Assert.Contains("submitted: array=41 merge=41", output);
        var calls = File.ReadAllLines(log);
        Assert.Equal("squeue --noheader --format=%F", calls[0]);
        Assert.Equal($"sbatch --hold --parsable {Path.Combine(batch, "slurm", "batch-array.sbatch")}", calls[1]);
        Assert.Equal($"sbatch --dependency=afterok:41 --kill-on-invalid-dep=yes --parsable {Path.Combine(batch, "slurm", "batch-merge.sbatch")}", calls[2]);
        Assert.Equal("scontrol release 41", calls[3]);
        Assert.Contains("#SBATCH --array=0-1\n", File.ReadAllText(Path.Combine(batch, "slurm", "batch-array.sbatch")));
        var record = JsonNode.Parse(File.ReadAllLines(Path.Combine(batch, "slurm", "submissions.jsonl")).Single())!;
        Assert.Equal(2, record["shards"]!.GetValue<int>());
        Assert.Equal("[0,1]", record["tasks"]!.ToJsonString());

        // The tasks read the frozen config: its fingerprint is the user's config's, so their shards merge with any others.
        var user = RunConfig.Load(cfg);
        var frozen = RunConfig.Load(Path.Combine(batch, "slurm", "batch-config.json"));
        string Print(RunConfig c) => BatchCommand.Fingerprint(c, InputSet.Load(c, NetworkFactory.Create(c)));
        Assert.Equal(Print(user), Print(frozen));
        Assert.Equal(Print(user), record["fingerprint"]!.GetValue<string>());

        // Submitting again while the jobs are queued is refused (squeue now lists job 41).
        slurm.Tool("squeue", "echo 41");
        (code, _, error) = slurm.With(() => Cli("--config", cfg, "--slurm"));
        Assert.Equal(2, code);
        Assert.Contains("job 41 of an earlier submission of this batch is still queued", error);
    }

    [Theory]
    [InlineData(""", "slurm": { "tasks": 0 }""", new string[0], "slurm.tasks")]
    [InlineData(""", "slurm": { "memory": "4 G" }""", new string[0], "slurm.memory")]
    [InlineData(""", "slurm": { "gpus": 1 }""", new string[0], "slurm.gpus")]
    [InlineData("", new[] { "--tasks", "0" }, "'--tasks': '0' is not an integer in [1, 1000000]")]
    [InlineData("", new[] { "--tasks", "8" }, "8 tasks for 7 inputs")]
    [InlineData("", new[] { "--cpus-per-task", "x" }, "--cpus-per-task")]
    [InlineData("", new[] { "--time", "1 h" }, "'--time'")]
    [InlineData("", new[] { "--partition", "a'b" }, "'--partition'")]
    [InlineData("", new[] { "--runner", "" }, "--runner")]
    [InlineData("", new[] { "--shard", "0/2" }, "--shard cannot be combined with --slurm")]
    [InlineData("", new[] { "--resume" }, "--resume cannot be combined with --slurm")]
    [InlineData("", new[] { "--threads", "2" }, "--threads cannot be combined with --slurm")]
    [InlineData("", new[] { "--bogus" }, "'--bogus'")]
    public void BadSlurmSettingsAreRefusedNamingTheFieldOrFlagAndNothingIsWritten(string extra, string[] flags, string expected)
    {
        string batch = Path.Combine(_dir, "b");
        var (code, _, error) = Cli(["--config", Config(extra: extra), "--slurm", "--out", batch, .. flags]);
        Assert.Equal(2, code);
        Assert.Contains(expected, error);
        Assert.False(Directory.Exists(batch));
        Assert.False(Directory.Exists(Path.Combine(_dir, "outputs")));
    }

    [Fact]
    public void SlurmIsRefusedForARunThatIsNotABatchAndForBadDataBeforeAnythingIsWritten()
    {
        string Single(string extra)
        {
            string path = Config(count: 1, extra: extra);
            File.WriteAllText(path, File.ReadAllText(path).Replace("\"trace_inputs\": [0, 3], ", "", StringComparison.Ordinal));
            return path;
        }
        var (code, _, error) = Cli("--config", Single(""), "--slurm", "--dry-run");
        Assert.Equal(2, code);
        Assert.Contains("--slurm", error);
        Assert.Contains("is not a batch", error);

        (code, _, error) = Cli("--config", Single(""", "slurm": { "tasks": 2 }"""));
        Assert.Equal(2, code);
        Assert.Contains("'slurm'", error);

        string data = Path.Combine(_dir, "inputs.csv");
        File.WriteAllText(data, "1,2,3\n4,5\n");
        string cfg = Config().Replace(".json", "-data.json", StringComparison.Ordinal);
        File.WriteAllText(cfg, File.ReadAllText(Config()).Replace("\"count\": 7, \"seed\": 1", $"\"path\": \"{data.Replace("\\", "/")}\"", StringComparison.Ordinal));
        (code, _, error) = Cli("--config", cfg, "--slurm", "--dry-run");
        Assert.Equal(2, code);
        Assert.Contains("inputs.csv", error);
        Assert.Contains("row 1: has 2 values; 3 expected", error);
        Assert.False(Directory.Exists(Path.Combine(_dir, "outputs")));
    }

    [Fact]
    public void SlurmSettingsDoNotChangeTheBatchFingerprint()
    {
        static string Print(RunConfig c) => BatchCommand.Fingerprint(c, InputSet.Load(c, NetworkFactory.Create(c)));
        var a = RunConfig.Load(Config());
        var b = RunConfig.Load(Config(extra: """, "slurm": { "tasks": 3, "partition": "x" }"""));
        Assert.Equal(Print(a), Print(b));
        Assert.Equal(3, b.Slurm!.Tasks);
    }

    [Fact]
    public void ResumeOfAnEmptyFolderStartsTheShardAndResumeOfAForeignFolderIsRefused()
    {
        string cfg = Config();
        // What an array task does: make the folder, then always resume (the first run starts the shard in it).
        string shard = Path.Combine(_dir, "s0");
        Directory.CreateDirectory(shard);
        Assert.Equal(0, Cli("--config", cfg, "--shard", "0/2", "--resume", "--out", shard).Code);
        Assert.Equal(4, BatchSummary.Rows(shard).Count);
        // A task killed after its manifest but before its first row: resume starts it again.
        string early = Path.Combine(_dir, "s1");
        Directory.CreateDirectory(early);
        File.Copy(Path.Combine(shard, BatchCommand.ManifestFile), Path.Combine(early, BatchCommand.ManifestFile));
        var (code, _, error) = Cli("--config", cfg, "--shard", "1/2", "--resume", "--out", early);
        Assert.Equal(2, code);
        Assert.Contains("holds shard 0/2, not 1/2", error);
        Assert.Equal(0, Cli("--config", cfg, "--shard", "0/2", "--resume", "--out", early).Code);
        Assert.Equal(4, BatchSummary.Rows(early).Count);

        string foreign = Path.Combine(_dir, "foreign");
        Directory.CreateDirectory(foreign);
        File.WriteAllText(Path.Combine(foreign, "notes.txt"), "x");
        (code, _, error) = Cli("--config", cfg, "--resume", "--out", foreign);
        Assert.Equal(2, code);
        Assert.Contains("is not a batch folder", error);
        (code, _, error) = Cli("--config", cfg, "--resume", "--out", Path.Combine(_dir, "nowhere"));
        Assert.Equal(2, code);
        Assert.Contains("there is no batch folder", error);
        Assert.False(Directory.Exists(Path.Combine(_dir, "nowhere")));
    }
}

using ResidualSheaf.Runner.Hunt;
using ResidualSheaf.Runner.Sharding;

namespace ResidualSheaf.Tests.Runner;

/// <summary>
/// <c>train-sweep --slurm</c> without a cluster: the scripts (--dry-run) with the config's slurm section and flag overrides, which
/// shards a (re-)submission runs, bad slurm sections, and the resume rule the array tasks rely on (an empty folder starts the
/// shard). A sweep on a real Slurm is tested by tests/slurm/sweep-array-test.sh (run by .ci/run).
/// </summary>
[Collection("Console")]
public sealed class TrainSweepSlurmTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rs-sweep-slurm-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Config(string slurm = "")
    {
        string path = Path.Combine(_dir, $"c{Guid.NewGuid():N}.json");
        File.WriteAllText(path, $$"""
            { "name": "ss", "job": "train", "network": { "kind": "mlp", "widths": [2, 3, 1] }, "weights": { "source": "neural-sheaf" },
              "train": { "data": { "kind": "paraboloid", "n_train": 12, "n_test": 4 }, "epochs": 1, "steps_per_epoch": 10, "dt": 0.01,
                         "baseline": { "steps": 5 } },
              // comments are allowed, as in every config
              "sweep": { "beta_times_n_train": [0.5, 3, 30], "seeds": [ { "weights": 1, "init": 7 }, { "weights": 5, "init": 8 } ] } {{slurm}} }
            """);
        return path;
    }

    [Fact]
    public void DryRunPrintsTheArrayAndMergeScriptsWithConfigSettingsAndFlagOverridesAndWritesNothing()
    {
        string cfg = Config(""", "slurm": { "tasks": 2, "cpus_per_task": 2, "time": "00:05:00", "partition": "p1" }""");
        string sweep = Path.Combine(_dir, "s");
        var (code, output, error) = RunnerCli.Run("train-sweep", "--slurm", "--config", cfg, "--out", sweep, "--dry-run", "--time", "00:07:00");
        Assert.True(code == 0, error);
        string shards = Path.Combine(sweep, "shards");
        foreach (string line in new[]
                 {
                     "Sweep ss (", "6 points in 2 shards; to run: shard(s) 0-1", "#SBATCH --array=0-1\n", "#SBATCH --cpus-per-task=2",
                     "#SBATCH --time=00:07:00", "#SBATCH --partition=p1", "N=2\n",
                     $"train-sweep --config '{Path.Combine(sweep, "slurm", "sweep-config.json")}' --shard \"$k/$N\" --resume",
                     $"--out '{shards}'\"/shard-$k-of-$N\"", "train-sweep-merge --out \"$tmp\"", $"'{Path.Combine(shards, "shard-1-of-2")}'",
                 })
            Assert.Contains(line, output);
        Assert.DoesNotContain("00:05:00", output);
        Assert.False(Directory.Exists(sweep));
    }

    [Fact]
    public void ASubmissionRunsOnlyTheShardsThatAreIncompleteAndAnEmptyFolderResumesAsAStart()
    {
        string cfg = Config();
        string sweep = Path.Combine(_dir, "s");
        string Shard(int k) => Path.Combine(sweep, "shards", $"shard-{k}-of-3");
        // Shard 0 as an array task starts it: its folder exists (the task made it) and is empty, and --resume starts the shard.
        Directory.CreateDirectory(Shard(0));
        var (code, _, error) = RunnerCli.Run("train-sweep", "--config", cfg, "--shard", "0/3", "--resume", "--out", Shard(0));
        Assert.True(code == 0, error);
        Assert.Equal(0, RunnerCli.Run("train-sweep", "--config", cfg, "--shard", "2/3", "--out", Shard(2)).Code);
        // Shard 2 loses its last row: it must run again; shard 1 never ran.
        string rows = Path.Combine(Shard(2), "sweep.csv");
        File.WriteAllLines(rows, File.ReadAllLines(rows)[..^1]);
        string output;
        (code, output, error) = RunnerCli.Run("train-sweep", "--slurm", "--config", cfg, "--out", sweep, "--tasks", "3", "--dry-run");
        Assert.True(code == 0, error);
        Assert.Contains("6 points in 3 shards; to run: shard(s) 1-2 (1 of them partly done)", output);
        Assert.Contains("#SBATCH --array=1-2\n", output);
        var zero = ShardStatus.Read(Shard(0), 6, 0, 3, ShardKind.Sweep);
        Assert.Equal((true, (0, 3), 2, 2, true), (zero.Exists, zero.Shard, zero.Expected, zero.Done, zero.Complete));
        Assert.Equal((1, false), (ShardStatus.Read(Shard(2), 6, 2, 3, ShardKind.Sweep).Done, ShardStatus.Read(Shard(2), 6, 2, 3, ShardKind.Sweep).Complete));

        // A folder that is neither empty nor a sweep is not resumed.
        string other = Path.Combine(_dir, "other");
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(other, "x.txt"), "x");
        (code, _, error) = RunnerCli.Run("train-sweep", "--config", cfg, "--resume", "--out", other);
        Assert.Equal(2, code);
        Assert.Contains("not a sweep folder", error);
    }

    [Theory]
    [InlineData(""", "slurm": { "tasks": 0 }""", "slurm.tasks")]
    [InlineData(""", "slurm": { "time": "1 h" }""", "slurm.time")]
    [InlineData(""", "slurm": { "nodes": 2 }""", "slurm.nodes")]
    [InlineData(""", "slurm": { "tasks": 7 }""", "tasks")]
    public void BadSlurmSettingsAreExitTwoNamingTheFieldAndWriteNothing(string slurm, string field)
    {
        string sweep = Path.Combine(_dir, "bad");
        var (code, _, error) = RunnerCli.Run("train-sweep", "--slurm", "--config", Config(slurm), "--out", sweep);
        Assert.Equal(2, code);
        Assert.Contains(field, error);
        Assert.False(Directory.Exists(sweep));
    }

    [Fact]
    public void ASweepWithASlurmSectionRunsInOneProcessWithTheSameFingerprint()
    {
        string a = Path.Combine(_dir, "a"), b = Path.Combine(_dir, "b");
        var (code, _, error) = RunnerCli.Run("train-sweep", "--config", Config(""", "slurm": { "tasks": 2 }"""), "--out", a, "--dry-run");
        Assert.True(code == 0, error);
        string withSlurm = error;
        (code, _, error) = RunnerCli.Run("train-sweep", "--config", Config(), "--out", b, "--dry-run");
        Assert.True(code == 0, error);
        string Fingerprint(string message) => message[(message.IndexOf("fingerprint ", StringComparison.Ordinal) + 12)..].Split(')')[0];
        Assert.Equal(Fingerprint(error), Fingerprint(withSlurm));
    }
}

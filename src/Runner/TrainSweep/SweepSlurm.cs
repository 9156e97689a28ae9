using ResidualSheaf.Runner.Jobs;
using ResidualSheaf.Runner.Sharding;
using ResidualSheaf.Runner.Slurm;

namespace ResidualSheaf.Runner.TrainSweep;

/// <summary>
/// <c>runner train-sweep --slurm</c>: a β sweep as a Slurm job array, the way <c>hunt --slurm</c> runs a hunt — task k runs
/// <c>train-sweep --shard k/N --resume</c> in <c>shards/shard-k-of-N</c>, and a job that depends on every task runs
/// <c>train-sweep-merge</c> into <c>merged/</c>. The submission itself is <see cref="SlurmSubmit"/>'s.
/// </summary>
public static class SweepSlurm
{
    /// <summary>Usage of <c>train-sweep --slurm</c>.</summary>
    public const string Usage = """
        runner train-sweep --slurm --config <sweep.json> [--tasks N] [--cpus-per-task C] [--time T] [--memory M]
                    [--partition P] [--account A] [--runner CMD] [--out <folder>] [--dry-run]

          Submits a β sweep as a job array of N tasks (task k runs the points i with i mod N = k, --shard k/N, with C threads,
          resumable; each task runs the gradient-descent baselines of the seeds it needs) and a job that runs train-sweep-merge
          after every task has succeeded (--dependency=afterok). Flags override the config's top-level "slurm" section. Running
          the same command again submits only the shards that are still incomplete (cancelled, failed, timed out).
          Folder: <output_root>/<name> (or --out) with shards/shard-k-of-N, merged/ (when done) and slurm/ (scripts, logs).

        """ + "\n" + SlurmSubmit.Options;

    /// <summary>Runs the command line (the arguments after "train-sweep", without "--slurm").</summary>
    public static int Run(string[] args) => SlurmSubmit.Run(args, Usage, "runner train-sweep --slurm", Load);

    /// <summary>Loads and checks the sweep as train-sweep would before writing anything (config, every seed's network, the data).</summary>
    private static SlurmRun Load(string path)
    {
        var sweep = SweepConfig.Load(path);
        var network = NetworkFactory.Create(sweep.Base with { Seed = sweep.Seeds[0].Weights });
        foreach (var s in sweep.Seeds.Skip(1)) NetworkFactory.Create(sweep.Base with { Seed = s.Weights });
        TrainSetup.Load(sweep.Base, network);
        return new SlurmRun(ShardKind.Sweep, sweep.Base.Name, sweep.Points, "points", sweep.Fingerprint, sweep.ToJson(), sweep.Slurm ?? new SlurmSettings(),
            Path.Combine(sweep.Base.OutputRoot, sweep.Base.Name), "train-sweep", "train-sweep-merge", "runner train-sweep --slurm");
    }
}

using ResidualSheaf.Runner.Config;
using ResidualSheaf.Runner.Data;
using ResidualSheaf.Runner.Jobs;
using ResidualSheaf.Runner.Sharding;
using ResidualSheaf.Runner.Slurm;

namespace ResidualSheaf.Runner.Batch;

/// <summary>
/// <c>runner --config batch.json --slurm</c>: a batch heat run as a Slurm job array, the way <c>hunt --slurm</c> runs a hunt —
/// task k runs <c>--shard k/N --resume</c> in <c>shards/shard-k-of-N</c>, and a job that depends on every task runs
/// <c>batch-merge</c> into <c>merged/</c>. The submission itself is <see cref="SlurmSubmit"/>'s.
/// </summary>
public static class BatchSlurm
{
    /// <summary>Usage of the batch's <c>--slurm</c>.</summary>
    public const string Usage = """
        runner --config <batch.json> --slurm [--tasks N] [--cpus-per-task C] [--time T] [--memory M]
                    [--partition P] [--account A] [--runner CMD] [--out <folder>] [--dry-run]

          Submits a batch heat run (job heat over inputs.count > 1 inputs or inputs.path) as a job array of N tasks (task k
          runs the inputs i with i mod N = k, --shard k/N, with C threads, resumable) and a job that runs batch-merge after
          every task has succeeded (--dependency=afterok). Flags override the config's "slurm" section. Running the same
          command again submits only the shards that are still incomplete (cancelled, failed, timed out).
          Folder: <output_root>/<name> (or --out) with shards/shard-k-of-N, merged/ (when done) and slurm/ (scripts, logs).

        """ + "\n" + SlurmSubmit.Options;

    /// <summary>Runs the command line (the arguments without "--slurm").</summary>
    public static int Run(string[] args) => SlurmSubmit.Run(args, Usage, "runner --config <batch.json> --slurm", Load);

    /// <summary>Loads and checks the batch as a batch run would before writing anything (network, memory, data, initial cochain).</summary>
    private static SlurmRun Load(string path)
    {
        var cfg = RunConfig.Load(path);
        if (!cfg.IsBatch)
            throw new ConfigException("--slurm", $"only applies to batch heat runs (job heat with inputs.count > 1 or inputs.path) and hunts (runner hunt --slurm); '{path}' is not a batch");
        if (cfg.Architecture is { } arch) MemoryEstimate.Check(arch, arch.IsMlp ? "network.widths" : "network.blocks");
        var net = NetworkFactory.Create(cfg);
        var data = InputSet.Load(cfg, net);
        InitialStateCheck.Validate(cfg, HeatSetup.Build(cfg, net));
        return new SlurmRun(ShardKind.Batch, cfg.Name, data.Inputs.Length, "inputs", BatchCommand.Fingerprint(cfg, data), ResolvedConfig.ToJson(cfg),
            cfg.Slurm ?? new SlurmSettings(), Path.Combine(cfg.OutputRoot, cfg.Name), "", "batch-merge", "runner --config <batch.json> --slurm");
    }
}

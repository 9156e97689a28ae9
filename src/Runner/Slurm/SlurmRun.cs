using System.Text.Json.Nodes;
using ResidualSheaf.Runner.Sharding;

namespace ResidualSheaf.Runner.Slurm;

/// <summary>
/// What <c>--slurm</c> submits: a run over numbered items (a hunt's cases, a batch's inputs) whose shards are ordinary resumable
/// runs, started by <c>runner [RunCommand] --config … --shard k/N --resume</c> and joined by <c>runner MergeCommand</c>.
/// </summary>
/// <param name="Kind">The shard folders' files (manifest, rows, summary count).</param>
/// <param name="Name">The run's name (job names, messages).</param>
/// <param name="Items">Number of items (cases, inputs).</param>
/// <param name="ItemNoun">What the items are called in messages ("cases", "inputs").</param>
/// <param name="Fingerprint">The fingerprint every shard's manifest must carry.</param>
/// <param name="Config">The config the tasks read, frozen into the Slurm folder at submission.</param>
/// <param name="Settings">Slurm settings from the config (flags override them).</param>
/// <param name="DefaultFolder">The run's folder when --out is not given.</param>
/// <param name="RunCommand">Words between the runner and <c>--config</c> that run one shard ("hunt", or none for a batch).</param>
/// <param name="MergeCommand">The merge command ("hunt-merge", "batch-merge").</param>
/// <param name="Submitter">The submitting command as users type it, for the scripts' header and messages.</param>
public sealed record SlurmRun(ShardKind Kind, string Name, int Items, string ItemNoun, string Fingerprint, JsonObject Config,
    SlurmSettings Settings, string DefaultFolder, string RunCommand, string MergeCommand, string Submitter);

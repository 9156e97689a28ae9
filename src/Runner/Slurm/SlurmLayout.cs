using System.Globalization;

namespace ResidualSheaf.Runner.Slurm;

/// <summary>
/// Folders of a hunt or batch run as a job array: <c>shards/shard-k-of-N</c> (one per task, each a resumable folder), <c>merged</c>
/// (appears only when the merge job has finished), and <c>slurm/</c> (the frozen config, the scripts, task logs, submissions).
/// </summary>
/// <param name="Base">The run's folder.</param>
/// <param name="Shards">Number of shards N; fixed at the first submission.</param>
/// <param name="Kind">"hunt" or "batch": the prefix of the config and script names.</param>
public sealed record SlurmLayout(string Base, int Shards, string Kind = "hunt")
{
    /// <summary>Folder of shard k.</summary>
    public string Shard(int k) => Path.Combine(Base, "shards", string.Create(CultureInfo.InvariantCulture, $"shard-{k}-of-{Shards}"));

    /// <summary>Folder of the merged results.</summary>
    public string Merged => Path.Combine(Base, "merged");

    /// <summary>Folder of the Slurm files.</summary>
    public string SlurmFolder => Path.Combine(Base, "slurm");

    /// <summary>The config every task reads (frozen at submission, so later edits of the user's file change nothing).</summary>
    public string Config => Path.Combine(SlurmFolder, $"{Kind}-config.json");

    /// <summary>The array job's script.</summary>
    public string ArrayScript => Path.Combine(SlurmFolder, $"{Kind}-array.sbatch");

    /// <summary>The merge job's script.</summary>
    public string MergeScript => Path.Combine(SlurmFolder, $"{Kind}-merge.sbatch");

    /// <summary>Folder of the tasks' stdout/stderr.</summary>
    public string Logs => Path.Combine(SlurmFolder, "logs");

    /// <summary>One JSON line per submission (job ids, tasks), appended.</summary>
    public string Submissions => Path.Combine(SlurmFolder, "submissions.jsonl");
}

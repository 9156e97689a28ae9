using System.Globalization;
using System.Text;

namespace ResidualSheaf.Runner.Slurm;

/// <summary>The sbatch scripts of a hunt or batch: the job array (one shard per task) and the merge job that runs after it.</summary>
public static class SlurmScripts
{
    /// <summary>The array job: task k resumes shard k of N in its own folder with one worker thread per CPU.</summary>
    public static string Array(SlurmRun run, SlurmSettings s, SlurmLayout layout, IReadOnlyList<int> tasks, string runner)
    {
        var b = Header(run, $"{run.Kind.Name}-{run.Name}", s, s.CpusPerTask, Path.Combine(layout.Logs, "task-%A_%a.out"));
        b.Append(Inv($"#SBATCH --array={Ranges(tasks)}\n"));
        b.Append("#SBATCH --open-mode=append\n");
        b.Append(Inv($$"""
            set -euo pipefail
            # N is fixed, not SLURM_ARRAY_TASK_COUNT: a re-submission's array holds only the shards still incomplete.
            N={{layout.Shards}}
            k="${SLURM_ARRAY_TASK_ID:?this script is meant to run as a Slurm array task}"
            # --resume: a task re-run after a cancel, a time limit or a node failure keeps its finished {{run.ItemNoun}} (the folder is made
            # here, so the first run resumes an empty folder, i.e. starts the shard).
            mkdir -p {{Quote(Path.Combine(layout.Base, "shards"))}}"/shard-$k-of-$N"
            exec {{runner}} {{(run.RunCommand.Length > 0 ? run.RunCommand + " " : "")}}--config {{Quote(layout.Config)}} --shard "$k/$N" --resume \
              --threads "${SLURM_CPUS_PER_TASK:-1}" --out {{Quote(Path.Combine(layout.Base, "shards"))}}"/shard-$k-of-$N"

            """));
        return b.ToString();
    }

    /// <summary>The merge job: merges every shard into a temporary folder and renames it to <c>merged</c> when done.</summary>
    public static string Merge(SlurmRun run, SlurmSettings s, SlurmLayout layout, string runner)
    {
        var b = Header(run, $"{run.Kind.Name}-{run.Name}-merge", s, 1, Path.Combine(layout.Logs, "merge-%j.out"));
        string shards = string.Join(" \\\n  ", Enumerable.Range(0, layout.Shards).Select(k => Quote(layout.Shard(k))));
        b.Append(Inv($$"""
            set -euo pipefail
            # Merged into a fresh folder and renamed at the end, so 'merged' only ever holds a finished merge.
            tmp={{Quote(layout.Merged)}}".tmp-$SLURM_JOB_ID"
            rm -rf "$tmp"
            {{runner}} {{run.MergeCommand}} --out "$tmp" \
              {{shards}}
            mv -T "$tmp" {{Quote(layout.Merged)}}

            """));
        return b.ToString();
    }

    private static StringBuilder Header(SlurmRun run, string jobName, SlurmSettings s, int cpus, string output)
    {
        var b = new StringBuilder("#!/bin/bash\n");
        b.Append(Inv($"# Written by `{run.Submitter}`; submitted by it. Edit the {run.Kind.Name} config, not this file.\n"));
        b.Append(Inv($"#SBATCH --job-name={jobName}\n"));
        b.Append(Inv($"#SBATCH --cpus-per-task={cpus}\n"));
        b.Append(Inv($"#SBATCH --time={s.Time}\n"));
        if (s.Memory is not null) b.Append(Inv($"#SBATCH --mem={s.Memory}\n"));
        if (s.Partition is not null) b.Append(Inv($"#SBATCH --partition={s.Partition}\n"));
        if (s.Account is not null) b.Append(Inv($"#SBATCH --account={s.Account}\n"));
        b.Append(Inv($"#SBATCH --output={output}\n"));
        return b;
    }

    /// <summary>Task ids in sbatch's --array syntax: runs of consecutive ids as ranges ("0-3", "1,4-6").</summary>
    public static string Ranges(IReadOnlyList<int> ids)
    {
        var parts = new List<string>();
        for (int i = 0; i < ids.Count;)
        {
            int j = i;
            while (j + 1 < ids.Count && ids[j + 1] == ids[j] + 1) j++;
            parts.Add(j == i ? Inv($"{ids[i]}") : Inv($"{ids[i]}-{ids[j]}"));
            i = j + 1;
        }
        return string.Join(",", parts);
    }

    /// <summary>A word quoted for bash.</summary>
    public static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

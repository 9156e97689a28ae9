using System.Text.Json.Nodes;
using ResidualSheaf.Runner.Config;

namespace ResidualSheaf.Runner.Slurm;

/// <summary>
/// How a hunt is laid out as a Slurm job array: the hunt config's optional <c>slurm</c> section, overridden by command-line flags.
/// None of it changes a case's numbers, so it is left out of the hunt's fingerprint.
/// </summary>
public sealed record SlurmSettings
{
    /// <summary>Number of array tasks, i.e. shards (the hunt is split as i mod N).</summary>
    public int Tasks { get; init; } = 4;

    /// <summary>CPUs per array task; each task runs that many worker threads.</summary>
    public int CpusPerTask { get; init; } = 1;

    /// <summary>Time limit per task, in any format sbatch accepts (e.g. "02:00:00", "1-00:00:00").</summary>
    public string Time { get; init; } = "01:00:00";

    /// <summary>Memory per task ("4G"), or null for the partition's default.</summary>
    public string? Memory { get; init; }

    /// <summary>Partition, or null for the cluster's default.</summary>
    public string? Partition { get; init; }

    /// <summary>Account to charge, or null for the user's default.</summary>
    public string? Account { get; init; }

    /// <summary>Command that starts the runner on a compute node, or null for the runner that submits (same path, same dotnet).</summary>
    public string? Runner { get; init; }

    /// <summary>Reads the <c>slurm</c> section of a hunt config (null when absent).</summary>
    public static SlurmSettings? Parse(JsonFields? f)
    {
        if (f is null) return null;
        f.ExpectOnly("tasks", "cpus_per_task", "time", "memory", "partition", "account", "runner");
        var d = new SlurmSettings();
        var s = new SlurmSettings
        {
            Tasks = (int)f.Integer("tasks", d.Tasks, 1, 1_000_000),
            CpusPerTask = (int)f.Integer("cpus_per_task", d.CpusPerTask, 1, 4096),
            Time = Word(f, "time", d.Time)!,
            Memory = Word(f, "memory", null),
            Partition = Word(f, "partition", null),
            Account = Word(f, "account", null),
            Runner = f.Has("runner") ? f.String("runner") : null,
        };
        f.RejectUnknown();
        if (s.Runner is { } r && (r.Trim().Length == 0 || r.Contains('\n')))
            throw new ConfigException($"{f.Path}.runner", "must be a non-empty command on one line");
        return s;
    }

    private static string? Word(JsonFields f, string name, string? dflt)
    {
        if (!f.Has(name)) return dflt;
        string v = f.String(name);
        Check(v, $"{f.Path}.{name}");
        return v;
    }

    /// <summary>Throws unless <paramref name="value"/> is one non-empty word, as an <c>#SBATCH</c> line needs.</summary>
    public static void Check(string value, string field)
    {
        if (value.Length == 0 || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '"' or '\'' or '`' or '$' or '\\'))
            throw new ConfigException(field, $"'{value}' must be one word without spaces, quotes, '$', '`' or '\\'");
    }

    /// <summary>As JSON (the hunt config's <c>slurm</c> section, defaults filled in).</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject { ["tasks"] = Tasks, ["cpus_per_task"] = CpusPerTask, ["time"] = Time };
        if (Memory is not null) o["memory"] = Memory;
        if (Partition is not null) o["partition"] = Partition;
        if (Account is not null) o["account"] = Account;
        if (Runner is not null) o["runner"] = Runner;
        return o;
    }
}

using System.Diagnostics;
using System.Globalization;

namespace ResidualSheaf.Runner.Slurm;

/// <summary>A Slurm command failed or is missing; the message names the command and quotes what it said.</summary>
public sealed class SlurmException(string message) : Exception(message);

/// <summary>The Slurm client commands the runner uses (sbatch, squeue, scontrol, scancel), found on PATH.</summary>
public sealed class SlurmClient
{
    private readonly Dictionary<string, string> _tools;

    private SlurmClient(Dictionary<string, string> tools) => _tools = tools;

    /// <summary>The client commands found on PATH; throws naming the first one missing.</summary>
    public static SlurmClient FromPath()
    {
        var tools = new Dictionary<string, string>();
        string[] dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (string tool in new[] { "sbatch", "squeue", "scontrol", "scancel" })
        {
            string? found = dirs.Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);
            tools[tool] = found ?? throw new SlurmException(
                $"Slurm's '{tool}' is not on PATH ({(dirs.Length == 0 ? "PATH is empty" : string.Join(Path.PathSeparator, dirs))}): "
                + "run on a Slurm login node (or load its module), or use --dry-run to print the scripts");
        }
        return new SlurmClient(tools);
    }

    /// <summary>Runs a client command; returns its exit code, stdout and stderr.</summary>
    public (int Code, string Out, string Err) Run(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(_tools[tool], args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi) ?? throw new SlurmException($"could not start {_tools[tool]}");
        var err = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Trim(), err.Result.Trim());
    }

    /// <summary>Submits a batch script with <c>sbatch --parsable</c> and returns the job id; throws with sbatch's own message if refused.</summary>
    public long Submit(string what, string script, params string[] options)
    {
        var (code, stdout, stderr) = Run("sbatch", [.. options, "--parsable", script]);
        // --parsable prints "jobid" or "jobid;cluster".
        string first = stdout.Split('\n').LastOrDefault()?.Split(';')[0].Trim() ?? "";
        if (code != 0 || !long.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out long id))
            throw new SlurmException($"sbatch refused the {what}: {(stderr.Length > 0 ? stderr : stdout)} (exit code {code})");
        return id;
    }

    /// <summary>Releases a held job (every task of an array).</summary>
    public void Release(long job)
    {
        var (code, _, err) = Run("scontrol", "release", job.ToString(CultureInfo.InvariantCulture));
        if (code != 0) throw new SlurmException($"scontrol release {job} failed: {err} (exit code {code})");
    }

    /// <summary>Cancels a job (every task of an array); best effort, used to undo a half-made submission.</summary>
    public void Cancel(long job) => Run("scancel", job.ToString(CultureInfo.InvariantCulture));

    /// <summary>Ids of the jobs in the queue (pending or running), array tasks reported under their array's id.</summary>
    public HashSet<long> Queued()
    {
        var (code, stdout, err) = Run("squeue", "--noheader", "--format=%F");
        if (code != 0) throw new SlurmException($"squeue failed: {err} (exit code {code})");
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out long id) ? id : -1)
            .Where(id => id >= 0).ToHashSet();
    }
}

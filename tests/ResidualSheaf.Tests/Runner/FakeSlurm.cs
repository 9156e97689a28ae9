namespace ResidualSheaf.Tests.Runner;

/// <summary>
/// Stand-in Slurm commands (sbatch, squeue, scontrol, scancel) in a folder put first on PATH: each logs its arguments; sbatch
/// answers job id 41 and, with <c>refuseMerge</c>, refuses the merge job (whose dependency it cannot satisfy), as a real sbatch
/// refuses a bad account or QOS on one of the two.
/// </summary>
internal sealed class FakeSlurm
{
    private readonly string _bin;

    /// <summary>Writes the commands into <c>dir/fake-slurm</c>; their calls go to <see cref="Log"/>.</summary>
    public FakeSlurm(string dir, bool refuseMerge)
    {
        _bin = Path.Combine(dir, "fake-slurm");
        Log = Path.Combine(dir, "calls.log");
        Directory.CreateDirectory(_bin);
        Tool("sbatch", (refuseMerge ? "case \"$*\" in *--dependency*) echo 'sbatch: error: Invalid account or account/partition combination specified' >&2; exit 1;; esac\n" : "") + "echo 41");
        Tool("squeue", "exit 0");
        Tool("scontrol", "exit 0");
        Tool("scancel", "exit 0");
    }

    /// <summary>The file the commands append their calls to, one line each ("sbatch --hold …").</summary>
    public string Log { get; }

    /// <summary>Replaces one command's behaviour (after the logging line).</summary>
    public void Tool(string name, string body)
    {
        string path = Path.Combine(_bin, name);
        File.WriteAllText(path, $"#!/bin/sh\necho \"{name} $*\" >> '{Log}'\n{body}\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>Runs <paramref name="run"/> with the stand-ins first on PATH.</summary>
    public T With<T>(Func<T> run)
    {
        string oldPath = Environment.GetEnvironmentVariable("PATH") ?? "";
        Environment.SetEnvironmentVariable("PATH", _bin + Path.PathSeparator + oldPath);
        try
        {
            return run();
        }
        finally
        {
            Environment.SetEnvironmentVariable("PATH", oldPath);
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace ResidualSheaf.Runner.Output;

/// <summary>
/// An exclusive lock on a folder a command writes into (a hunt folder, a merge folder): the hidden file <c>.runner.lock</c>
/// is held open with an exclusive OS lock (flock on Linux) for as long as the command runs, so a second command on the same
/// folder is refused and told who holds it. The OS drops the lock when the holder exits, however it exits (kill -9
/// included), so a stale lock never blocks a resume. Who holds it (pid, host, start time, command) is written next to it in
/// <c>.runner.lock.holder</c>, which stays readable while the lock is held.
/// </summary>
public sealed class RunFolderLock : IDisposable
{
    /// <summary>Name of the lock file inside the locked folder.</summary>
    public const string LockFileName = ".runner.lock";

    /// <summary>Name of the file that describes the holder, next to the lock file.</summary>
    public const string HolderFileName = ".runner.lock.holder";

    private readonly FileStream _stream;

    private RunFolderLock(string folder, FileStream stream)
    {
        Folder = folder;
        _stream = stream;
    }

    /// <summary>The locked folder.</summary>
    public string Folder { get; }

    /// <summary>
    /// Takes the folder's lock (the folder must exist), or throws <see cref="FolderInUseException"/> naming the holder when
    /// another process (or another command in this process) holds it.
    /// </summary>
    public static RunFolderLock Acquire(string folder)
    {
        string path = Path.Combine(folder, LockFileName);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException) when (File.Exists(path))
        {
            throw new FolderInUseException(folder, ReadHolder(Path.Combine(folder, HolderFileName)));
        }
        File.WriteAllText(Path.Combine(folder, HolderFileName), Holder.Describe().ToJsonString() + "\n");
        return new RunFolderLock(folder, stream);
    }

    /// <summary>
    /// Creates <paramref name="folder"/> if needed and takes its lock; null when another run holds it, with
    /// <paramref name="error"/> naming the holder (what every command that writes a run folder reports).
    /// </summary>
    public static RunFolderLock? TryCreateAndAcquire(string folder, out string error)
    {
        error = "";
        Directory.CreateDirectory(folder);
        try
        {
            return Acquire(folder);
        }
        catch (FolderInUseException e)
        {
            error = e.Message;
            return null;
        }
    }

    private static string ReadHolder(string path)
    {
        try
        {
            return Holder.Text(JsonNode.Parse(File.ReadAllText(path)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            return "another process (its description could not be read)";
        }
    }

    /// <summary>Releases the lock (the holder file is left; it is rewritten by the next holder).</summary>
    public void Dispose() => _stream.Dispose();
}

/// <summary>A folder another run holds: the message names the holder.</summary>
public sealed class FolderInUseException : IOException
{
    /// <summary>Creates the exception for <paramref name="folder"/>, held by <paramref name="holder"/>.</summary>
    public FolderInUseException(string folder, string holder)
        : base($"'{folder}' is in use by another run: {holder}. Wait for it to finish, stop it, or choose another folder")
    {
        Folder = folder;
        HolderDescription = holder;
    }

    /// <summary>The folder.</summary>
    public string Folder { get; }

    /// <summary>Who holds it (pid, host, start time, command).</summary>
    public string HolderDescription { get; }
}

/// <summary>Describes this process as the holder of a folder or claim: pid, host, start time (UTC), command line.</summary>
public static class Holder
{
    private static readonly DateTime Started = DateTime.UtcNow;

    /// <summary>This process as JSON.</summary>
    public static JsonObject Describe() => new()
    {
        ["pid"] = Environment.ProcessId,
        ["host"] = Environment.MachineName,
        ["started_utc"] = StartTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        ["command"] = string.Join(" ", Environment.GetCommandLineArgs().Skip(1)),
    };

    /// <summary>A holder description as one line: "pid 123 on host h, started 2026-01-01T10:00:00Z (runner hunt …)".</summary>
    public static string Text(JsonNode? n) => Text(n, markGone: true);

    /// <summary>As <see cref="Text(JsonNode?)"/>; with <paramref name="markGone"/> false a gone process is not marked (the caller says it).</summary>
    public static string Text(JsonNode? n, bool markGone)
    {
        if (n is null) return "another process";
        string pid = n["pid"]?.ToString() ?? "?", host = n["host"]?.ToString() ?? "?";
        string text = $"pid {pid} on host {host}, started {n["started_utc"]} ({n["command"]})";
        // A holder on this machine whose process is gone left a stale claim behind (lock files never go stale: the OS drops them).
        if (markGone && IsGone(n)) text += " — that process is no longer running";
        return text;
    }

    /// <summary>Whether <paramref name="n"/> describes a process of this host that is no longer running (a stale claim).</summary>
    public static bool IsGone(JsonNode? n) =>
        n is not null && n["host"]?.ToString() == Environment.MachineName &&
        int.TryParse(n["pid"]?.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out int p) && !IsRunning(p);

    private static DateTime StartTime()
    {
        try
        {
            return Process.GetCurrentProcess().StartTime.ToUniversalTime();
        }
        catch (InvalidOperationException)
        {
            return Started;
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}

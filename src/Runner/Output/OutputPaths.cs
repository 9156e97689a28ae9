namespace ResidualSheaf.Runner.Output;

/// <summary>Checks on output paths made before any work starts, so a bad path is a message (exit 2), not a failure at the end.</summary>
public static class OutputPaths
{
    /// <summary>
    /// Throws <see cref="IOException"/> naming <paramref name="field"/> when <paramref name="folder"/> is an existing regular
    /// file or lies under one (it could never be created).
    /// </summary>
    public static void CheckFolder(string folder, string field)
    {
        string full = Path.GetFullPath(folder);
        if (File.Exists(full)) throw new IOException($"{field}: '{full}' is a file, not a folder");
        for (string? p = Path.GetDirectoryName(full); p is not null; p = Path.GetDirectoryName(p))
        {
            if (File.Exists(p)) throw new IOException($"{field}: '{full}' cannot be created: '{p}' is a regular file, not a folder");
            if (Directory.Exists(p)) return;
        }
    }
}

namespace ResidualSheaf.Runner.Output;

/// <summary>
/// A run's output folder. Files are written into a hidden ".partial" folder that is renamed into place only when the run
/// finishes, so a complete-looking folder is always complete; a run that fails is removed, a killed one keeps its partial files.
/// </summary>
public sealed class RunDirectory
{
    private RunDirectory(string partial, string final)
    {
        PartialPath = partial;
        FinalPath = final;
    }

    /// <summary>The folder being written.</summary>
    public string PartialPath { get; }

    /// <summary>Where the folder ends up when the run succeeds.</summary>
    public string FinalPath { get; }

    /// <summary>Path of a file inside the (partial) folder.</summary>
    public string File(string name) => Path.Combine(PartialPath, name);

    /// <summary>Creates outputs/&lt;name&gt;-&lt;UTC timestamp&gt; (with a numeric suffix if taken), or the explicit folder if given.</summary>
    public static RunDirectory Create(string root, string name, string? explicitFolder = null)
    {
        string final;
        if (explicitFolder is not null)
        {
            final = Path.GetFullPath(explicitFolder);
            if (Directory.Exists(final) && Directory.EnumerateFileSystemEntries(final).Any())
                throw new IOException($"output folder '{final}' exists and is not empty; choose another --out");
        }
        else
        {
            string stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture);
            final = Path.Combine(root, $"{name}-{stamp}");
            for (int k = 2; Directory.Exists(final); k++) final = Path.Combine(root, $"{name}-{stamp}-{k}");
        }
        string parent = Path.GetDirectoryName(final)!;
        Directory.CreateDirectory(parent);
        string partial = Path.Combine(parent, "." + Path.GetFileName(final) + ".partial");
        if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        Directory.CreateDirectory(partial);
        return new RunDirectory(partial, final);
    }

    /// <summary>Moves the finished folder into place.</summary>
    public void Commit()
    {
        if (Directory.Exists(FinalPath)) Directory.Delete(FinalPath); // only an empty explicit folder can be here
        Directory.Move(PartialPath, FinalPath);
    }

    /// <summary>Removes the partial folder of a failed run.</summary>
    public void Abandon()
    {
        if (Directory.Exists(PartialPath)) Directory.Delete(PartialPath, recursive: true);
    }
}

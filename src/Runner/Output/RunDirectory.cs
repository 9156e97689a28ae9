using System.Globalization;

namespace ResidualSheaf.Runner.Output;

/// <summary>
/// A run's output folder. Files are written into a hidden ".partial" folder that is renamed into place only when the run
/// finishes, so a complete-looking folder is always complete; a run that fails is removed, a killed one keeps its partial files.
/// </summary>
/// <remarks>
/// Run folders are never shared. Before it creates anything a run claims its folder name with a claim file
/// <c>.&lt;folder&gt;.claim</c> in the parent, created atomically (it fails if the file exists): the run that creates it owns
/// the name until it has renamed its partial folder into place, and every other run started with the same name in the same
/// second takes the next suffix (<c>-2</c>, <c>-3</c>, …). A run only ever deletes folders and files it created itself.
/// </remarks>
public sealed class RunDirectory
{
    private readonly string _claim;
    private readonly bool _finalExisted;
    private bool _released;

    private RunDirectory(string partial, string final, string claim, bool finalExisted)
    {
        PartialPath = partial;
        FinalPath = final;
        _claim = claim;
        _finalExisted = finalExisted;
    }

    /// <summary>The folder being written.</summary>
    public string PartialPath { get; }

    /// <summary>Where the folder ends up when the run succeeds.</summary>
    public string FinalPath { get; }

    /// <summary>Path of a file inside the (partial) folder.</summary>
    public string File(string name) => Path.Combine(PartialPath, name);

    /// <summary>
    /// Creates and claims <c>&lt;root&gt;/&lt;name&gt;-&lt;UTC timestamp&gt;</c> (with a numeric suffix if that name is taken or
    /// claimed by another run), or the explicit folder if given (which must be new or empty and not claimed by another run).
    /// </summary>
    /// <exception cref="IOException">The explicit folder is a file, not empty, or in use; or the folder cannot be created.</exception>
    public static RunDirectory Create(string root, string name, string? explicitFolder = null)
    {
        if (explicitFolder is not null)
        {
            string final = Path.GetFullPath(explicitFolder);
            OutputPaths.CheckFolder(final, "--out");
            string parent = Path.GetDirectoryName(final)!;
            Directory.CreateDirectory(parent);
            string leaf = Path.GetFileName(final);
            string claim = ClaimPath(parent, leaf), partial = PartialOf(parent, leaf);
            if (!TryClaim(claim))
            {
                var holder = ReadClaim(claim);
                // A claim whose run was killed (kill -9, a machine that went down) never goes away by itself: say so and how to clear it.
                if (Holder.IsGone(holder))
                    throw new IOException($"'{final}' was claimed by a run that is no longer running ({Holder.Text(holder, markGone: false)}): " +
                                          $"it was killed before it finished{(Directory.Exists(partial) ? $", and its files are in '{partial}'" : "")}. " +
                                          $"Remove '{claim}' to use this --out again, or choose another --out");
                throw new FolderInUseException(final, (holder is null ? "another run" : Holder.Text(holder)) + $" (claim file '{claim}')");
            }
            try
            {
                if (Directory.Exists(final) && Directory.EnumerateFileSystemEntries(final).Any())
                    throw new IOException($"output folder '{final}' exists and is not empty; choose another --out");
                if (Directory.Exists(partial))
                    throw new IOException($"'{partial}' is left over from an earlier run into '{final}' that was killed; " +
                                          "remove it (or keep it) and choose another --out");
                bool existed = Directory.Exists(final);
                Directory.CreateDirectory(partial);
                return new RunDirectory(partial, final, claim, existed);
            }
            catch
            {
                System.IO.File.Delete(claim);
                throw;
            }
        }
        OutputPaths.CheckFolder(root, "output_root");
        Directory.CreateDirectory(root);
        string stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        for (int k = 1; ; k++)
        {
            string leaf = k == 1 ? $"{name}-{stamp}" : $"{name}-{stamp}-{k}";
            string final = Path.Combine(root, leaf), claim = ClaimPath(root, leaf), partial = PartialOf(root, leaf);
            if (Taken(final, partial) || !TryClaim(claim)) continue;
            // Checked again under the claim: a run that held it a moment ago may just have renamed its folder into place.
            if (Taken(final, partial))
            {
                System.IO.File.Delete(claim);
                continue;
            }
            Directory.CreateDirectory(partial);
            return new RunDirectory(partial, final, claim, finalExisted: false);
        }
    }

    private static bool Taken(string final, string partial) =>
        Directory.Exists(final) || System.IO.File.Exists(final) || Directory.Exists(partial) || System.IO.File.Exists(partial);

    private static string ClaimPath(string parent, string leaf) => Path.Combine(parent, "." + leaf + ".claim");

    private static string PartialOf(string parent, string leaf) => Path.Combine(parent, "." + leaf + ".partial");

    /// <summary>Creates the claim file atomically (fails if it exists) and writes who holds it.</summary>
    private static bool TryClaim(string claim)
    {
        try
        {
            using var s = new FileStream(claim, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
            using var w = new StreamWriter(s);
            w.Write(Holder.Describe().ToJsonString() + "\n");
            return true;
        }
        catch (IOException) when (System.IO.File.Exists(claim))
        {
            return false;
        }
    }

    /// <summary>Who holds <paramref name="claim"/> (as written by <see cref="TryClaim"/>), or null when it cannot be read.</summary>
    private static System.Text.Json.Nodes.JsonNode? ReadClaim(string claim)
    {
        try
        {
            return System.Text.Json.Nodes.JsonNode.Parse(System.IO.File.ReadAllText(claim));
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>Moves the finished folder into place and releases the name.</summary>
    public void Commit()
    {
        if (_finalExisted)
        {
            // An explicit, empty --out folder made by the user: fill it rather than replace it.
            foreach (string entry in Directory.EnumerateFileSystemEntries(PartialPath))
            {
                string to = Path.Combine(FinalPath, Path.GetFileName(entry));
                if (Directory.Exists(entry)) Directory.Move(entry, to);
                else System.IO.File.Move(entry, to);
            }
            Directory.Delete(PartialPath);
        }
        else Directory.Move(PartialPath, FinalPath);
        Release();
    }

    /// <summary>Removes the partial folder of a failed run (this run created it) and releases the name.</summary>
    public void Abandon()
    {
        if (Directory.Exists(PartialPath)) Directory.Delete(PartialPath, recursive: true);
        Release();
    }

    /// <summary>Releases the name and leaves the partial folder where it is (a cancelled run that keeps its partial files).</summary>
    public void Release()
    {
        if (_released) return;
        _released = true;
        System.IO.File.Delete(_claim);
    }
}

using System.Text.Json.Nodes;
using ResidualSheaf.Runner.Output;
using ResidualSheaf.Runner.Sharding;

namespace ResidualSheaf.Runner.TrainSweep;

/// <summary>
/// A sweep folder: <c>sweep.json</c> (name, fingerprint, points, shard: what resume and merge check) and <c>sweep.config.json</c>
/// (the resolved train config with its sweep section: itself a valid sweep config, which merge reads back).
/// </summary>
public static class SweepFolder
{
    /// <summary>Why <paramref name="folder"/> cannot take this run (null when it can): a file, not empty without --resume, another sweep.</summary>
    public static string? Check(string folder, string field, bool resume, SweepConfig sweep, Shard shard)
    {
        if (File.Exists(folder)) return $"{field}: '{folder}' is a file, not a folder";
        try
        {
            OutputPaths.CheckFolder(folder, field);
        }
        catch (IOException e)
        {
            return e.Message;
        }
        string rows = Path.Combine(folder, SweepCommand.RowsFile), manifest = Path.Combine(folder, SweepCommand.ManifestFile);
        // As for batches and hunts, --resume of an existing folder without a sweep in it yet starts the sweep there: a Slurm array
        // task makes its folder and always resumes, and a task killed before its first row must be able to start again.
        if (resume && !Directory.Exists(folder)) return $"--resume: there is no sweep folder '{folder}' to resume; leave out --resume to start the sweep";
        if (resume && !File.Exists(manifest) && Directory.EnumerateFileSystemEntries(folder)
                .Any(e => Path.GetFileName(e) is not (RunFolderLock.LockFileName or RunFolderLock.HolderFileName)))
            return $"--resume: '{folder}' holds no {SweepCommand.ManifestFile} but is not empty, so it is not a sweep folder; choose another folder";
        if (!resume && Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
            return $"{field}: '{folder}' is not empty{(File.Exists(rows) ? " (it holds a sweep: pass --resume to continue it)" : "")}; choose another folder";
        if (!resume || !File.Exists(manifest)) return null;
        var m = File.Exists(manifest) ? JsonNode.Parse(File.ReadAllText(manifest)) : null;
        if (m?["fingerprint"]?.GetValue<string>() != sweep.Fingerprint)
            return $"--resume: '{folder}' was started from a different sweep config (fingerprint {m?["fingerprint"]}, this config {sweep.Fingerprint})";
        return Shard.FromJson(m!["shard"]) != shard ? $"--resume: '{folder}' holds shard {Shard.FromJson(m["shard"])}, not {shard}" : null;
    }

    /// <summary>Writes sweep.json and sweep.config.json.</summary>
    public static void WriteManifest(string folder, SweepConfig sweep, Shard shard, JsonArray? mergedFrom = null)
    {
        var m = new JsonObject
        {
            ["name"] = sweep.Base.Name,
            ["fingerprint"] = sweep.Fingerprint,
            ["points"] = sweep.Points,
            ["shard"] = shard.ToJson(),
        };
        if (mergedFrom is not null) m["merged_from"] = mergedFrom;
        JsonFile.Write(Path.Combine(folder, SweepCommand.ManifestFile), m);
        JsonFile.Write(Path.Combine(folder, SweepCommand.ConfigFile), sweep.ToJson());
    }
}

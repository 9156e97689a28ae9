using System.Text.Json;

namespace ResidualSheaf.Runner.Config;

/// <summary>
/// Which command a config file is written for, from its top-level keys: hunts and train sweeps are read by commands of their
/// own (<c>runner hunt</c>, <c>runner train-sweep</c>), so <c>runner validate</c> hands them there and a plain run names the
/// command instead of rejecting their keys one by one.
/// </summary>
internal static class ConfigKind
{
    /// <summary>"hunt", "train-sweep", or null (a run config, or a file that cannot be read as a JSON object: the run's own loader reports that).</summary>
    public static string? Detect(string path)
    {
        try
        {
            using var doc = JsonFields.ParseFile(path);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return null;
            var root = doc.RootElement;
            if (root.TryGetProperty("sweep", out _)) return "train-sweep";
            // A hunt has no job: it draws its own networks and cases.
            if (!root.TryGetProperty("job", out _) && (root.TryGetProperty("cases", out _) || root.TryGetProperty("master_seed", out _))) return "hunt";
            return null;
        }
        catch (Exception e) when (e is ConfigException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The config path after <c>--config</c> in <paramref name="args"/>, or null.</summary>
    public static string? ConfigArgument(string[] args)
    {
        int i = Array.IndexOf(args, "--config");
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}

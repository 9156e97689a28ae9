using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace ResidualSheaf.Runner;

/// <summary>
/// What produced an output: product version, git commit of the build (and whether its tree had uncommitted changes), .NET and
/// TorchSharp versions, and the machine. Recorded in every summary.json / report.json and printed by <c>runner --version</c>.
/// </summary>
public static class Provenance
{
    private static readonly Assembly Self = typeof(Provenance).Assembly;

    /// <summary>The product version (informational version without the build-metadata suffix).</summary>
    public static string Version
    {
        get
        {
            string v = Self.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            int plus = v.IndexOf('+', StringComparison.Ordinal);
            return plus < 0 ? v : v[..plus];
        }
    }

    /// <summary>The git commit the runner was built from ("unknown" when built without git).</summary>
    public static string Commit => Metadata("GitCommit") ?? "unknown";

    /// <summary>Whether the tree had uncommitted changes to tracked files when it was built (null when unknown).</summary>
    public static bool? Dirty => Metadata("GitDirty") switch
    {
        "true" => true,
        "false" => false,
        _ => null,
    };

    /// <summary>TorchSharp's version.</summary>
    public static string TorchSharpVersion
    {
        get
        {
            var a = typeof(TorchSharp.torch).Assembly;
            string? v = a.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
            if (v is null) return a.GetName().Version?.ToString() ?? "unknown";
            int plus = v.IndexOf('+', StringComparison.Ordinal);
            return plus < 0 ? v : v[..plus];
        }
    }

    private static string? Metadata(string key) =>
        Self.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;

    /// <summary>One line for <c>runner --version</c>.</summary>
    public static string Line() =>
        $"runner (ResidualSheaf) {Version}, commit {Commit}{(Dirty == true ? " (dirty: built with uncommitted changes)" : "")}, " +
        $"{RuntimeInformation.FrameworkDescription}, TorchSharp {TorchSharpVersion}, {RuntimeInformation.OSDescription} {RuntimeInformation.OSArchitecture}";

    /// <summary>The provenance object written into summaries and reports.</summary>
    public static JsonObject Json() => new()
    {
        ["product"] = "ResidualSheaf runner",
        ["version"] = Version,
        ["git_commit"] = Commit,
        ["git_dirty"] = Dirty,
        ["dotnet"] = RuntimeInformation.FrameworkDescription,
        ["torchsharp"] = TorchSharpVersion,
        ["machine"] = new JsonObject
        {
            ["host"] = Environment.MachineName,
            ["os"] = RuntimeInformation.OSDescription,
            ["architecture"] = RuntimeInformation.OSArchitecture.ToString(),
            ["processors"] = Environment.ProcessorCount,
            ["memory_available_bytes"] = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
        },
        ["command"] = string.Join(" ", Environment.GetCommandLineArgs().Skip(1)),
        ["started_utc"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
    };
}

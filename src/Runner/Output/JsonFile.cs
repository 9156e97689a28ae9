using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ResidualSheaf.Runner.Output;

/// <summary>Writes JSON reports (indented, UTF-8, non-finite numbers as strings).</summary>
public static class JsonFile
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes the node to a file.</summary>
    public static void Write(string path, JsonNode node) => File.WriteAllText(path, node.ToJsonString(Options) + "\n");

    /// <summary>A stats object as JSON (null fields for an empty sample).</summary>
    public static JsonObject Stats(Stats s) => new()
    {
        ["count"] = s.Count,
        ["min"] = Num(s.Min),
        ["median"] = Num(s.Median),
        ["max"] = Num(s.Max),
    };

    /// <summary>Numbers as a JSON array (non-finite entries as null).</summary>
    public static JsonArray Array(IEnumerable<double> values) => new(values.Select(Num).ToArray());

    /// <summary>A finite number, or null for NaN/±∞ (JSON has no such numbers).</summary>
    public static JsonNode? Num(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;
}

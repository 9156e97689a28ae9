using System.Text.Json;

namespace ResidualSheaf.Runner.Config;

/// <summary>
/// Strict reading of one JSON object: typed getters that name the field on error, and a final check that no key was left
/// unread, so misspelt keys are errors instead of silently ignored settings.
/// </summary>
public sealed class JsonFields
{
    private readonly JsonElement _obj;
    private readonly HashSet<string> _read = [];

    /// <summary>Wraps an object found at <paramref name="path"/> ("" for the root).</summary>
    public JsonFields(JsonElement element, string path)
    {
        Path = path;
        if (element.ValueKind != JsonValueKind.Object) throw new ConfigException(path == "" ? "(root)" : path, $"expected an object, got {Kind(element)}");
        _obj = element;
    }

    /// <summary>The object's keys in file order (for maps whose keys are data, e.g. weights.names).</summary>
    public IReadOnlyList<string> Keys() => _obj.EnumerateObject().Select(p => p.Name).ToArray();

    /// <summary>Dotted path of this object.</summary>
    public string Path { get; }

    private string Field(string name) => Path == "" ? name : $"{Path}.{name}";

    private bool TryGet(string name, out JsonElement value)
    {
        _read.Add(name);
        if (_obj.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null) return true;
        return false;
    }

    /// <summary>Parses a JSON config file (comments allowed); a missing file or bad JSON is a <see cref="ConfigException"/>.</summary>
    public static JsonDocument ParseFile(string path)
    {
        if (Directory.Exists(path)) throw new ConfigException("--config", $"'{path}' is a directory, not a config file");
        if (!File.Exists(path)) throw new ConfigException("--config", $"config file '{path}' does not exist");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new ConfigException("(file)", $"'{path}' is not valid JSON: {e.Message}");
        }
        try
        {
            RejectDuplicateKeys(doc.RootElement, "");
        }
        catch
        {
            doc.Dispose();
            throw;
        }
        return doc;
    }

    /// <summary>
    /// Throws for a key that appears twice in one object: JSON parsers keep only one of them (which one differs), so a
    /// duplicate is almost always a mistake that would silently drop a setting.
    /// </summary>
    public static void RejectDuplicateKeys(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in element.EnumerateObject())
            {
                string field = path == "" ? p.Name : $"{path}.{p.Name}";
                if (!seen.Add(p.Name)) throw new ConfigException(field, "appears more than once in its object; keep one");
                RejectDuplicateKeys(p.Value, field);
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            int i = 0;
            foreach (var e in element.EnumerateArray()) RejectDuplicateKeys(e, $"{path}[{i++}]");
        }
    }

    /// <summary>
    /// The <c>output_root</c> field (default "outputs"), resolved against the working directory: it must not be empty and
    /// must not be, or lie under, a regular file.
    /// </summary>
    public static string OutputRoot(JsonFields f)
    {
        string raw = f.String("output_root", "outputs");
        if (raw.Trim().Length == 0) throw new ConfigException("output_root", "must not be empty (use \".\" for the working directory)");
        string full = System.IO.Path.GetFullPath(raw, Directory.GetCurrentDirectory());
        try
        {
            Output.OutputPaths.CheckFolder(full, "output_root");
        }
        catch (IOException e)
        {
            throw new ConfigException("output_root", e.Message["output_root: ".Length..]);
        }
        return full;
    }

    /// <summary>True if the key is present and holds an array.</summary>
    public bool IsArray(string name) => _obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array;

    /// <summary>True if the key is present (and not null).</summary>
    public bool Has(string name) => _obj.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    /// <summary>A string, or the default when absent (a required field has no default).</summary>
    public string String(string name, string? defaultValue = null)
    {
        if (!TryGet(name, out var v)) return defaultValue ?? throw new ConfigException(Field(name), "is required");
        if (v.ValueKind != JsonValueKind.String) throw new ConfigException(Field(name), $"expected a string, got {Kind(v)}");
        return v.GetString()!;
    }

    /// <summary>One of the allowed strings (case-sensitive).</summary>
    public string Choice(string name, string[] allowed, string? defaultValue = null)
    {
        string s = String(name, defaultValue);
        if (!allowed.Contains(s)) throw new ConfigException(Field(name), $"'{s}' is not one of: {string.Join(", ", allowed)}");
        return s;
    }

    /// <summary>An integer within [min, max].</summary>
    public long Integer(string name, long? defaultValue = null, long min = long.MinValue, long max = long.MaxValue)
    {
        if (!TryGet(name, out var v)) return defaultValue ?? throw new ConfigException(Field(name), "is required");
        return ToInteger(v, Field(name), min, max);
    }

    /// <summary>A finite number within [min, max].</summary>
    public double Number(string name, double? defaultValue = null, double min = double.MinValue, double max = double.MaxValue, bool exclusiveMin = false)
    {
        if (!TryGet(name, out var v)) return defaultValue ?? throw new ConfigException(Field(name), "is required");
        return ToNumber(v, Field(name), min, max, exclusiveMin);
    }

    /// <summary>A boolean.</summary>
    public bool Boolean(string name, bool? defaultValue = null)
    {
        if (!TryGet(name, out var v)) return defaultValue ?? throw new ConfigException(Field(name), "is required");
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new ConfigException(Field(name), $"expected true or false, got {Kind(v)}"),
        };
    }

    /// <summary>A nested object, or null when absent.</summary>
    public JsonFields? Object(string name) => TryGet(name, out var v) ? new JsonFields(v, Field(name)) : null;

    /// <summary>An array's elements with their paths, or null when absent.</summary>
    public IReadOnlyList<(JsonElement Element, string Path)>? Array(string name, int minLength = 0)
    {
        if (!TryGet(name, out var v)) return null;
        if (v.ValueKind != JsonValueKind.Array) throw new ConfigException(Field(name), $"expected an array, got {Kind(v)}");
        var list = v.EnumerateArray().Select((e, i) => (e, $"{Field(name)}[{i}]")).ToList();
        if (list.Count < minLength) throw new ConfigException(Field(name), $"needs at least {minLength} element(s), got {list.Count}");
        return list;
    }

    /// <summary>An array of numbers.</summary>
    public double[]? Numbers(string name, int minLength = 0, double min = double.MinValue, bool exclusiveMin = false) =>
        Array(name, minLength)?.Select(p => ToNumber(p.Element, p.Path, min, double.MaxValue, exclusiveMin)).ToArray();

    /// <summary>An array of integers.</summary>
    public long[]? Integers(string name, int minLength = 0, long min = long.MinValue, long max = long.MaxValue) =>
        Array(name, minLength)?.Select(p => ToInteger(p.Element, p.Path, min, max)).ToArray();

    /// <summary>Throws for the first key not in <paramref name="known"/>; call first, so a misspelt key is reported before a "required" error.</summary>
    public void ExpectOnly(params string[] known)
    {
        foreach (var p in _obj.EnumerateObject())
            if (!known.Contains(p.Name))
                throw new ConfigException(Field(p.Name), $"unknown key (known keys here: {string.Join(", ", known.Order(StringComparer.Ordinal))})");
    }

    /// <summary>Throws for the first key that no getter asked for.</summary>
    public void RejectUnknown()
    {
        foreach (var p in _obj.EnumerateObject())
            if (!_read.Contains(p.Name))
                throw new ConfigException(Field(p.Name), $"unknown key (known keys here: {string.Join(", ", _read.Order(StringComparer.Ordinal))})");
    }

    /// <summary>Reads an integer element.</summary>
    public static long ToInteger(JsonElement v, string field, long min, long max)
    {
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out long x))
            throw new ConfigException(field, $"expected an integer, got {Kind(v)} {Raw(v)}");
        if (x < min || x > max) throw new ConfigException(field, $"{x} is outside [{min}, {max}]");
        return x;
    }

    /// <summary>Reads a finite number element.</summary>
    public static double ToNumber(JsonElement v, string field, double min, double max, bool exclusiveMin)
    {
        if (v.ValueKind != JsonValueKind.Number) throw new ConfigException(field, $"expected a number, got {Kind(v)} {Raw(v)}");
        double x = v.GetDouble();
        if (!double.IsFinite(x)) throw new ConfigException(field, $"{Raw(v)} is not a finite number");
        if (x < min || x > max || (exclusiveMin && x == min))
            throw new ConfigException(field, $"{x} must be {(exclusiveMin ? ">" : "≥")} {min}{(max < double.MaxValue ? $" and ≤ {max}" : "")}");
        return x;
    }

    private static string Kind(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static string Raw(JsonElement v)
    {
        string s = v.GetRawText();
        return s.Length > 40 ? s[..40] + "…" : s;
    }
}

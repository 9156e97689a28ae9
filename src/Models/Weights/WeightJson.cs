using System.Text.Json;
using System.Text.Json.Nodes;
using ResidualSheaf.Models.Networks;

namespace ResidualSheaf.Models.Weights;

/// <summary>
/// Weights as JSON: <c>{"tensors": {"fc1.weight": [[…], …], "fc1.bias": […], …}}</c> (nested arrays in PyTorch layout). Every
/// run exports the weights it used in this format, and a config can load them back.
/// </summary>
public static class WeightJson
{
    /// <summary>Reads the named arrays of a weights file; errors name the file and the tensor.</summary>
    public static Dictionary<string, NamedArray> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"weights file '{path}' does not exist", path);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"weights file '{path}': not valid JSON ({e.Message})", e);
        }
        if (root is not JsonObject obj)
            throw new ArgumentException($"weights file '{path}': expected a JSON object");
        foreach (var (key, _) in obj)
            if (key is not ("tensors" or "architecture" or "source"))
                throw new ArgumentException($"weights file '{path}': unknown key '{key}' (allowed: tensors, architecture, source)");
        if (obj["tensors"] is not JsonObject tensors)
            throw new ArgumentException($"weights file '{path}': missing the \"tensors\" object");
        var result = new Dictionary<string, NamedArray>(StringComparer.Ordinal);
        foreach (var (name, node) in tensors)
        {
            var shape = new List<long>();
            var values = new List<double>();
            Flatten(node, 0, shape, values, $"weights file '{path}': tensor '{name}'");
            result[name] = new NamedArray(shape.ToArray(), values.ToArray());
        }
        return result;
    }

    private static void Flatten(JsonNode? node, int depth, List<long> shape, List<double> values, string where)
    {
        if (node is JsonArray arr)
        {
            if (shape.Count == depth) shape.Add(arr.Count);
            else if (shape.Count < depth || shape[depth] != arr.Count) throw new ArgumentException($"{where}: ragged nested arrays");
            foreach (var child in arr) Flatten(child, depth + 1, shape, values, where);
            return;
        }
        if (shape.Count != depth) throw new ArgumentException($"{where}: ragged nested arrays");
        if (node is JsonValue v && v.TryGetValue<double>(out double d))
        {
            if (!double.IsFinite(d)) throw new ArgumentException($"{where}: entry {values.Count} is not finite");
            values.Add(d);
            return;
        }
        throw new ArgumentException($"{where}: entry {values.Count} is not a number ({node?.ToJsonString() ?? "null"})");
    }

    /// <summary>Writes the network's weights (round-trip exact: doubles are written with "R" precision).</summary>
    public static void Write(string path, INetwork network, string source)
    {
        var tensors = new JsonObject();
        foreach (var (name, a) in WeightSet.ToArrays(network))
            tensors[name] = a.Shape.Length == 1
                ? new JsonArray(a.Values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray())
                : new JsonArray(Enumerable.Range(0, (int)a.Shape[0])
                    .Select(r => (JsonNode?)new JsonArray(a.Values.Skip(r * (int)a.Shape[1]).Take((int)a.Shape[1]).Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()))
                    .ToArray());
        var root = new JsonObject
        {
            ["source"] = source,
            ["architecture"] = network.Describe(),
            ["tensors"] = tensors,
        };
        string? dir = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}

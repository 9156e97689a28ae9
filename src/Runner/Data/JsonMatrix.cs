using System.Text.Json;

namespace ResidualSheaf.Runner.Data;

/// <summary>Rows of numbers from JSON: an array of rows, each an array of numbers (<c>[[0.1, -2], [1, 0.5]]</c>).</summary>
public static class JsonMatrix
{
    /// <summary>Parses <paramref name="text"/>; widths and finiteness are checked by the caller (<see cref="DataMatrix"/>).</summary>
    /// <exception cref="DataFormatException">Not JSON, not an array of arrays, or a value that is not a number.</exception>
    public static double[][] Parse(string text)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new DataFormatException(null, $"is not valid JSON: {e.Message}");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Array) throw new DataFormatException(null, $"expected an array of rows, got a JSON {root.ValueKind.ToString().ToLowerInvariant()}");
            var rows = new List<double[]>();
            foreach (var r in root.EnumerateArray())
            {
                if (r.ValueKind != JsonValueKind.Array) throw new DataFormatException(rows.Count, $"expected an array of numbers, got a JSON {r.ValueKind.ToString().ToLowerInvariant()}");
                var row = new double[r.GetArrayLength()];
                int j = 0;
                foreach (var v in r.EnumerateArray())
                {
                    if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out row[j]))
                        throw new DataFormatException(rows.Count, $"value {j} is {(v.ValueKind == JsonValueKind.Number ? v.GetRawText() : "a JSON " + v.ValueKind.ToString().ToLowerInvariant())}, not a number");
                    j++;
                }
                rows.Add(row);
            }
            return [.. rows];
        }
    }
}

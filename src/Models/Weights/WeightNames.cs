namespace ResidualSheaf.Models.Weights;

/// <summary>
/// Renames the tensors of a user's weight file to our parameter names (<c>weights.names</c>: ours → theirs). A key is a tensor
/// ("fc1.weight") or a layer ("fc1", standing for its ".weight" and ".bias"); unmapped tensors keep their names, so the usual
/// missing/extra/shape checks of <see cref="WeightSet.FromArrays"/> still name whatever does not fit.
/// </summary>
public static class WeightNames
{
    /// <summary>The arrays under our names; a mapped name absent from the file throws <see cref="ArgumentException"/> naming both.</summary>
    public static Dictionary<string, NamedArray> Apply(IReadOnlyDictionary<string, NamedArray> arrays, IReadOnlyDictionary<string, string> names)
    {
        var renamed = new Dictionary<string, NamedArray>(arrays);
        foreach (var (ours, theirs) in names)
        {
            bool tensor = ours.EndsWith(".weight", StringComparison.Ordinal) || ours.EndsWith(".bias", StringComparison.Ordinal);
            var pairs = tensor ? [(ours, theirs)] : new[] { (ours + ".weight", theirs + ".weight"), (ours + ".bias", theirs + ".bias") };
            bool any = false;
            foreach (var (o, t) in pairs)
            {
                if (!arrays.TryGetValue(t, out var a)) continue;
                renamed.Remove(t);
                renamed[o] = a;
                any = true;
            }
            if (!any)
                throw new ArgumentException(tensor
                    ? $"names: '{ours}' → '{theirs}', but the file has no tensor '{theirs}' (it has: {string.Join(", ", arrays.Keys.Order(StringComparer.Ordinal))})"
                    : $"names: '{ours}' → '{theirs}', but the file has neither '{theirs}.weight' nor '{theirs}.bias' (it has: {string.Join(", ", arrays.Keys.Order(StringComparer.Ordinal))})");
        }
        return renamed;
    }
}

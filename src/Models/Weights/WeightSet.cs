using ResidualSheaf.Models.Networks;

namespace ResidualSheaf.Models.Weights;

/// <summary>Conversion between networks and their named parameter arrays (state_dict naming: fc1.weight, blocks.0.fc2.bias, …).</summary>
public static class WeightSet
{
    /// <summary>
    /// Builds the network from named arrays, checking that every tensor the architecture needs is present with the right shape,
    /// that none is left over, and that all entries are finite; <paramref name="source"/> prefixes every error.
    /// </summary>
    public static INetwork FromArrays(ArchitectureSpec spec, IReadOnlyDictionary<string, NamedArray> arrays, string source)
    {
        var layers = new Dictionary<string, LinearLayer>();
        var used = new HashSet<string>();
        foreach (var (name, o, i, hasBias) in spec.Parameters())
        {
            double[] w = Read(arrays, $"{name}.weight", [o, i], source);
            used.Add($"{name}.weight");
            double[]? b = null;
            if (hasBias)
            {
                b = Read(arrays, $"{name}.bias", [o], source);
                used.Add($"{name}.bias");
            }
            layers[name] = new LinearLayer(i, o, w, b, name);
        }
        var extra = arrays.Keys.Where(k => !used.Contains(k)).OrderBy(k => k, StringComparer.Ordinal).ToArray();
        if (extra.Length > 0)
            throw new ArgumentException(
                $"{source}: tensor(s) not in the architecture: {string.Join(", ", extra)} (expected: {string.Join(", ", used.Order(StringComparer.Ordinal))})");
        return spec.Assemble(layers);
    }

    /// <summary>The network's parameters as named arrays in creation order.</summary>
    public static IReadOnlyList<(string Name, NamedArray Array)> ToArrays(INetwork network)
    {
        var list = new List<(string, NamedArray)>();
        foreach (var l in network.Layers)
        {
            list.Add(($"{l.Name}.weight", new NamedArray([l.Out, l.In], l.Weight)));
            if (l.Bias is not null) list.Add(($"{l.Name}.bias", new NamedArray([l.Out], l.Bias)));
        }
        return list;
    }

    private static double[] Read(IReadOnlyDictionary<string, NamedArray> arrays, string key, long[] shape, string source)
    {
        if (!arrays.TryGetValue(key, out var a))
            throw new ArgumentException($"{source}: tensor '{key}' is missing (expected shape [{string.Join(", ", shape)}])");
        if (!a.Shape.SequenceEqual(shape))
            throw new ArgumentException(
                $"{source}: tensor '{key}' has shape [{string.Join(", ", a.Shape)}], the architecture needs [{string.Join(", ", shape)}]");
        for (int k = 0; k < a.Values.Length; k++)
            if (!double.IsFinite(a.Values[k])) throw new ArgumentException($"{source}: tensor '{key}' entry {k} is not finite ({a.Values[k]})");
        return a.Values;
    }
}

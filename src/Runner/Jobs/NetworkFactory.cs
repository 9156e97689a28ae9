using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Models.Weights;
using ResidualSheaf.Runner.Config;

namespace ResidualSheaf.Runner.Jobs;

/// <summary>Resolves a config's architecture and weight source into a network; weight-file problems become config errors.</summary>
public static class NetworkFactory
{
    /// <summary>The network of the config.</summary>
    public static INetwork Create(RunConfig config)
    {
        if (config.Onnx is not null) return config.Onnx;
        var w = config.Weights;
        var arch = config.Architecture!;
        try
        {
            return w.Source switch
            {
                "seeded" => TorchReference.PyTorchDefault(arch, config.Seed),
                "neural-sheaf" => TorchReference.NeuralSheafDefault(arch, config.Seed),
                "json" => WeightSet.FromArrays(arch, Renamed(WeightJson.Read(w.Path!), w), w.Path!),
                "state_dict" => WeightSet.FromArrays(arch, Renamed(StateDictFile.Read(w.Path!), w), w.Path!),
                _ => throw new ConfigException("weights.source", $"unknown source '{w.Source}'"),
            };
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException)
        {
            throw new ConfigException("weights", e.Message);
        }
    }

    /// <summary>The file's tensors under our parameter names (weights.names), or as they are.</summary>
    private static IReadOnlyDictionary<string, NamedArray> Renamed(Dictionary<string, NamedArray> arrays, WeightsConfig w) =>
        w.Names is null ? arrays : WeightNames.Apply(arrays, w.Names);

    /// <summary>The same network with every weight and bias multiplied by <paramref name="scale"/>.</summary>
    public static INetwork Scaled(INetwork network, double scale)
    {
        var arrays = WeightSet.ToArrays(network).ToDictionary(
            p => p.Name, p => new NamedArray(p.Array.Shape, p.Array.Values.Select(v => v * scale).ToArray()));
        return WeightSet.FromArrays(ArchitectureSpec.Of(network), arrays, $"scaled ×{scale}");
    }
}

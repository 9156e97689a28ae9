using System.Text.Json.Nodes;

namespace ResidualSheaf.Runner.Config;

/// <summary>
/// <c>train.spectrum</c>: the spectrum of L_free at a set of diagnostic inputs after chosen epochs (the reference library's
/// spectral.py). The inputs are drawn as its Fig. 4 does: <c>torch.manual_seed(seed)</c>, <c>torch.rand(n0, count) · (high − low) + low</c>.
/// </summary>
/// <param name="Epochs">Epochs after which the spectrum is taken (0 = before training), ascending.</param>
/// <param name="Count">Number of diagnostic inputs.</param>
/// <param name="Seed">torch.manual_seed of their draw.</param>
/// <param name="Low">Lower end of the uniform range.</param>
/// <param name="High">Upper end.</param>
/// <param name="Threshold">Eigenvalues at or below it count as zero (λ_1 is the smallest above it).</param>
public sealed record TrainSpectrumConfig(int[] Epochs, int Count, long Seed, double Low, double High, double Threshold)
{
    /// <summary>Reads the section (null when absent).</summary>
    public static TrainSpectrumConfig? Parse(JsonFields? s)
    {
        if (s is null) return null;
        s.ExpectOnly("epochs", "inputs", "threshold");
        var epochs = s.Integers("epochs", 1, 0, 100_000_000) ?? throw new ConfigException("train.spectrum.epochs", "is required (epoch numbers, 0 = before training)");
        var sorted = epochs.Select(e => (int)e).Distinct().Order().ToArray();
        var i = s.Object("inputs");
        int count = 50;
        long seed = 99;
        double low = -2, high = 2;
        if (i is not null)
        {
            i.ExpectOnly("count", "seed", "low", "high");
            count = (int)i.Integer("count", 50, 1, 100_000);
            seed = i.Integer("seed", 99, 0);
            low = i.Number("low", -2);
            high = i.Number("high", 2);
            if (!(high > low)) throw new ConfigException("train.spectrum.inputs.high", $"{high} must exceed low ({low})");
            i.RejectUnknown();
        }
        var cfg = new TrainSpectrumConfig(sorted, count, seed, low, high, s.Number("threshold", 1e-8, 0));
        s.RejectUnknown();
        return cfg;
    }

    /// <summary>The section with its defaults.</summary>
    public JsonObject ToJson() => new()
    {
        ["epochs"] = new JsonArray(Epochs.Select(e => (JsonNode?)e).ToArray()),
        ["inputs"] = new JsonObject { ["count"] = Count, ["seed"] = Seed, ["low"] = Low, ["high"] = High },
        ["threshold"] = Threshold,
    };
}

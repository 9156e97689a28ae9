using static TorchSharp.torch;

namespace ResidualSheaf.Models.Torch;

/// <summary>
/// Standard-normal inputs drawn in float64 from a seeded torch.Generator: Python's
/// <c>torch.randn(count, n, dtype=torch.float64, generator=torch.Generator().manual_seed(seed)) * scale</c> gives the same numbers
/// (the float32 default does not once count × n ≥ 16: torch draws float32 normals in another order there).
/// </summary>
public static class InputSampler
{
    /// <summary>count inputs of dimension n, N(0, scale²), from generator seed <paramref name="seed"/>.</summary>
    public static double[][] Normal(int count, int n, long seed, double scale = 1.0)
    {
        if (count <= 0 || n <= 0) throw new ArgumentOutOfRangeException(nameof(count), "input count and dimension must be positive");
        TorchRuntime.EnsureLoaded();
        using var g = new Generator((ulong)seed);
        using var t = randn([count, n], dtype: ScalarType.Float64, generator: g);
        var flat = t.data<double>().ToArray();
        return Enumerable.Range(0, count).Select(i => flat.AsSpan(i * n, n).ToArray().Select(v => v * scale).ToArray()).ToArray();
    }
}

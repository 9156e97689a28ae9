namespace ResidualSheaf.Models.Networks;

/// <summary>An affine map y = W x + b in PyTorch layout (W is Out × In, row-major); Bias null means no bias.</summary>
public sealed class LinearLayer
{
    /// <summary>Creates the layer, checking shapes and finiteness; <paramref name="name"/> is used in error messages.</summary>
    public LinearLayer(int inFeatures, int outFeatures, double[] weight, double[]? bias, string name = "linear")
    {
        if (inFeatures <= 0 || outFeatures <= 0)
            throw new ArgumentException($"{name}: dimensions must be positive (got {outFeatures}×{inFeatures})");
        if (weight.Length != inFeatures * outFeatures)
            throw new ArgumentException($"{name}.weight: expected {outFeatures}×{inFeatures} = {inFeatures * outFeatures} entries, got {weight.Length}");
        if (bias is not null && bias.Length != outFeatures)
            throw new ArgumentException($"{name}.bias: expected {outFeatures} entries, got {bias.Length}");
        for (int i = 0; i < weight.Length; i++)
            if (!double.IsFinite(weight[i])) throw new ArgumentException($"{name}.weight: entry {i} is not finite ({weight[i]})");
        if (bias is not null)
            for (int i = 0; i < bias.Length; i++)
                if (!double.IsFinite(bias[i])) throw new ArgumentException($"{name}.bias: entry {i} is not finite ({bias[i]})");
        In = inFeatures;
        Out = outFeatures;
        Weight = (double[])weight.Clone();
        Bias = (double[]?)bias?.Clone();
        Name = name;
    }

    /// <summary>Input dimension.</summary>
    public int In { get; }

    /// <summary>Output dimension.</summary>
    public int Out { get; }

    /// <summary>Row-major Out × In weight.</summary>
    public double[] Weight { get; }

    /// <summary>Bias of length Out, or null.</summary>
    public double[]? Bias { get; }

    /// <summary>Parameter prefix, e.g. "blocks.0.fc1".</summary>
    public string Name { get; }

    /// <summary>W x + b.</summary>
    public double[] Apply(ReadOnlySpan<double> x)
    {
        var y = new double[Out];
        for (int i = 0; i < Out; i++)
            y[i] = ResidualSheaf.Engine.Numerics.Dot(Weight.AsSpan(i * In, In), x) + (Bias?[i] ?? 0.0);
        return y;
    }
}

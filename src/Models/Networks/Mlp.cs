namespace ResidualSheaf.Models.Networks;

/// <summary>Linear → ReLU → … → Linear with identity output; parameters fc1, fc2, ….</summary>
public sealed class Mlp : INetwork
{
    /// <summary>Creates the MLP; consecutive layers must chain (Out of one = In of the next).</summary>
    public Mlp(IReadOnlyList<LinearLayer> layers)
    {
        if (layers.Count == 0) throw new ArgumentException("an MLP needs at least one layer");
        for (int l = 1; l < layers.Count; l++)
            if (layers[l].In != layers[l - 1].Out)
                throw new ArgumentException($"{layers[l].Name}: input dimension {layers[l].In} differs from {layers[l - 1].Name} output {layers[l - 1].Out}");
        Layers = layers.ToArray();
    }

    /// <inheritdoc/>
    public int InputDimension => Layers[0].In;

    /// <inheritdoc/>
    public int OutputDimension => Layers[^1].Out;

    /// <inheritdoc/>
    public IReadOnlyList<LinearLayer> Layers { get; }

    /// <summary>Widths [n0, n1, …, nk].</summary>
    public int[] Widths => [InputDimension, .. Layers.Select(l => l.Out)];

    /// <inheritdoc/>
    public double[] Forward(ReadOnlySpan<double> x)
    {
        var h = x.ToArray();
        for (int l = 0; l < Layers.Count; l++)
        {
            h = Layers[l].Apply(h);
            if (l < Layers.Count - 1)
                for (int i = 0; i < h.Length; i++) h[i] = Math.Max(0.0, h[i]);
        }
        return h;
    }

    /// <inheritdoc/>
    public string Describe() => $"MLP [{string.Join(", ", Widths)}]";
}

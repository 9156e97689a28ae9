using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Graph;

namespace ResidualSheaf.Models.Networks;

/// <summary>Linear → ReLU → … → Linear, then the output head (identity by default); parameters fc1, fc2, ….</summary>
public sealed class Mlp : INetwork
{
    /// <summary>Creates the MLP; consecutive layers must chain (Out of one = In of the next); softmax needs at least two outputs.</summary>
    public Mlp(IReadOnlyList<LinearLayer> layers, OutputHead head = OutputHead.Identity, OutputEdgeMode mode = OutputEdgeMode.Jacobian)
    {
        if (layers.Count == 0) throw new ArgumentException("an MLP needs at least one layer");
        for (int l = 1; l < layers.Count; l++)
            if (layers[l].In != layers[l - 1].Out)
                throw new ArgumentException($"{layers[l].Name}: input dimension {layers[l].In} differs from {layers[l - 1].Name} output {layers[l - 1].Out}");
        Layers = layers.ToArray();
        Graph = BuildGraph(Layers, head, mode);
    }

    /// <inheritdoc/>
    public LayerGraph Graph { get; }

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
        return OutputHeads.Apply(Graph.Output.Head, h);
    }

    /// <inheritdoc/>
    public string Describe() => $"MLP [{string.Join(", ", Widths)}]{OutputHeads.Describe(Graph.Output)}";

    /// <summary>x → z1 → a1 → z2 → … → zk: a Linear node zℓ per layer, a ReLU node aℓ between layers (sheaf-math §2).</summary>
    private static LayerGraph BuildGraph(IReadOnlyList<LinearLayer> layers, OutputHead head, OutputEdgeMode mode)
    {
        var g = new LayerGraphBuilder("x", layers[0].In);
        var h = g.Input;
        for (int l = 0; l < layers.Count; l++)
        {
            int ell = l + 1;
            h = g.Linear(h, layers[l], $"z{ell}", $"W{ell}", ell);
            if (l < layers.Count - 1) h = g.Relu(h, $"a{ell}", $"R{ell}", ell);
        }
        return g.Output(h, head, mode);
    }
}

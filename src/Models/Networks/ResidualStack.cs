using ResidualSheaf.Models.Graph;

namespace ResidualSheaf.Models.Networks;

/// <summary>Residual blocks applied in sequence (block k's output is block k+1's input); parameters blocks.k.fc1, blocks.k.fc2, blocks.k.proj.</summary>
public sealed class ResidualStack : INetwork
{
    /// <summary>Creates the stack; consecutive blocks must chain.</summary>
    public ResidualStack(IReadOnlyList<ResidualBlock> blocks)
    {
        if (blocks.Count == 0) throw new ArgumentException("a residual stack needs at least one block");
        for (int k = 1; k < blocks.Count; k++)
            if (blocks[k].In != blocks[k - 1].Out)
                throw new ArgumentException($"block {k}: input dimension {blocks[k].In} differs from block {k - 1} output {blocks[k - 1].Out}");
        Blocks = blocks.ToArray();
        Layers = Blocks.SelectMany(b => b.Projection is null ? new[] { b.Fc1, b.Fc2 } : [b.Fc1, b.Fc2, b.Projection]).ToArray();
        var g = new LayerGraphBuilder("x", Blocks[0].In);
        var h = g.Input;
        // A single block's cells are unsuffixed (z1, p, y), as in the lab; in a stack they carry the block number (z1_2).
        for (int k = 0; k < Blocks.Count; k++) h = Blocks[k].AppendTo(g, h, Blocks.Count == 1 ? "" : $"_{k + 1}", k + 1);
        Graph = g.Output(h);
    }

    /// <inheritdoc/>
    public LayerGraph Graph { get; }

    /// <summary>The blocks.</summary>
    public IReadOnlyList<ResidualBlock> Blocks { get; }

    /// <inheritdoc/>
    public int InputDimension => Blocks[0].In;

    /// <inheritdoc/>
    public int OutputDimension => Blocks[^1].Out;

    /// <inheritdoc/>
    public IReadOnlyList<LinearLayer> Layers { get; }

    /// <inheritdoc/>
    public double[] Forward(ReadOnlySpan<double> x)
    {
        var h = x.ToArray();
        foreach (var b in Blocks) h = b.Forward(h);
        return h;
    }

    /// <inheritdoc/>
    public string Describe() =>
        $"residual stack of {Blocks.Count} block(s): " +
        string.Join(" → ", Blocks.Select(b => $"[{b.In}→{b.Hidden}→{b.Out}{(b.Projection is null ? "" : ", P")}, ReLU {b.Placement.ToString().ToLowerInvariant()} add]"));
}

using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Graph;

namespace ResidualSheaf.Models.Networks;

/// <summary>
/// Residual blocks applied in sequence (block k's output is block k+1's input), optionally a linear classifier layer, then the
/// output head; parameters blocks.k.fc1, blocks.k.fc2, blocks.k.proj, classifier.
/// </summary>
public sealed class ResidualStack : INetwork
{
    /// <summary>Creates the stack; consecutive blocks must chain, and the classifier (if any) must read the last block's output.</summary>
    public ResidualStack(IReadOnlyList<ResidualBlock> blocks, LinearLayer? classifier = null, OutputHead head = OutputHead.Identity,
        OutputEdgeMode mode = OutputEdgeMode.Jacobian)
    {
        if (blocks.Count == 0) throw new ArgumentException("a residual stack needs at least one block");
        for (int k = 1; k < blocks.Count; k++)
            if (blocks[k].In != blocks[k - 1].Out)
                throw new ArgumentException($"block {k}: input dimension {blocks[k].In} differs from block {k - 1} output {blocks[k - 1].Out}");
        if (classifier is not null && classifier.In != blocks[^1].Out)
            throw new ArgumentException($"{classifier.Name}: input dimension {classifier.In} differs from the last block's output {blocks[^1].Out}");
        Blocks = blocks.ToArray();
        Classifier = classifier;
        Layers = Blocks.SelectMany(b => b.Projection is null ? new[] { b.Fc1, b.Fc2 } : [b.Fc1, b.Fc2, b.Projection])
            .Concat(classifier is null ? [] : [classifier]).ToArray();
        var g = new LayerGraphBuilder("x", Blocks[0].In);
        var h = g.Input;
        // A single block's cells are unsuffixed (z1, p, y), as in the lab; in a stack they carry the block number (z1_2).
        for (int k = 0; k < Blocks.Count; k++) h = Blocks[k].AppendTo(g, h, Blocks.Count == 1 ? "" : $"_{k + 1}", k + 1);
        if (classifier is not null) h = g.Linear(h, classifier, "z_out", "W_out", Blocks.Count + 1);
        Graph = g.Output(h, head, mode);
    }

    /// <summary>The linear classifier layer after the last block, or null.</summary>
    public LinearLayer? Classifier { get; }

    /// <inheritdoc/>
    public LayerGraph Graph { get; }

    /// <summary>The blocks.</summary>
    public IReadOnlyList<ResidualBlock> Blocks { get; }

    /// <inheritdoc/>
    public int InputDimension => Blocks[0].In;

    /// <inheritdoc/>
    public int OutputDimension => Classifier?.Out ?? Blocks[^1].Out;

    /// <inheritdoc/>
    public IReadOnlyList<LinearLayer> Layers { get; }

    /// <inheritdoc/>
    public double[] Forward(ReadOnlySpan<double> x)
    {
        var h = x.ToArray();
        foreach (var b in Blocks) h = b.Forward(h);
        if (Classifier is not null) h = Classifier.Apply(h);
        return OutputHeads.Apply(Graph.Output.Head, h);
    }

    /// <inheritdoc/>
    public string Describe() =>
        $"residual stack of {Blocks.Count} block(s): " +
        string.Join(" → ", Blocks.Select(b => $"[{b.In}→{b.Hidden}→{b.Out}{(b.Projection is null ? "" : ", P")}, ReLU {b.Placement.ToString().ToLowerInvariant()} add]")) +
        (Classifier is null ? "" : $" → classifier [{Classifier.In}→{Classifier.Out}]") + OutputHeads.Describe(Graph.Output);
}

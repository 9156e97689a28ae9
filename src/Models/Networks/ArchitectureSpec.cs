using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Graph;

namespace ResidualSheaf.Models.Networks;

/// <summary>The shape of one residual block: n → m → o, with a projection skip when requested (required when o ≠ n).</summary>
/// <param name="In">Input width n.</param>
/// <param name="Hidden">Hidden width m.</param>
/// <param name="Out">Output width o.</param>
/// <param name="Projection">True for a projection skip P = nn.Linear(n, o, bias=False).</param>
public sealed record BlockSpec(int In, int Hidden, int Out, bool Projection);

/// <summary>A network architecture without weights: an MLP (widths) or a residual stack (blocks).</summary>
public sealed record ArchitectureSpec
{
    private ArchitectureSpec(int[]? widths, BlockSpec[]? blocks, ReluPlacement placement)
    {
        Widths = widths;
        Blocks = blocks;
        Placement = placement;
    }

    /// <summary>MLP widths [n0, …, nk], or null for a residual stack.</summary>
    public int[]? Widths { get; }

    /// <summary>Residual blocks, or null for an MLP.</summary>
    public BlockSpec[]? Blocks { get; }

    /// <summary>ReLU placement of every residual block.</summary>
    public ReluPlacement Placement { get; }

    /// <summary>True for an MLP.</summary>
    public bool IsMlp => Widths is not null;

    /// <summary>The output head (identity unless set by <see cref="WithHead"/>).</summary>
    public OutputHead Head { get; private init; }

    /// <summary>The output-edge mode of a non-identity head.</summary>
    public OutputEdgeMode HeadMode { get; private init; }

    /// <summary>Residual stacks: the width of a linear classifier layer after the last block (parameter "classifier"), or null.</summary>
    public int? Classifier { get; private init; }

    /// <summary>Output width: the classifier's, else the last layer's or block's.</summary>
    public int OutputWidth => Widths is not null ? Widths[^1] : Classifier ?? Blocks![^1].Out;

    /// <summary>
    /// This architecture with an output head, its mode, and (residual stacks only) a linear classifier of width
    /// <paramref name="classifier"/> before the head; softmax needs at least two outputs.
    /// </summary>
    public ArchitectureSpec WithHead(OutputHead head, OutputEdgeMode mode, int? classifier = null)
    {
        if (classifier is not null && IsMlp) throw new ArgumentException("an MLP's last layer is its classifier; a separate classifier layer applies to residual stacks");
        if (classifier is <= 0) throw new ArgumentException("the classifier width must be positive");
        var spec = this with { Head = head, HeadMode = mode, Classifier = classifier };
        OutputHeads.CheckWidth(head, spec.OutputWidth);
        return spec;
    }

    /// <summary>An MLP with the given widths (at least two).</summary>
    public static ArchitectureSpec Mlp(params int[] widths)
    {
        if (widths.Length < 2) throw new ArgumentException("an MLP needs at least two widths (input and output)");
        if (widths.Any(w => w <= 0)) throw new ArgumentException("MLP widths must be positive");
        return new ArchitectureSpec(widths.ToArray(), null, ReluPlacement.After);
    }

    /// <summary>A residual stack; a block whose output width differs from its input needs <see cref="BlockSpec.Projection"/>.</summary>
    public static ArchitectureSpec Residual(IReadOnlyList<BlockSpec> blocks, ReluPlacement placement)
    {
        if (blocks.Count == 0) throw new ArgumentException("a residual network needs at least one block");
        for (int k = 0; k < blocks.Count; k++)
        {
            var b = blocks[k];
            if (b.In <= 0 || b.Hidden <= 0 || b.Out <= 0) throw new ArgumentException($"block {k}: widths must be positive");
            if (b.In != b.Out && !b.Projection)
                throw new ArgumentException($"block {k}: input width {b.In} ≠ output width {b.Out} needs a projection skip");
            if (k > 0 && b.In != blocks[k - 1].Out)
                throw new ArgumentException($"block {k}: input width {b.In} differs from block {k - 1} output width {blocks[k - 1].Out}");
        }
        return new ArchitectureSpec(null, blocks.ToArray(), placement);
    }

    /// <summary>Parameter names and shapes (out, in; in = 0 for a bias) in creation order, as in the PyTorch state_dict.</summary>
    public IReadOnlyList<(string Name, int Out, int In, bool Bias)> Parameters()
    {
        var list = new List<(string, int, int, bool)>();
        if (Widths is not null)
        {
            for (int l = 1; l < Widths.Length; l++) list.Add(($"fc{l}", Widths[l], Widths[l - 1], true));
            return list;
        }
        for (int k = 0; k < Blocks!.Length; k++)
        {
            string pre = Blocks.Length == 1 ? "" : $"blocks.{k}.";
            var b = Blocks[k];
            list.Add((pre + "fc1", b.Hidden, b.In, true));
            list.Add((pre + "fc2", b.Out, b.Hidden, true));
            if (b.Projection) list.Add((pre + "proj", b.Out, b.In, false));
        }
        if (Classifier is int c) list.Add(("classifier", c, Blocks[^1].Out, true));
        return list;
    }

    /// <summary>Builds the network from layers named as in <see cref="Parameters"/>.</summary>
    public INetwork Assemble(IReadOnlyDictionary<string, LinearLayer> layers)
    {
        LinearLayer Get(string name) => layers.TryGetValue(name, out var l) ? l : throw new ArgumentException($"missing layer '{name}'");
        if (Widths is not null)
            return new Mlp(Enumerable.Range(1, Widths.Length - 1).Select(l => Get($"fc{l}")).ToArray(), Head, HeadMode);
        var blocks = new List<ResidualBlock>();
        for (int k = 0; k < Blocks!.Length; k++)
        {
            string pre = Blocks.Length == 1 ? "" : $"blocks.{k}.";
            blocks.Add(new ResidualBlock(Get(pre + "fc1"), Get(pre + "fc2"), Blocks[k].Projection ? Get(pre + "proj") : null, Placement));
        }
        return new ResidualStack(blocks, Classifier is null ? null : Get("classifier"), Head, HeadMode);
    }

    /// <summary>The architecture of an existing network.</summary>
    public static ArchitectureSpec Of(INetwork network)
    {
        var spec = network switch
        {
            Networks.Mlp m => Mlp(m.Widths),
            ResidualStack s => Residual(s.Blocks.Select(b => new BlockSpec(b.In, b.Hidden, b.Out, b.Projection is not null)).ToArray(),
                s.Blocks[0].Placement),
            _ => throw new NotSupportedException(network.GetType().Name),
        };
        var output = network.Graph.Output;
        return spec.WithHead(output.Head, output.Mode, (network as ResidualStack)?.Classifier?.Out);
    }
}

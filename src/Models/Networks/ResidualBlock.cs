using ResidualSheaf.Models.Graph;

namespace ResidualSheaf.Models.Networks;

/// <summary>
/// A residual block x ↦ ReLU(fc2(ReLU(fc1 x)) + P x) (ReLU after the addition) or ReLU(fc2(ReLU(fc1 x))) + P x (before),
/// with P = I when no projection is given (then fc2.Out must equal fc1.In).
/// </summary>
public sealed class ResidualBlock
{
    /// <summary>Creates the block, checking that branch and skip agree in shape.</summary>
    public ResidualBlock(LinearLayer fc1, LinearLayer fc2, LinearLayer? projection, ReluPlacement placement)
    {
        if (fc2.In != fc1.Out)
            throw new ArgumentException($"{fc2.Name}: input dimension {fc2.In} differs from {fc1.Name} output {fc1.Out}");
        if (projection is null && fc2.Out != fc1.In)
            throw new ArgumentException($"{fc2.Name}: output dimension {fc2.Out} differs from the block input {fc1.In}; an identity skip needs equal widths (add a projection)");
        if (projection is not null)
        {
            if (projection.In != fc1.In || projection.Out != fc2.Out)
                throw new ArgumentException($"{projection.Name}: projection must be {fc2.Out}×{fc1.In}, got {projection.Out}×{projection.In}");
            if (projection.Bias is not null)
                throw new ArgumentException($"{projection.Name}: a projection skip has no bias (nn.Linear(n, o, bias=False))");
        }
        Fc1 = fc1;
        Fc2 = fc2;
        Projection = projection;
        Placement = placement;
    }

    /// <summary>First branch layer n → m.</summary>
    public LinearLayer Fc1 { get; }

    /// <summary>Second branch layer m → o.</summary>
    public LinearLayer Fc2 { get; }

    /// <summary>Projection skip P (o × n, no bias), or null for the identity.</summary>
    public LinearLayer? Projection { get; }

    /// <summary>ReLU after or before the addition.</summary>
    public ReluPlacement Placement { get; }

    /// <summary>Input dimension n.</summary>
    public int In => Fc1.In;

    /// <summary>Hidden dimension m.</summary>
    public int Hidden => Fc1.Out;

    /// <summary>Output dimension o.</summary>
    public int Out => Fc2.Out;

    /// <summary>The block's forward pass.</summary>
    public double[] Forward(ReadOnlySpan<double> x)
    {
        var a1 = Fc1.Apply(x);
        for (int i = 0; i < a1.Length; i++) a1[i] = Math.Max(0.0, a1[i]);
        var branch = Fc2.Apply(a1);
        var skip = Projection?.Apply(x) ?? x.ToArray();
        var y = new double[Out];
        for (int i = 0; i < Out; i++)
            y[i] = Placement == ReluPlacement.After
                ? Math.Max(0.0, branch[i] + skip[i])
                : Math.Max(0.0, branch[i]) + skip[i];
        return y;
    }

    /// <summary>
    /// Appends the block's nodes reading <paramref name="input"/> and returns its output node. Node names follow sheaf-math §3.2:
    /// z1, a1, then with the ReLU after the addition the sum s and y = ReLU(s), with it before z2 and the sum y; the addend that
    /// feeds only the addition (branch or a2) never becomes a vertex, since the addition takes its edge.
    /// </summary>
    public LayerNode AppendTo(LayerGraphBuilder graph, LayerNode input, string scope, int layer)
    {
        var z1 = graph.Linear(input, Fc1, "z1" + scope, "W1" + scope, layer);
        var a1 = graph.Relu(z1, "a1" + scope, "R1" + scope, layer);
        if (Placement == ReluPlacement.After)
        {
            var branch = graph.Linear(a1, Fc2, "branch" + scope, "W2" + scope, layer);
            var s = graph.Add([branch, input], "s" + scope, scope, layer, [null, Projection]);
            return graph.Relu(s, "y" + scope, "Rs" + scope, layer);
        }
        var z2 = graph.Linear(a1, Fc2, "z2" + scope, "W2" + scope, layer);
        var a2 = graph.Relu(z2, "a2" + scope, "R2" + scope, layer);
        return graph.Add([a2, input], "y" + scope, scope, layer, [null, Projection]);
    }
}

using ResidualSheaf.Engine.Sheaves;

namespace ResidualSheaf.Models.Graph;

/// <summary>
/// An affine layer A h + b whose A is a matrix-free linear operator (a convolution, an average pool) rather than a weight matrix:
/// its sheaf edge has F_tail = A itself, so the heat equation applies A and Aᵀ and never forms A's matrix.
/// </summary>
public sealed class OperatorNode : UnaryNode
{
    internal OperatorNode(int id, string name, LayerNode input, RestrictionMap map, double[]? bias, int layer, string edgeName)
        : base(id, name, map.Rows, input, layer, edgeName)
    {
        Map = map;
        Bias = bias;
    }

    /// <inheritdoc/>
    public override LayerKind Kind => LayerKind.Operator;

    /// <summary>The operator A (the edge's tail map).</summary>
    public RestrictionMap Map { get; }

    /// <summary>The bias b (length <see cref="LayerNode.Width"/>), or null.</summary>
    public double[]? Bias { get; }

    internal override double[] Evaluate(IReadOnlyList<double[]> inputs)
    {
        var y = Bias is null ? new double[Width] : (double[])Bias.Clone();
        Map.MultiplyAdd(inputs[0], y, 1.0, new MaskPattern(0));
        return y;
    }
}

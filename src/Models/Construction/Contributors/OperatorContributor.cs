using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Graph;

namespace ResidualSheaf.Models.Construction.Contributors;

/// <summary>A matrix-free affine layer: the edge h → z with F_tail = A (the operator itself), F_head = I, β = b.</summary>
internal sealed class OperatorContributor : UnaryContributor
{
    public static readonly OperatorContributor Instance = new();

    /// <inheritdoc/>
    protected override UnaryEdge Edge(UnaryNode node, Vertex input)
    {
        var op = (OperatorNode)node;
        return new UnaryEdge(op.Map, op.Bias, EdgeKind.Weight);
    }
}

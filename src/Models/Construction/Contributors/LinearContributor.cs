using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Graph;

namespace ResidualSheaf.Models.Construction.Contributors;

/// <summary>An affine layer: the edge h → z with F_tail = W, F_head = I, β = b (sheaf-math §2, "weight" rows).</summary>
internal sealed class LinearContributor : UnaryContributor
{
    public static readonly LinearContributor Instance = new();

    /// <inheritdoc/>
    protected override UnaryEdge Edge(UnaryNode node, Vertex input)
    {
        var l = ((LinearNode)node).Linear;
        return new UnaryEdge(new DenseMap(l.Out, l.In, l.Weight), l.Bias, EdgeKind.Weight, l.Name);
    }
}

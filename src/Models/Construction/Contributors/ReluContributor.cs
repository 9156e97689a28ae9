using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Graph;

namespace ResidualSheaf.Models.Construction.Contributors;

/// <summary>A ReLU: the edge z → a with F_tail = R(z), the mask of the input vertex's current value, and F_head = I.</summary>
internal sealed class ReluContributor : UnaryContributor
{
    public static readonly ReluContributor Instance = new();

    /// <inheritdoc/>
    protected override UnaryEdge Edge(UnaryNode node, Vertex input) =>
        new(new ReluMaskMap(node.Width, input.Offset), null, EdgeKind.Relu);
}

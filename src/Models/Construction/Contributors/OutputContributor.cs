using ResidualSheaf.Models.Graph;

namespace ResidualSheaf.Models.Construction.Contributors;

/// <summary>
/// The output head. The identity head adds nothing: the last value's vertex is the output vertex. A sigmoid or softmax head adds
/// the vertex a_out and the smooth edge z → a_out with discrepancy a_out − φ(z) (paper Theorem 4.2); a_out is the output vertex.
/// </summary>
internal sealed class OutputContributor : LayerContributor
{
    public static readonly OutputContributor Instance = new();

    /// <inheritdoc/>
    public override void Contribute(SheafWalk walk, LayerNode node)
    {
        var output = (OutputNode)node;
        var last = walk.VertexOf(node.Inputs[0]);
        if (OutputHeads.Function(output.Head) is not { } phi)
        {
            walk.Bind(node, last);
            return;
        }
        var a = walk.Builder.AddVertex(OutputHeads.VertexName, node.Width, node.Layer);
        walk.Builder.AddSmoothEdge(OutputHeads.EdgeName, last, a, phi, output.Mode, node.Layer);
        walk.Bind(node, a);
    }
}

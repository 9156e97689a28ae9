using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Graph;

namespace ResidualSheaf.Models.Construction.Contributors;

/// <summary>The edge a unary node contributes from its input vertex: its tail map, affine term and kind.</summary>
/// <param name="TailMap">F_tail, the operation applied to the input stalk.</param>
/// <param name="Affine">β (the bias), or null.</param>
/// <param name="Kind">Edge kind for discord grouping.</param>
/// <param name="Parameter">The Linear layer whose weight is the tail map (trained by sheaf-based training), or null.</param>
internal readonly record struct UnaryEdge(RestrictionMap TailMap, double[]? Affine, EdgeKind Kind, string? Parameter = null);

/// <summary>
/// A node computed by one edge from its input (sheaf-math §3.2: "unary op = one edge"): a vertex for the value and an edge
/// input → value with head map I. When the value only feeds an addition, the addition asks for the edge with its own head
/// (the junction's π_i or the chord's post-addition vertex) and the value gets no vertex.
/// </summary>
internal abstract class UnaryContributor : LayerContributor
{
    /// <summary>The edge computing <paramref name="node"/> from the vertex <paramref name="input"/> holding its input.</summary>
    protected abstract UnaryEdge Edge(UnaryNode node, Vertex input);

    /// <inheritdoc/>
    public override void Contribute(SheafWalk walk, LayerNode node)
    {
        if (walk.IsFolded(node)) return;
        var v = walk.Builder.AddVertex(node.Name, node.Width, node.Layer);
        EmitInto(walk, (UnaryNode)node, v, SelectionMap.Identity(node.Width));
        walk.Bind(node, v);
    }

    /// <summary>Adds the node's edge landing on <paramref name="head"/> through <paramref name="headMap"/>.</summary>
    public void EmitInto(SheafWalk walk, UnaryNode node, Vertex head, RestrictionMap headMap)
    {
        var input = walk.VertexOf(node.Inputs[0]);
        var e = Edge(node, input);
        walk.Builder.AddEdge(node.EdgeName, input, head, e.TailMap, headMap, e.Affine, e.Kind, node.Layer, e.Parameter);
    }
}

using ResidualSheaf.Models.Graph;

namespace ResidualSheaf.Models.Construction.Contributors;

/// <summary>The input x: one vertex, no edge (the Dirichlet problem pins it).</summary>
internal sealed class InputContributor : LayerContributor
{
    public static readonly InputContributor Instance = new();

    /// <inheritdoc/>
    public override void Contribute(SheafWalk walk, LayerNode node) =>
        walk.Bind(node, walk.Builder.AddVertex(node.Name, node.Width, node.Layer));
}

using ResidualSheaf.Models.Graph;

namespace ResidualSheaf.Models.Construction.Contributors;

/// <summary>The output head. The identity head adds nothing: the last value's vertex is the output vertex.</summary>
internal sealed class OutputContributor : LayerContributor
{
    public static readonly OutputContributor Instance = new();

    /// <inheritdoc/>
    public override void Contribute(SheafWalk walk, LayerNode node)
    {
        var head = ((OutputNode)node).Head;
        if (head != OutputHead.Identity) throw new NotSupportedException($"no sheaf construction for the output head {head}");
        walk.Bind(node, walk.VertexOf(node.Inputs[0]));
    }
}

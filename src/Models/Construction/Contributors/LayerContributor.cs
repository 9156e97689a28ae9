using ResidualSheaf.Models.Graph;

namespace ResidualSheaf.Models.Construction.Contributors;

/// <summary>How one kind of layer node becomes sheaf cells: the only place that knows the node kind's restriction maps.</summary>
internal abstract class LayerContributor
{
    /// <summary>
    /// Adds the node's vertices and edges (its inputs are already in the sheaf) and binds the node to the vertex holding its
    /// value.
    /// </summary>
    public abstract void Contribute(SheafWalk walk, LayerNode node);
}

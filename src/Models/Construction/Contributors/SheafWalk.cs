using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Graph;

namespace ResidualSheaf.Models.Construction.Contributors;

/// <summary>
/// One pass over a <see cref="LayerGraph"/> in its topological order, each node handed to the contributor of its kind; holds
/// the sheaf being built and the vertex of every node visited so far.
/// </summary>
internal sealed class SheafWalk
{
    private readonly LayerGraph _graph;
    private readonly SkipConstruction _construction;
    private readonly Vertex?[] _vertex;

    private SheafWalk(LayerGraph graph, SkipConstruction construction)
    {
        _graph = graph;
        _construction = construction;
        _vertex = new Vertex?[graph.Nodes.Count];
    }

    /// <summary>The sheaf under construction.</summary>
    public SheafBuilder Builder { get; } = new();

    /// <summary>Walks the graph; returns the walk, whose <see cref="VertexOf"/> then answers for every node.</summary>
    public static SheafWalk Run(LayerGraph graph, SkipConstruction construction)
    {
        var walk = new SheafWalk(graph, construction);
        foreach (var node in graph.Nodes) walk.ContributorOf(node).Contribute(walk, node);
        return walk;
    }

    /// <summary>The vertex holding the node's value.</summary>
    public Vertex VertexOf(LayerNode node) =>
        _vertex[node.Id] ?? throw new InvalidOperationException($"node '{node.Name}' has no vertex (yet)");

    /// <summary>Records the vertex holding the node's value.</summary>
    public void Bind(LayerNode node, Vertex vertex) => _vertex[node.Id] = vertex;

    /// <summary>
    /// True when a unary node's value is used once, by an addition, without a projection: the addition then takes the node's edge
    /// with its own head map, and the value needs no vertex of its own (one vertex and one identity edge fewer; the sheaf's
    /// solution is unchanged). This is how the lab's block is built: W2 lands on the junction (ReLU after) and R2 does (before).
    /// </summary>
    public bool IsFolded(LayerNode node)
    {
        if (ContributorOf(node) is not UnaryContributor) return false;
        var users = _graph.Consumers(node);
        return users.Count == 1 && users[0] is AddNode add && add.Projections[IndexOf(add, node)] is null;
    }

    /// <summary>The contributor of a unary node (for an addition that takes the node's edge).</summary>
    public UnaryContributor UnaryContributorOf(LayerNode node) =>
        ContributorOf(node) as UnaryContributor ?? throw new InvalidOperationException($"node '{node.Name}' is not unary");

    /// <summary>The one table from node kind to contributor; the skip construction chooses the addition's.</summary>
    private LayerContributor ContributorOf(LayerNode node) => node.Kind switch
    {
        LayerKind.Input => InputContributor.Instance,
        LayerKind.Linear => LinearContributor.Instance,
        LayerKind.Operator => OperatorContributor.Instance,
        LayerKind.Relu => ReluContributor.Instance,
        LayerKind.Add => _construction == SkipConstruction.Junction ? JunctionContributor.Instance : ChordContributor.Instance,
        LayerKind.Output => OutputContributor.Instance,
        _ => throw new NotSupportedException($"no sheaf contributor for {node.Kind} nodes"),
    };

    private static int IndexOf(AddNode add, LayerNode addend)
    {
        for (int k = 0; k < add.Inputs.Count; k++)
            if (ReferenceEquals(add.Inputs[k], addend)) return k;
        throw new ArgumentException($"'{addend.Name}' is not an addend of '{add.Name}'");
    }
}

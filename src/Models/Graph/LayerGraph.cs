using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Networks;

namespace ResidualSheaf.Models.Graph;

/// <summary>
/// A network as a directed acyclic graph of layers, from one <see cref="InputNode"/> to one <see cref="OutputNode"/>. The node
/// list is topological (every node after its inputs); sheaf construction walks it in that order, which is what makes δ_Ω block
/// unitriangular for the exact constructions. Build one with <see cref="LayerGraphBuilder"/>.
/// </summary>
public sealed class LayerGraph
{
    private readonly LayerNode[][] _consumers;

    internal LayerGraph(IReadOnlyList<LayerNode> nodes)
    {
        Nodes = nodes;
        Input = (InputNode)nodes[0];
        Output = (OutputNode)nodes[^1];
        var consumers = nodes.Select(_ => new List<LayerNode>()).ToArray();
        foreach (var n in nodes)
            foreach (var i in n.Inputs) consumers[i.Id].Add(n);
        _consumers = consumers.Select(c => c.ToArray()).ToArray();
    }

    /// <summary>Nodes in topological (creation) order: the input first, the output head last.</summary>
    public IReadOnlyList<LayerNode> Nodes { get; }

    /// <summary>The input node.</summary>
    public InputNode Input { get; }

    /// <summary>The output head.</summary>
    public OutputNode Output { get; }

    /// <summary>True when some node is an addition (a skip connection), so the skip construction matters.</summary>
    public bool HasAdditions => Nodes.Any(n => n.Kind == LayerKind.Add);

    /// <summary>The nodes that read <paramref name="node"/>'s value, once per use, in topological order.</summary>
    public IReadOnlyList<LayerNode> Consumers(LayerNode node) => _consumers[node.Id];

    /// <summary>The forward pass in float64, node by node (the same arithmetic as the networks' own forward passes).</summary>
    public double[] Forward(ReadOnlySpan<double> x)
    {
        if (x.Length != Input.Width) throw new ArgumentException($"input has {x.Length} values; the graph expects {Input.Width}");
        var values = new double[Nodes.Count][];
        values[0] = x.ToArray();
        for (int k = 1; k < Nodes.Count; k++)
            values[k] = Nodes[k].Evaluate(Nodes[k].Inputs.Select(i => values[i.Id]).ToArray());
        return values[^1];
    }
}

/// <summary>Builds a <see cref="LayerGraph"/> node by node, checking widths; nodes can only read nodes already added.</summary>
public sealed class LayerGraphBuilder
{
    private readonly List<LayerNode> _nodes = [];
    private readonly HashSet<string> _names = [];

    /// <summary>Starts a graph with its input node.</summary>
    public LayerGraphBuilder(string inputName, int inputWidth)
    {
        if (inputWidth <= 0) throw new ArgumentOutOfRangeException(nameof(inputWidth), "the input width must be positive");
        Append(new InputNode(0, inputName, inputWidth));
    }

    /// <summary>The input node.</summary>
    public LayerNode Input => _nodes[0];

    /// <summary>Adds the affine layer <paramref name="linear"/> applied to <paramref name="input"/>.</summary>
    public LayerNode Linear(LayerNode input, LinearLayer linear, string name, string edgeName, int layer)
    {
        Check(input);
        if (linear.In != input.Width)
            throw new ArgumentException($"{linear.Name}: input dimension {linear.In} differs from the width {input.Width} of '{input.Name}'");
        return Append(new LinearNode(_nodes.Count, name, input, linear, layer, edgeName));
    }

    /// <summary>Adds the affine layer A h + b with A the matrix-free operator <paramref name="map"/> (a convolution, a pool).</summary>
    public LayerNode Operator(LayerNode input, RestrictionMap map, double[]? bias, string name, string edgeName, int layer)
    {
        Check(input);
        ArgumentNullException.ThrowIfNull(map);
        if (map.Columns != input.Width)
            throw new ArgumentException($"'{edgeName}': operator input dimension {map.Columns} differs from the width {input.Width} of '{input.Name}'");
        if (bias is not null && bias.Length != map.Rows)
            throw new ArgumentException($"'{edgeName}': bias has {bias.Length} entries for {map.Rows} outputs");
        return Append(new OperatorNode(_nodes.Count, name, input, map, bias, layer, edgeName));
    }

    /// <summary>Adds the ReLU of <paramref name="input"/>.</summary>
    public LayerNode Relu(LayerNode input, string name, string edgeName, int layer)
    {
        Check(input);
        return Append(new ReluNode(_nodes.Count, name, input, layer, edgeName));
    }

    /// <summary>
    /// Adds Σ_i P_i h_i; <paramref name="projections"/> gives per addend a bias-free projection or null for the identity
    /// (default: all identities). <paramref name="scope"/> suffixes the names of the cells the construction adds.
    /// </summary>
    public LayerNode Add(IReadOnlyList<LayerNode> addends, string name, string scope, int layer, IReadOnlyList<LinearLayer?>? projections = null)
    {
        if (addends.Count < 2) throw new ArgumentException("an addition needs at least two addends", nameof(addends));
        var proj = projections?.ToArray() ?? new LinearLayer?[addends.Count];
        if (proj.Length != addends.Count) throw new ArgumentException($"{proj.Length} projections for {addends.Count} addends", nameof(projections));
        int width = proj[0]?.Out ?? addends[0].Width;
        for (int k = 0; k < addends.Count; k++)
        {
            Check(addends[k]);
            var p = proj[k];
            if (p is not null && p.In != addends[k].Width)
                throw new ArgumentException($"{p.Name}: projection input {p.In} differs from the width {addends[k].Width} of '{addends[k].Name}'");
            if (p?.Bias is not null) throw new ArgumentException($"{p.Name}: a projection skip has no bias");
            int w = p?.Out ?? addends[k].Width;
            if (w != width) throw new ArgumentException($"'{name}': addend {k} has width {w}, addend 0 has {width}");
        }
        return Append(new AddNode(_nodes.Count, name, width, addends.ToArray(), proj, layer, scope));
    }

    /// <summary>Closes the graph with the output head applied to <paramref name="last"/> (softmax needs at least two outputs).</summary>
    public LayerGraph Output(LayerNode last, OutputHead head = OutputHead.Identity, OutputEdgeMode mode = OutputEdgeMode.Jacobian)
    {
        Check(last);
        OutputHeads.CheckWidth(head, last.Width);
        if (head != OutputHead.Identity && !_names.Add(OutputHeads.VertexName))
            throw new ArgumentException($"duplicate node name '{OutputHeads.VertexName}'");
        _nodes.Add(new OutputNode(_nodes.Count, last, head, mode));
        var graph = new LayerGraph(_nodes.ToArray());
        _nodes.Clear();
        return graph;
    }

    private LayerNode Append(LayerNode node)
    {
        if (!_names.Add(node.Name)) throw new ArgumentException($"duplicate node name '{node.Name}'");
        _nodes.Add(node);
        return node;
    }

    private void Check(LayerNode input)
    {
        if (input.Id >= _nodes.Count || !ReferenceEquals(_nodes[input.Id], input))
            throw new ArgumentException($"node '{input.Name}' is not part of this graph");
    }
}

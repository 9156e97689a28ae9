using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Networks;

namespace ResidualSheaf.Models.Graph;

/// <summary>
/// One operation of a <see cref="LayerGraph"/>. Nodes are created by <see cref="LayerGraphBuilder"/> after their inputs, so a
/// graph's node list is a topological order; <see cref="Name"/> is the name of the sheaf vertex holding the node's value.
/// </summary>
public abstract class LayerNode
{
    private protected LayerNode(int id, string name, int width, IReadOnlyList<LayerNode> inputs, int layer)
    {
        Id = id;
        Name = name;
        Width = width;
        Inputs = inputs;
        Layer = layer;
    }

    /// <summary>Position in the graph's topological node list.</summary>
    public int Id { get; }

    /// <summary>What the node computes.</summary>
    public abstract LayerKind Kind { get; }

    /// <summary>Name of the value (and of its sheaf vertex when it gets one), e.g. "z1", "a1_2".</summary>
    public string Name { get; }

    /// <summary>Dimension of the value.</summary>
    public int Width { get; }

    /// <summary>The nodes whose values this node reads, in order.</summary>
    public IReadOnlyList<LayerNode> Inputs { get; }

    /// <summary>Network layer (or residual block) index; sheaf cells of this node carry it to group diagnostics.</summary>
    public int Layer { get; }

    /// <summary>The node's value in a forward pass, from the values of its inputs (by input position).</summary>
    internal abstract double[] Evaluate(IReadOnlyList<double[]> inputs);
}

/// <summary>The network input.</summary>
public sealed class InputNode : LayerNode
{
    internal InputNode(int id, string name, int width)
        : base(id, name, width, [], 0)
    {
    }

    /// <inheritdoc/>
    public override LayerKind Kind => LayerKind.Input;

    internal override double[] Evaluate(IReadOnlyList<double[]> inputs) =>
        throw new InvalidOperationException("the input node has no inputs to evaluate");
}

/// <summary>A node with a single input whose sheaf contribution is one edge from that input (Linear, ReLU, …).</summary>
public abstract class UnaryNode : LayerNode
{
    private protected UnaryNode(int id, string name, int width, LayerNode input, int layer, string edgeName)
        : base(id, name, width, [input], layer) => EdgeName = edgeName;

    /// <summary>Name of the sheaf edge that computes the node's value, e.g. "W1", "R1_2".</summary>
    public string EdgeName { get; }
}

/// <summary>An affine layer W h + b.</summary>
public sealed class LinearNode : UnaryNode
{
    internal LinearNode(int id, string name, LayerNode input, LinearLayer linear, int layer, string edgeName)
        : base(id, name, linear.Out, input, layer, edgeName) => Linear = linear;

    /// <inheritdoc/>
    public override LayerKind Kind => LayerKind.Linear;

    /// <summary>The weights and bias.</summary>
    public LinearLayer Linear { get; }

    internal override double[] Evaluate(IReadOnlyList<double[]> inputs) => Linear.Apply(inputs[0]);
}

/// <summary>The elementwise ReLU.</summary>
public sealed class ReluNode : UnaryNode
{
    internal ReluNode(int id, string name, LayerNode input, int layer, string edgeName)
        : base(id, name, input.Width, input, layer, edgeName)
    {
    }

    /// <inheritdoc/>
    public override LayerKind Kind => LayerKind.Relu;

    internal override double[] Evaluate(IReadOnlyList<double[]> inputs)
    {
        var h = (double[])inputs[0].Clone();
        for (int i = 0; i < h.Length; i++) h[i] = Math.Max(0.0, h[i]);
        return h;
    }
}

/// <summary>Σ_i P_i h_i over the addends h_i in order, with P_i a bias-free projection or the identity (null).</summary>
public sealed class AddNode : LayerNode
{
    internal AddNode(int id, string name, int width, IReadOnlyList<LayerNode> addends, IReadOnlyList<LinearLayer?> projections, int layer,
        string scope)
        : base(id, name, width, addends, layer)
    {
        Projections = projections;
        Scope = scope;
    }

    /// <inheritdoc/>
    public override LayerKind Kind => LayerKind.Add;

    /// <summary>Per addend (same order as <see cref="LayerNode.Inputs"/>): its projection, or null for the identity.</summary>
    public IReadOnlyList<LinearLayer?> Projections { get; }

    /// <summary>Suffix naming the cells the addition adds beyond its own vertex (junction "p", "skip", "sum", "chord"), e.g. "_2".</summary>
    public string Scope { get; }

    internal override double[] Evaluate(IReadOnlyList<double[]> inputs)
    {
        var y = new double[Width];
        for (int k = 0; k < inputs.Count; k++)
        {
            var term = Projections[k]?.Apply(inputs[k]) ?? inputs[k];
            for (int i = 0; i < y.Length; i++) y[i] = k == 0 ? term[i] : y[i] + term[i];
        }
        return y;
    }
}

/// <summary>The output head; its value is the network's output.</summary>
public sealed class OutputNode : LayerNode
{
    internal OutputNode(int id, LayerNode input, OutputHead head, OutputEdgeMode mode)
        : base(id, head == OutputHead.Identity ? input.Name : OutputHeads.VertexName, input.Width, [input], input.Layer)
    {
        Head = head;
        Mode = mode;
    }

    /// <inheritdoc/>
    public override LayerKind Kind => LayerKind.Output;

    /// <summary>The function applied to the last value.</summary>
    public OutputHead Head { get; }

    /// <summary>The force of the head's edge on its tail in the heat equation (irrelevant for the identity head).</summary>
    public OutputEdgeMode Mode { get; }

    internal override double[] Evaluate(IReadOnlyList<double[]> inputs) => OutputHeads.Apply(Head, inputs[0]);
}

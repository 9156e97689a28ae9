using ResidualSheaf.Models.Graph;

namespace ResidualSheaf.Models.Onnx;

/// <summary>
/// One operation of the intermediate form an ONNX graph is read into before it becomes a layer graph: a bias can still be folded
/// into the affine map before it (MatMul followed by Add), and a bias-free projection on a skip path still be recognised.
/// </summary>
internal abstract class OnnxOp(string name, int width)
{
    /// <summary>Name of the tensor holding the value (the sheaf vertex's name).</summary>
    public string Name { get; set; } = name;

    /// <summary>Dimension of the value.</summary>
    public int Width { get; } = width;

    /// <summary>The operations whose values this one reads.</summary>
    public virtual IReadOnlyList<OnnxOp> Sources => [];

    /// <summary>True when this operation reads <paramref name="op"/>'s value.</summary>
    public bool Reads(OnnxOp op) => Sources.Contains(op);
}

/// <summary>The graph input.</summary>
internal sealed class OnnxInputOp(string name, int width) : OnnxOp(name, width);

/// <summary>W h + b computed by one node (Gemm, MatMul, or an Add of a constant), its bias possibly folded in later.</summary>
internal sealed class OnnxAffineOp(string name, string node, string parameter, OnnxOp source, int width, double[] weight) : OnnxOp(name, width)
{
    /// <summary>The ONNX node that computes it (the sheaf edge's name).</summary>
    public string Node { get; } = node;

    /// <summary>Parameter prefix ("fc1" for an initializer "fc1.weight").</summary>
    public string Parameter { get; } = parameter;

    /// <summary>The value it reads.</summary>
    public OnnxOp Source { get; } = source;

    /// <inheritdoc/>
    public override IReadOnlyList<OnnxOp> Sources => [Source];

    /// <summary>Row-major Width × Source.Width.</summary>
    public double[] Weight { get; } = weight;

    /// <summary>The bias, or null.</summary>
    public double[]? Bias { get; set; }
}

/// <summary>The elementwise ReLU.</summary>
internal sealed class OnnxReluOp(string name, string node, OnnxOp source) : OnnxOp(name, source.Width)
{
    /// <summary>The ONNX node (the sheaf edge's name).</summary>
    public string Node { get; } = node;

    /// <summary>The value it reads.</summary>
    public OnnxOp Source { get; } = source;

    /// <inheritdoc/>
    public override IReadOnlyList<OnnxOp> Sources => [Source];
}

/// <summary>The sum of two branches (a residual join).</summary>
internal sealed class OnnxSumOp(string name, string node, OnnxOp[] addends) : OnnxOp(name, addends[0].Width)
{
    /// <summary>The ONNX node.</summary>
    public string Node { get; } = node;

    /// <summary>The addends in the node's input order.</summary>
    public OnnxOp[] Addends { get; } = addends;

    /// <inheritdoc/>
    public override IReadOnlyList<OnnxOp> Sources => Addends;
}

/// <summary>A sigmoid or softmax (last axis) on the graph's output: the Output node's head, not a layer of its own.</summary>
internal sealed class OnnxHeadOp(string name, string node, OutputHead head, OnnxOp source) : OnnxOp(name, source.Width)
{
    /// <summary>The ONNX node (named in errors).</summary>
    public string Node { get; } = node;

    /// <summary>Sigmoid or softmax.</summary>
    public OutputHead Head { get; } = head;

    /// <summary>The value it reads (the logits z).</summary>
    public OnnxOp Source { get; } = source;

    /// <inheritdoc/>
    public override IReadOnlyList<OnnxOp> Sources => [Source];
}

/// <summary>A graph value with its ONNX shape (batch axes resolved to 1); a vector has at most one axis longer than 1.</summary>
/// <param name="Op">The operation computing it.</param>
/// <param name="Dims">Its ONNX shape.</param>
internal sealed record OnnxValue(OnnxOp Op, long[] Dims)
{
    /// <summary>Shape as text.</summary>
    public string ShapeText => $"[{string.Join(", ", Dims)}]";
}

/// <summary>A 2-D convolution K h + b (ONNX Conv, groups = 1), a BatchNormalization after it possibly folded into K and b later.</summary>
internal sealed class OnnxConvOp(string name, string node, OnnxOp source, Engine.Sheaves.Conv2dGeometry geometry, double[] kernel, double[] bias)
    : OnnxOp(name, geometry.OutDimension)
{
    /// <summary>The ONNX node that computes it (the sheaf edge's name).</summary>
    public string Node { get; } = node;

    /// <summary>The value it reads.</summary>
    public OnnxOp Source { get; } = source;

    /// <inheritdoc/>
    public override IReadOnlyList<OnnxOp> Sources => [Source];

    /// <summary>The shape of the convolution.</summary>
    public Engine.Sheaves.Conv2dGeometry Geometry { get; } = geometry;

    /// <summary>Kernel [C_out, C_in, k_h, k_w], row-major.</summary>
    public double[] Kernel { get; } = kernel;

    /// <summary>Per-pixel bias (C_out·H_out·W_out entries, each channel's constant repeated).</summary>
    public double[] Bias { get; } = bias;
}

/// <summary>A bias-free matrix-free linear map (AveragePool, GlobalAveragePool).</summary>
internal sealed class OnnxPoolOp(string name, string node, OnnxOp source, Engine.Sheaves.RestrictionMap map) : OnnxOp(name, map.Rows)
{
    /// <summary>The ONNX node that computes it (the sheaf edge's name).</summary>
    public string Node { get; } = node;

    /// <summary>The value it reads.</summary>
    public OnnxOp Source { get; } = source;

    /// <inheritdoc/>
    public override IReadOnlyList<OnnxOp> Sources => [Source];

    /// <summary>The pool.</summary>
    public Engine.Sheaves.RestrictionMap Map { get; } = map;
}

using Onnx;
using ResidualSheaf.Engine.Sheaves;

namespace ResidualSheaf.Models.Onnx;

/// <summary>
/// The image operators: Conv, BatchNormalization (inference form, folded into the Conv before it), AveragePool and
/// GlobalAveragePool on [1, C, H, W] values. Attributes the engine does not implement (groups &gt; 1, auto_pad SAME_*, ceil_mode)
/// and inconsistent shapes are refused naming the node.
/// </summary>
internal sealed partial class OnnxGraphReader
{
    private void Conv(NodeProto n, string name)
    {
        var x = Image(n, name);
        var w = Constant(n, 1, name);
        if (w.Dims.Length != 4) throw new OnnxModelException(name, $"Conv weight '{n.Input[1]}' has shape {w.ShapeText}; a 2-D convolution needs [C_out, C_in, k_h, k_w]");
        long group = IntAttribute(n, "group", 1);
        if (group != 1) throw new OnnxModelException(name, $"Conv with group = {group} is not supported (groups = 1 only)");
        if (w.Dims[1] != x.Dims[1])
            throw new OnnxModelException(name, $"inconsistent shapes: input {x.ShapeText} has {x.Dims[1]} channels but weight {w.ShapeText} expects {w.Dims[1]}");
        var kernel = Ints(n, "kernel_shape", [w.Dims[2], w.Dims[3]], name);
        if (kernel[0] != w.Dims[2] || kernel[1] != w.Dims[3])
            throw new OnnxModelException(name, $"kernel_shape [{kernel[0]}, {kernel[1]}] differs from the weight {w.ShapeText}");
        var geometry = Window(n, name, x, (int)w.Dims[0], kernel, dilations: true);
        int co = geometry.OutChannels, pixels = geometry.OutHeight * geometry.OutWidth;
        var bias = new double[geometry.OutDimension];
        if (n.Input.Count > 2 && n.Input[2].Length > 0)
        {
            var b = Constant(n, 2, name);
            if (b.Values.Length != co) throw new OnnxModelException(name, $"Conv bias {b.ShapeText} does not have {co} entries");
            for (int o = 0; o < co; o++) bias.AsSpan(o * pixels, pixels).Fill(b.Values[o]);
        }
        var op = new OnnxConvOp(n.Output[0], name, x.Op, geometry, (double[])w.Values.Clone(), bias);
        _ops.Add(op);
        Bind(n, op, [1, co, geometry.OutHeight, geometry.OutWidth]);
    }

    /// <summary>
    /// y = γ (x − μ)/√(σ² + ε) + β per channel, folded into the Conv whose value it reads: K ← diag(s) K, b ← s (b − μ) + β with
    /// s = γ/√(σ² + ε). Folding keeps the sheaf's vertices those of the exported network's eval-mode graph (PyTorch folds the same
    /// way when it exports in eval mode), and a BatchNormalization elsewhere is refused.
    /// </summary>
    private void BatchNormalization(NodeProto n, string name)
    {
        var x = Image(n, name);
        if (IntAttribute(n, "training_mode", 0) != 0) throw new OnnxModelException(name, "BatchNormalization in training mode is not supported; export in eval mode");
        if (n.Output.Count != 1) throw new OnnxModelException(name, "BatchNormalization with running-statistics outputs (training mode) is not supported");
        if (x.Op is not OnnxConvOp conv || conv.Name != n.Input[0] || Uses(n.Input[0]) != 1)
            throw new OnnxModelException(name, "BatchNormalization is supported only right after a Conv whose only use it is (it is folded into the Conv)");
        double eps = FloatAttribute(n, "epsilon", 1e-5);
        int c = (int)x.Dims[1], pixels = conv.Geometry.OutHeight * conv.Geometry.OutWidth;
        var p = new double[4][];
        for (int k = 0; k < 4; k++)
        {
            var t = Constant(n, k + 1, name);
            if (t.Values.Length != c) throw new OnnxModelException(name, $"BatchNormalization input '{n.Input[k + 1]}' {t.ShapeText} does not have {c} entries");
            p[k] = t.Values;
        }
        var (gamma, beta, mean, variance) = (p[0], p[1], p[2], p[3]);
        int taps = conv.Kernel.Length / c;
        for (int o = 0; o < c; o++)
        {
            double s = gamma[o] / Math.Sqrt(variance[o] + eps);
            for (int k = 0; k < taps; k++) conv.Kernel[o * taps + k] *= s;
            for (int q = 0; q < pixels; q++) conv.Bias[o * pixels + q] = s * (conv.Bias[o * pixels + q] - mean[o]) + beta[o];
        }
        conv.Name = n.Output[0];
        Bind(n, conv, x.Dims);
    }

    private void AveragePool(NodeProto n, string name)
    {
        var x = Image(n, name);
        if (IntAttribute(n, "ceil_mode", 0) != 0) throw new OnnxModelException(name, "AveragePool with ceil_mode = 1 is not supported");
        var kernel = Ints(n, "kernel_shape", null, name);
        var geometry = Window(n, name, x, (int)x.Dims[1], kernel, dilations: false);
        var map = new AveragePool2dMap(geometry, IntAttribute(n, "count_include_pad", 0) != 0);
        Pool(n, name, x, map, geometry);
    }

    private void GlobalAveragePool(NodeProto n, string name)
    {
        var x = Image(n, name);
        var map = AveragePool2dMap.Global((int)x.Dims[1], (int)x.Dims[2], (int)x.Dims[3]);
        Pool(n, name, x, map, map.Geometry);
    }

    private void Pool(NodeProto n, string name, OnnxValue x, RestrictionMap map, Conv2dGeometry geometry)
    {
        var op = new OnnxPoolOp(n.Output[0], name, x.Op, map);
        _ops.Add(op);
        Bind(n, op, [1, x.Dims[1], geometry.OutHeight, geometry.OutWidth]);
    }

    /// <summary>The node's first input as an image [1, C, H, W].</summary>
    private OnnxValue Image(NodeProto n, string name)
    {
        var x = Activation(n, 0, name);
        if (x.Dims.Length != 4 || x.Dims[0] != 1)
            throw new OnnxModelException(name, $"{n.OpType} needs an image [1, C, H, W]; input '{n.Input[0]}' has shape {x.ShapeText}");
        return x;
    }

    /// <summary>Strides, pads, dilations and auto_pad (NOTSET or VALID) of a 2-D window, checked against the input's size.</summary>
    private static Conv2dGeometry Window(NodeProto n, string name, OnnxValue x, int outChannels, long[] kernel, bool dilations)
    {
        if (kernel.Length != 2) throw new OnnxModelException(name, $"kernel_shape has {kernel.Length} entries; a 2-D window needs 2");
        string autoPad = Attribute(n, "auto_pad")?.S.ToStringUtf8() ?? "NOTSET";
        if (autoPad is not ("NOTSET" or "VALID" or ""))
            throw new OnnxModelException(name, $"auto_pad = {autoPad} is not supported (NOTSET with explicit pads, or VALID)");
        var strides = Ints(n, "strides", [1, 1], name);
        var pads = autoPad == "VALID" ? [0, 0, 0, 0] : Ints(n, "pads", [0, 0, 0, 0], name);
        var dil = dilations ? Ints(n, "dilations", [1, 1], name) : [1, 1];
        if (strides.Length != 2 || pads.Length != 4 || dil.Length != 2)
            throw new OnnxModelException(name, "strides, dilations need 2 entries and pads 4 for a 2-D window");
        var g = new Conv2dGeometry((int)x.Dims[1], (int)x.Dims[2], (int)x.Dims[3], outChannels, (int)kernel[0], (int)kernel[1],
            (int)strides[0], (int)strides[1], (int)pads[0], (int)pads[1], (int)pads[2], (int)pads[3], (int)dil[0], (int)dil[1]);
        try
        {
            g.Validate();
        }
        catch (ArgumentException e)
        {
            throw new OnnxModelException(name, $"inconsistent shapes: input {x.ShapeText}, kernel [{kernel[0]}, {kernel[1]}]: {e.Message}");
        }
        return g;
    }

    private static long[] Ints(NodeProto n, string attribute, long[]? defaultValue, string name) =>
        Attribute(n, attribute) is { } a ? [.. a.Ints]
        : defaultValue ?? throw new OnnxModelException(name, $"{n.OpType} needs the attribute {attribute}");
}

using Onnx;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Graph;

namespace ResidualSheaf.Models.Onnx;

/// <summary>
/// The image half of <see cref="OnnxWriter"/>: values of a convolutional graph are [1, C, H, W] tensors (as PyTorch exports them
/// and <see cref="OnnxNetwork"/> reads them), a convolution is a Conv node with its kernel and per-channel bias, a pool an
/// AveragePool or GlobalAveragePool, and the first dense layer reads through a Flatten. The shapes come from the operators'
/// <see cref="Conv2dGeometry"/>, the only place a flat layer graph keeps them.
/// </summary>
internal sealed class OnnxImageLayers(GraphProto graph)
{
    private readonly Dictionary<LayerNode, long[]> _image = [];

    /// <summary>True when <paramref name="node"/>'s value is an image.</summary>
    public bool IsImage(LayerNode node) => _image.ContainsKey(node);

    /// <summary>The graph input: an image when an image operator reads it, otherwise [batch, width].</summary>
    public ValueInfoProto Input(LayerGraph lg, InputNode input)
    {
        var reader = lg.Nodes.OfType<OperatorNode>().FirstOrDefault(o => o.Inputs[0] == input);
        if (reader is null) return OnnxWriter.Value(input.Name, input.Width);
        var g = Geometry(reader);
        _image[input] = [1, g.InChannels, g.Height, g.Width];
        return OnnxWriter.Value(input.Name, _image[input]);
    }

    /// <summary>A ReLU or a sum: the same shape as its (first) input.</summary>
    public void Keep(LayerNode node, LayerNode input)
    {
        if (_image.TryGetValue(input, out var dims)) _image[node] = dims;
    }

    /// <summary>The graph output: [1, …] in a graph of images (their batch is fixed at 1), else [batch, width].</summary>
    public ValueInfoProto Output(string name, LayerNode source, int width) =>
        _image.Count == 0 ? OnnxWriter.Value(name, width)
        : OnnxWriter.Value(name, _image.TryGetValue(source, out var dims) ? dims : [1, width]);

    /// <summary>The tensor a dense layer reads: <paramref name="input"/> itself, or its Flatten (axis 1) when it is an image.</summary>
    public string Flat(LinearNode layer, string input, LayerNode source)
    {
        if (!_image.ContainsKey(source)) return input;
        string flat = $"{input}_flat";
        var n = OnnxWriter.NodeOf("Flatten", $"{layer.EdgeName}_flatten", [input], flat);
        n.Attribute.Add(Int("axis", 1));
        graph.Node.Add(n);
        return flat;
    }

    /// <summary>Writes an image operator reading <paramref name="input"/> (the value of <paramref name="source"/>).</summary>
    /// <exception cref="NotSupportedException">The operator reads a flat value, or has a map or bias with no ONNX form here.</exception>
    public void Operator(OperatorNode o, string input, LayerNode source)
    {
        var g = Geometry(o);
        if (!_image.TryGetValue(source, out var dims) || dims[1] != g.InChannels || dims[2] != g.Height || dims[3] != g.Width)
            throw new NotSupportedException($"no ONNX writer for '{o.Name}': its input '{source.Name}' is not a [1, {g.InChannels}, {g.Height}, {g.Width}] image");
        NodeProto n;
        switch (o.Map)
        {
            case Conv2dMap conv:
                var inputs = new List<string> { input, o.Name + ".weight" };
                graph.Initializer.Add(OnnxWriter.Tensor(o.Name + ".weight", [g.OutChannels, g.InChannels, g.KernelHeight, g.KernelWidth], conv.Kernel.ToArray()));
                if (o.Bias is not null)
                {
                    inputs.Add(o.Name + ".bias");
                    graph.Initializer.Add(OnnxWriter.Tensor(o.Name + ".bias", [g.OutChannels], ChannelBias(o, g)));
                }
                n = OnnxWriter.NodeOf("Conv", o.EdgeName, inputs, o.Name);
                Window(n, g);
                n.Attribute.Add(Ints("dilations", g.DilationH, g.DilationW));
                n.Attribute.Add(Int("group", 1));
                break;
            case AveragePool2dMap pool when o.Bias is null:
                bool global = g.KernelHeight == g.Height && g.KernelWidth == g.Width && g.OutHeight == 1 && g.OutWidth == 1
                    && g.PadTop + g.PadLeft + g.PadBottom + g.PadRight == 0;
                n = OnnxWriter.NodeOf(global ? "GlobalAveragePool" : "AveragePool", o.EdgeName, [input], o.Name);
                if (!global)
                {
                    Window(n, g);
                    n.Attribute.Add(Int("count_include_pad", pool.CountIncludePad ? 1 : 0));
                }
                break;
            default:
                throw new NotSupportedException($"no ONNX writer for the operator '{o.Name}' ({o.Map.GetType().Name}{(o.Bias is null ? "" : " with a bias")})");
        }
        graph.Node.Add(n);
        _image[o] = [1, g.OutChannels, g.OutHeight, g.OutWidth];
    }

    private static Conv2dGeometry Geometry(OperatorNode o) => o.Map switch
    {
        Conv2dMap c => c.Geometry,
        AveragePool2dMap p => p.Geometry,
        _ => throw new NotSupportedException($"no ONNX writer for the operator '{o.Name}' ({o.Map.GetType().Name})"),
    };

    /// <summary>The Conv bias per output channel; the engine stores it per output element, which ONNX's B cannot express unless constant over each channel.</summary>
    private static double[] ChannelBias(OperatorNode o, Conv2dGeometry g)
    {
        int pixels = g.OutHeight * g.OutWidth;
        var b = new double[g.OutChannels];
        for (int c = 0; c < g.OutChannels; c++)
        {
            b[c] = o.Bias![c * pixels];
            for (int q = 1; q < pixels; q++)
                if (o.Bias[c * pixels + q] != b[c])
                    throw new NotSupportedException($"no ONNX writer for '{o.Name}': its bias varies within channel {c}, which a Conv bias cannot express");
        }
        return b;
    }

    private static void Window(NodeProto n, Conv2dGeometry g)
    {
        n.Attribute.Add(Ints("kernel_shape", g.KernelHeight, g.KernelWidth));
        n.Attribute.Add(Ints("strides", g.StrideH, g.StrideW));
        n.Attribute.Add(Ints("pads", g.PadTop, g.PadLeft, g.PadBottom, g.PadRight));
    }

    private static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }
}

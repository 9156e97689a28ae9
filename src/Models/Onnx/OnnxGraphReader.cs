using Google.Protobuf;
using Onnx;
using ResidualSheaf.Models.Graph;

namespace ResidualSheaf.Models.Onnx;

/// <summary>
/// Reads an ONNX model (a PyTorch export) into the intermediate operations of <see cref="OnnxOp"/>: weights from initializers
/// and Constant nodes (float32/float64 → float64), shapes checked node by node with the batch axis resolved to 1. Every problem
/// is an <see cref="OnnxModelException"/> naming the node.
/// </summary>
internal sealed partial class OnnxGraphReader
{
    private readonly Dictionary<string, OnnxTensor> _constants = [];
    private readonly Dictionary<string, OnnxValue> _values = [];
    private readonly Dictionary<string, int> _uses = [];
    private readonly List<OnnxOp> _ops = [];
    private readonly long _opset;

    private const string Supported = "Gemm, MatMul, Add, Relu, Conv, BatchNormalization (after a Conv), AveragePool, GlobalAveragePool, Identity, Flatten, Reshape, Constant, and Sigmoid or Softmax as the last node";

    private OnnxGraphReader(long opset)
    {
        _opset = opset;
    }

    /// <summary>The operations in topological order, the input first.</summary>
    public IReadOnlyList<OnnxOp> Ops => _ops;

    /// <summary>The operation whose value is the graph's output.</summary>
    public OnnxOp Output { get; private set; } = null!;

    /// <summary>True when the graph input is float32 (the model runs in single precision), false for float64.</summary>
    public bool IsFloat32 { get; private set; }

    /// <summary>Parses the bytes of an .onnx file; <paramref name="source"/> names it in errors.</summary>
    public static ModelProto Parse(byte[] bytes, string source)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxModelException(null, $"'{source}' is not an ONNX model ({e.Message})");
        }
        if (model.Graph is null || model.Graph.Node.Count == 0 || model.IrVersion <= 0)
            throw new OnnxModelException(null, $"'{source}' is not an ONNX model (no graph with nodes and an IR version)");
        return model;
    }

    /// <summary>Reads the model's graph.</summary>
    public static OnnxGraphReader Read(ModelProto model)
    {
        // The default ONNX domain's opset fixes Softmax's default axis (1 before opset 13, −1 from 13 on).
        long opset = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(13).Max();
        var reader = new OnnxGraphReader(opset);
        reader.ReadGraph(model.Graph);
        return reader;
    }

    private void ReadGraph(GraphProto g)
    {
        foreach (var t in g.Initializer) _constants[t.Name] = OnnxTensor.From(t, $"initializer {t.Name}");
        foreach (var n in g.Node)
            foreach (var i in n.Input)
                _uses[i] = _uses.GetValueOrDefault(i) + 1;
        foreach (var o in g.Output) _uses[o.Name] = _uses.GetValueOrDefault(o.Name) + 1;

        var inputs = g.Input.Where(i => !_constants.ContainsKey(i.Name)).ToArray();
        if (inputs.Length != 1)
            throw new OnnxModelException(null, $"the graph has {inputs.Length} inputs ({string.Join(", ", inputs.Select(i => i.Name))}); one input vector is supported");
        ReadInput(inputs[0]);

        foreach (var n in g.Node) ReadNode(n);

        if (g.Output.Count != 1)
            throw new OnnxModelException(null, $"the graph has {g.Output.Count} outputs; one output vector is supported");
        if (!_values.TryGetValue(g.Output[0].Name, out var output))
            throw new OnnxModelException(null, $"the graph output '{g.Output[0].Name}' is not computed from the input");
        Output = output.Op;
        // A head is the graph's last operation: nothing may read its value, and it must be what the graph outputs.
        foreach (var head in _ops.OfType<OnnxHeadOp>())
            if (head != Output || _ops.Any(o => o.Reads(head)))
                throw new OnnxModelException(head.Node,
                    $"{OutputHeads.Name(head.Head)} is not the last node before the graph output; a sigmoid or softmax is only mapped as the output head");
    }

    private void ReadInput(ValueInfoProto input)
    {
        var tensor = input.Type?.TensorType
            ?? throw new OnnxModelException(null, $"graph input '{input.Name}' is not a tensor");
        IsFloat32 = (TensorProto.Types.DataType)tensor.ElemType switch
        {
            TensorProto.Types.DataType.Float => true,
            TensorProto.Types.DataType.Double => false,
            var other => throw new OnnxModelException(null, $"graph input '{input.Name}' has element type {other}; float or double is supported"),
        };
        if (tensor.Shape is null || tensor.Shape.Dim.Count == 0)
            throw new OnnxModelException(null, $"graph input '{input.Name}' has no shape; export with a fixed feature dimension");
        var dims = new long[tensor.Shape.Dim.Count];
        for (int a = 0; a < dims.Length; a++)
        {
            var d = tensor.Shape.Dim[a];
            if (d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && d.DimValue > 0) dims[a] = d.DimValue;
            else if (a == 0 && dims.Length > 1) dims[a] = 1; // the batch axis: one input vector at a time
            else
                throw new OnnxModelException(null,
                    $"graph input '{input.Name}': dimension {a} ('{d.DimParam}') is dynamic and cannot be resolved from the input size; only the batch axis (0) may be");
        }
        // An image [1, C, H, W] for the convolutional operators; otherwise a vector.
        if (dims.Count(d => d != 1) > 1 && !(dims.Length == 4 && dims[0] == 1))
            throw new OnnxModelException(null, $"graph input '{input.Name}' has shape [{string.Join(", ", dims)}]; a single vector (batch 1) or image [1, C, H, W] is supported");
        var op = new OnnxInputOp(input.Name, (int)dims.Aggregate(1L, (p, d) => p * d));
        _ops.Add(op);
        _values[input.Name] = new OnnxValue(op, dims);
    }

    /// <summary>The name a node is reported by: its ONNX name, or its operator and first output when it has none.</summary>
    internal static string NodeName(NodeProto n) => n.Name.Length > 0 ? n.Name : $"{n.OpType}→{n.Output.FirstOrDefault()}";

    private void ReadNode(NodeProto n)
    {
        string name = NodeName(n);
        foreach (var i in n.Input)
            if (i.Length > 0 && !_values.ContainsKey(i) && !_constants.ContainsKey(i))
                throw new OnnxModelException(name, $"input '{i}' is neither computed by an earlier node nor an initializer (missing initializer?)");
        switch (n.OpType)
        {
            case "Constant": ReadConstant(n, name); return;
            case "Gemm": Gemm(n, name); return;
            case "MatMul": MatMul(n, name); return;
            case "Add": Add(n, name); return;
            case "Relu": Relu(n, name); return;
            case "Conv": Conv(n, name); return;
            case "BatchNormalization": BatchNormalization(n, name); return;
            case "AveragePool": AveragePool(n, name); return;
            case "GlobalAveragePool": GlobalAveragePool(n, name); return;
            case "Identity": Alias(n, name, Activation(n, 0, name).Dims); return;
            case "Flatten": Flatten(n, name); return;
            case "Reshape": Reshape(n, name); return;
            case "Sigmoid": Head(n, name, OutputHead.Sigmoid); return;
            case "Softmax": Head(n, name, OutputHead.Softmax); return;
            case "LogSoftmax":
                throw new OnnxModelException(name,
                    "operator LogSoftmax is not supported: log-probabilities are not an output head of the sheaf; export the Softmax (or the logits)");
            default:
                throw new OnnxModelException(name,
                    $"unsupported operator {n.OpType} (supported: {Supported})");
        }
    }

    private int Uses(string tensor) => _uses.GetValueOrDefault(tensor);

    private bool IsConstant(NodeProto n, int input) => _constants.ContainsKey(n.Input[input]);

    private OnnxTensor Constant(NodeProto n, int input, string name) =>
        _constants.TryGetValue(n.Input[input], out var t)
            ? t
            : throw new OnnxModelException(name, $"input '{n.Input[input]}' should be a constant but is neither an initializer nor a Constant output (missing initializer?)");

    private OnnxValue Activation(NodeProto n, int input, string name)
    {
        if (input >= n.Input.Count || n.Input[input].Length == 0)
            throw new OnnxModelException(name, $"{n.OpType} needs input {input}");
        if (_values.TryGetValue(n.Input[input], out var v)) return v;
        if (_constants.ContainsKey(n.Input[input]))
            throw new OnnxModelException(name, $"input '{n.Input[input]}' is a constant where the {n.OpType} expects a value computed from the graph input");
        throw new OnnxModelException(name, $"input '{n.Input[input]}' is neither computed by an earlier node nor an initializer (missing initializer?)");
    }

    private void Bind(NodeProto n, OnnxOp op, long[] dims)
    {
        if (n.Output.Count != 1) throw new OnnxModelException(NodeName(n), $"{n.OpType} with {n.Output.Count} outputs is not supported");
        _values[n.Output[0]] = new OnnxValue(op, dims);
    }

    private static AttributeProto? Attribute(NodeProto n, string name) => n.Attribute.FirstOrDefault(a => a.Name == name);

    private static long IntAttribute(NodeProto n, string name, long defaultValue) => Attribute(n, name)?.I ?? defaultValue;

    private static double FloatAttribute(NodeProto n, string name, double defaultValue) => Attribute(n, name) is { } a ? a.F : defaultValue;
}

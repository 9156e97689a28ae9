using Google.Protobuf;
using Onnx;
using ResidualSheaf.Models.Graph;
using ResidualSheaf.Models.Networks;

namespace ResidualSheaf.Models.Onnx;

/// <summary>
/// Writes a network's <see cref="LayerGraph"/> as an ONNX model in float64 (opset 13): Gemm (transB = 1, PyTorch's layout) per
/// affine layer with initializers "&lt;layer&gt;.weight" / ".bias", Relu, and per addition a bias-free Gemm for each projection and
/// Adds of the addends, and a sigmoid or softmax head as a final Sigmoid / Softmax (axis −1) node. Image layers (a graph read
/// from a convolutional ONNX model) are written as Conv, AveragePool or GlobalAveragePool on [1, C, H, W] values, with a
/// Flatten before the first Gemm (<see cref="OnnxImageLayers"/>). Tensors carry the graph's node names and nodes its edge names,
/// so reading the file back (<see cref="OnnxNetwork"/>) gives the same layer graph and sheaf: the round trip.
/// </summary>
public static class OnnxWriter
{
    /// <summary>The ONNX model of <paramref name="network"/> as bytes.</summary>
    public static byte[] Write(INetwork network)
    {
        var lg = network.Graph;
        var g = new GraphProto { Name = network.Describe() };
        var tensor = new Dictionary<LayerNode, string>();
        var images = new OnnxImageLayers(g);
        foreach (var node in lg.Nodes)
        {
            switch (node)
            {
                case InputNode input:
                    g.Input.Add(images.Input(lg, input));
                    tensor[input] = input.Name;
                    break;
                case OperatorNode o:
                    images.Operator(o, tensor[o.Inputs[0]], o.Inputs[0]);
                    tensor[o] = o.Name;
                    break;
                case LinearNode l:
                    Gemm(g, images.Flat(l, tensor[l.Inputs[0]], l.Inputs[0]), l.Linear, l.Name, l.EdgeName);
                    tensor[l] = l.Name;
                    break;
                case ReluNode r:
                    g.Node.Add(NodeOf("Relu", r.EdgeName, [tensor[r.Inputs[0]]], r.Name));
                    images.Keep(r, r.Inputs[0]);
                    tensor[r] = r.Name;
                    break;
                case AddNode a:
                    var terms = new List<string>();
                    for (int k = 0; k < a.Inputs.Count; k++)
                    {
                        var p = a.Projections[k];
                        if (p is null)
                        {
                            terms.Add(tensor[a.Inputs[k]]);
                            continue;
                        }
                        if (images.IsImage(a.Inputs[k]))
                            throw new NotSupportedException($"no ONNX writer for a projection of the image addend '{a.Inputs[k].Name}' of '{a.Name}'");
                        string projected = $"{p.Name}{a.Scope}_out";
                        Gemm(g, tensor[a.Inputs[k]], p, projected, $"{p.Name}{a.Scope}");
                        terms.Add(projected);
                    }
                    // Σ addends as a chain of binary Adds; the last one produces the addition's own tensor.
                    string acc = terms[0];
                    for (int k = 1; k < terms.Count; k++)
                    {
                        string output = k == terms.Count - 1 ? a.Name : $"{a.Name}_partial{k}";
                        g.Node.Add(NodeOf("Add", k == terms.Count - 1 ? $"add{a.Scope}" : $"add{a.Scope}_{k}", [acc, terms[k]], output));
                        acc = output;
                    }
                    images.Keep(a, a.Inputs[0]);
                    tensor[a] = a.Name;
                    break;
                case OutputNode { Head: OutputHead.Identity } o:
                    g.Output.Add(images.Output(tensor[o.Inputs[0]], o.Inputs[0], o.Width));
                    break;
                case OutputNode o:
                    // The head as PyTorch exports it: Sigmoid, or Softmax over the last axis, producing a_out. The edge mode
                    // (jacobian or identity) is the sheaf's, not the function's, so the file does not carry it.
                    var head = NodeOf(o.Head == OutputHead.Sigmoid ? "Sigmoid" : "Softmax", OutputHeads.EdgeName, [tensor[o.Inputs[0]]], o.Name);
                    if (o.Head == OutputHead.Softmax)
                        head.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = -1 });
                    g.Node.Add(head);
                    g.Output.Add(images.Output(o.Name, o.Inputs[0], o.Width));
                    break;
                default:
                    throw new NotSupportedException($"no ONNX writer for {node.Kind} nodes");
            }
        }
        var model = new ModelProto { IrVersion = 8, ProducerName = "ResidualSheaf", Graph = g };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model.ToByteArray();
    }

    private static void Gemm(GraphProto g, string input, LinearLayer layer, string output, string name)
    {
        var inputs = new List<string> { input, layer.Name + ".weight" };
        g.Initializer.Add(Tensor(layer.Name + ".weight", [layer.Out, layer.In], layer.Weight));
        if (layer.Bias is not null)
        {
            inputs.Add(layer.Name + ".bias");
            g.Initializer.Add(Tensor(layer.Name + ".bias", [layer.Out], layer.Bias));
        }
        var n = NodeOf("Gemm", name, inputs, output);
        n.Attribute.Add(new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        g.Node.Add(n);
    }

    internal static NodeProto NodeOf(string op, string name, IEnumerable<string> inputs, string output)
    {
        var n = new NodeProto { OpType = op, Name = name };
        n.Input.AddRange(inputs);
        n.Output.Add(output);
        return n;
    }

    internal static TensorProto Tensor(string name, long[] dims, double[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Double };
        t.Dims.AddRange(dims);
        t.DoubleData.AddRange(values);
        return t;
    }

    /// <summary>A float64 value [batch, width] with a symbolic batch axis, as PyTorch exports with dynamic_axes.</summary>
    internal static ValueInfoProto Value(string name, int width) => Value(name, [-1, width]);

    /// <summary>A float64 value of the given shape; −1 is the symbolic batch axis.</summary>
    internal static ValueInfoProto Value(string name, long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (long d in dims)
            shape.Dim.Add(d < 0 ? new TensorShapeProto.Types.Dimension { DimParam = "batch" } : new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Double, Shape = shape } },
        };
    }
}

using Google.Protobuf;
using Onnx;
using ResidualSheaf.Models.Onnx;

namespace ResidualSheaf.Tests.Models.Onnx;

/// <summary>
/// ONNX Runtime's native library loads on this machine (and on CI, which runs the same restore) and computes a float64
/// Gemm → Relu → Add → Softmax graph written here, checked against the numbers worked by hand.
/// </summary>
public sealed class OnnxRuntimeLoadTests
{
    [Fact]
    public void Float64GemmReluAddSoftmaxMatchesHandComputation()
    {
        var graph = new GraphProto { Name = "hand" };
        graph.Node.Add(Node("Gemm", ["x", "W", "b"], "h", ("transB", 1)));
        graph.Node.Add(Node("Relu", ["h"], "a"));
        graph.Node.Add(Node("Add", ["a", "x"], "s"));
        graph.Node.Add(Node("Softmax", ["s"], "y", ("axis", -1)));
        graph.Initializer.Add(Tensor("W", [2, 2], [1, -1, 2, 1]));
        graph.Initializer.Add(Tensor("b", [2], [0.5, -0.5]));
        graph.Input.Add(Value("x", [1, 2]));
        graph.Output.Add(Value("y", [1, 2]));
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });

        using var ort = OnnxRuntimeReference.FromBytes(model.ToByteArray());
        var y = ort.Forward([1.0, -2.0]);

        // x Wᵀ + b = [1·1 − 1·(−2), 2·1 + 1·(−2)] + b = [3.5, −0.5]; ReLU → [3.5, 0]; + x → [4.5, −2]; softmax.
        double p0 = 1 / (1 + Math.Exp(-6.5));
        Assert.False(ort.IsFloat32);
        Assert.Equal(2, y.Length);
        Assert.True(Math.Abs(y[0] - p0) <= 1e-15, $"{y[0]} vs {p0}");
        Assert.True(Math.Abs(y[1] - (1 - p0)) <= 1e-15, $"{y[1]} vs {1 - p0}");
    }

    internal static NodeProto Node(string op, string[] inputs, string output, params (string Name, long Value)[] ints)
    {
        var n = new NodeProto { OpType = op, Name = op.ToLowerInvariant() + "_" + output };
        n.Input.AddRange(inputs);
        n.Output.Add(output);
        foreach (var (name, v) in ints) n.Attribute.Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = v });
        return n;
    }

    internal static TensorProto Tensor(string name, long[] dims, double[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Double };
        t.Dims.AddRange(dims);
        t.DoubleData.AddRange(values);
        return t;
    }

    internal static ValueInfoProto Value(string name, long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Double, Shape = shape } },
        };
    }
}

using Google.Protobuf;
using Onnx;

namespace ResidualSheaf.Models.Onnx;

/// <summary>
/// A copy of an ONNX model in the other floating-point precision (every float tensor, Constant and value type switched between
/// float32 and float64), so ONNX Runtime can give both a float64 and a float32 reference for any model file.
/// </summary>
public static class OnnxPrecision
{
    /// <summary>The model's bytes with its float tensors in float32 (<paramref name="float32"/>) or float64; data converted.</summary>
    public static byte[] Convert(byte[] model, bool float32)
    {
        var m = ModelProto.Parser.ParseFrom(model);
        var from = float32 ? TensorProto.Types.DataType.Double : TensorProto.Types.DataType.Float;
        var to = float32 ? TensorProto.Types.DataType.Float : TensorProto.Types.DataType.Double;
        var g = m.Graph;
        foreach (var t in g.Initializer) ConvertTensor(t, from, to);
        foreach (var n in g.Node)
            foreach (var a in n.Attribute)
                if (a.T is not null) ConvertTensor(a.T, from, to);
        foreach (var v in g.Input.Concat(g.Output).Concat(g.ValueInfo))
            if (v.Type?.TensorType is { } tt && tt.ElemType == (int)from) tt.ElemType = (int)to;
        return m.ToByteArray();
    }

    private static void ConvertTensor(TensorProto t, TensorProto.Types.DataType from, TensorProto.Types.DataType to)
    {
        if (t.DataType != (int)from) return;
        var values = OnnxTensor.From(t, t.Name).Values;
        t.RawData = ByteString.Empty;
        t.FloatData.Clear();
        t.DoubleData.Clear();
        t.DataType = (int)to;
        if (to == TensorProto.Types.DataType.Float) t.FloatData.AddRange(values.Select(v => (float)v));
        else t.DoubleData.AddRange(values);
    }
}

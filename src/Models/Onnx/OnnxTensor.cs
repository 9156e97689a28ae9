using Onnx;

namespace ResidualSheaf.Models.Onnx;

/// <summary>A constant tensor of an ONNX graph (initializer or Constant node) converted to float64, row-major.</summary>
/// <param name="Dims">The shape.</param>
/// <param name="Values">The entries, row-major.</param>
public sealed record OnnxTensor(long[] Dims, double[] Values)
{
    /// <summary>Converts a float32 or float64 tensor (raw or typed data); anything else (int, external data) is refused.</summary>
    public static OnnxTensor From(TensorProto t, string node)
    {
        var dims = t.Dims.ToArray();
        long count = dims.Aggregate(1L, (a, d) => a * d);
        if (t.DataLocation == TensorProto.Types.DataLocation.External)
            throw new OnnxModelException(node, $"tensor '{t.Name}' keeps its data in an external file, which is not supported");
        double[] values = (TensorProto.Types.DataType)t.DataType switch
        {
            TensorProto.Types.DataType.Float => t.RawData.Length > 0
                ? ToDoubles<float>(t.RawData.Span, count, t.Name, node)
                : t.FloatData.Select(v => (double)v).ToArray(),
            TensorProto.Types.DataType.Double => t.RawData.Length > 0
                ? ToDoubles<double>(t.RawData.Span, count, t.Name, node)
                : t.DoubleData.ToArray(),
            TensorProto.Types.DataType.Int64 => t.RawData.Length > 0
                ? ToDoubles<long>(t.RawData.Span, count, t.Name, node)
                : t.Int64Data.Select(v => (double)v).ToArray(),
            var other => throw new OnnxModelException(node, $"tensor '{t.Name}' has element type {other}; only float, double and int64 are read"),
        };
        if (values.Length != count)
            throw new OnnxModelException(node, $"tensor '{t.Name}' has {values.Length} entries for shape [{string.Join(", ", dims)}]");
        return new OnnxTensor(dims, values);
    }

    /// <summary>Number of entries.</summary>
    public long Count => Values.LongLength;

    /// <summary>Shape as text, e.g. "[4, 3]".</summary>
    public string ShapeText => $"[{string.Join(", ", Dims)}]";

    private static double[] ToDoubles<T>(ReadOnlySpan<byte> raw, long count, string name, string node) where T : unmanaged
    {
        // ONNX raw data is little-endian, as is every platform .NET runs this product on.
        var typed = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(raw);
        if (typed.Length != count)
            throw new OnnxModelException(node, $"tensor '{name}' has {typed.Length} raw entries, its shape needs {count}");
        var result = new double[typed.Length];
        for (int i = 0; i < typed.Length; i++) result[i] = Convert.ToDouble(typed[i]);
        return result;
    }
}

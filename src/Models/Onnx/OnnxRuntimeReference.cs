using Microsoft.ML.OnnxRuntime;

namespace ResidualSheaf.Models.Onnx;

/// <summary>
/// ONNX Runtime run on the .onnx file itself: the independent reference forward pass for a model read from ONNX (it never sees
/// our parse). Inputs are fed in the model's own precision (float32 models get float32 inputs) and outputs widened to float64.
/// </summary>
public sealed class OnnxRuntimeReference : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string _input;
    private readonly int[] _inputShape;
    private readonly bool _float32;

    private OnnxRuntimeReference(InferenceSession session)
    {
        _session = session;
        var (name, meta) = session.InputMetadata.Single();
        _input = name;
        _float32 = meta.ElementType == typeof(float);
        if (!_float32 && meta.ElementType != typeof(double))
            throw new OnnxModelException(null, $"graph input '{name}' has element type {meta.ElementType.Name}; float or double is supported");
        // The batch axis (symbolic, reported as -1) is one input vector.
        _inputShape = meta.Dimensions.Select(d => d < 0 ? 1 : d).ToArray();
    }

    /// <summary>True when the model runs in float32.</summary>
    public bool IsFloat32 => _float32;

    /// <summary>A session on the file at <paramref name="path"/> (single-threaded and sequential, so results do not depend on the machine).</summary>
    public static OnnxRuntimeReference Open(string path) => FromBytes(File.ReadAllBytes(path));

    /// <summary>A session on the bytes of an .onnx file.</summary>
    public static OnnxRuntimeReference FromBytes(byte[] model)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            // No graph rewrites: the reference computes the graph as written (no fused Gemm/Add, no constant folding).
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL,
        };
        return new OnnxRuntimeReference(new InferenceSession(model, options));
    }

    /// <summary>The model's output for one input vector, in float64.</summary>
    public double[] Forward(ReadOnlySpan<double> x)
    {
        int count = _inputShape.Aggregate(1, (p, d) => p * d);
        if (x.Length != count) throw new ArgumentException($"input has {x.Length} values; the ONNX model expects {count}");
        using var value = _float32
            ? OrtValue.CreateTensorValueFromMemory(x.ToArray().Select(v => (float)v).ToArray(), _inputShape.Select(d => (long)d).ToArray())
            : OrtValue.CreateTensorValueFromMemory(x.ToArray(), _inputShape.Select(d => (long)d).ToArray());
        using var runOptions = new RunOptions();
        using var results = _session.Run(runOptions, [_input], [value], _session.OutputNames);
        var output = results[0];
        return _float32
            ? output.GetTensorDataAsSpan<float>().ToArray().Select(v => (double)v).ToArray()
            : output.GetTensorDataAsSpan<double>().ToArray();
    }

    /// <inheritdoc/>
    public void Dispose() => _session.Dispose();
}

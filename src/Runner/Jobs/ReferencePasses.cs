using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Onnx;
using ResidualSheaf.Models.Torch;
using TorchSharp;

namespace ResidualSheaf.Runner.Jobs;

/// <summary>
/// The independent forward passes a run compares the sheaf with, in float64 and float32: TorchSharp modules for the declared
/// architectures, ONNX Runtime on the file itself for a network read from ONNX (the file in its own precision, and a copy in the
/// other one).
/// </summary>
internal sealed class ReferencePasses : IDisposable
{
    private readonly IDisposable _a, _b;
    private readonly Func<double[], double[]> _f64, _f32;

    private ReferencePasses(string name, IDisposable a, IDisposable b, Func<double[], double[]> f64, Func<double[], double[]> f32, bool float64IsFloat32 = false)
    {
        Name = name;
        Float64IsFloat32 = float64IsFloat32;
        (_a, _b, _f64, _f32) = (a, b, f64, f32);
    }

    /// <summary>"torch" or "onnx_runtime": what computed the reference (and the prefix of report fields that name it).</summary>
    public string Name { get; }

    /// <summary>
    /// True when the float64 reference is in fact the float32 run (ONNX Runtime has no double kernel for an operator of the
    /// graph): reports say so in a field of their own, since err_float64 is then only float32-accurate.
    /// </summary>
    public bool Float64IsFloat32 { get; }

    /// <summary>The passes for a network.</summary>
    public static ReferencePasses For(INetwork network)
    {
        if (network is OnnxNetwork onnx)
        {
            var bytes = File.ReadAllBytes(onnx.Source);
            var f32 = OnnxRuntimeReference.FromBytes(onnx.IsFloat32 ? bytes : OnnxPrecision.Convert(bytes, float32: true));
            var f64 = Float64Session(onnx.IsFloat32 ? OnnxPrecision.Convert(bytes, float32: false) : bytes);
            if (f64 is not null) return new ReferencePasses("onnx_runtime", f64, f32, x => f64.Forward(x), x => f32.Forward(x));
            // No double kernel (Conv, pools): torch's own float64 kernels run the graph node by node instead.
            var graph = TryTorchGraph(onnx);
            if (graph is not null) return new ReferencePasses("onnx_runtime", graph, f32, graph.Forward, x => f32.Forward(x)) { Float64IsTorchGraph = true };
            return new ReferencePasses("onnx_runtime", new NoSession(), f32, x => f32.Forward(x), x => f32.Forward(x), float64IsFloat32: true);
        }
        var t64 = TorchReference.Create(network, torch.ScalarType.Float64);
        var t32 = TorchReference.Create(network, torch.ScalarType.Float32);
        return new ReferencePasses("torch", t64, t32, x => t64.Forward(x), x => t32.Forward(x));
    }

    /// <summary>
    /// True when the float64 reference is TorchSharp's float64 forward of the graph read from the file (<see cref="TorchGraphModule"/>),
    /// because ONNX Runtime has no double kernel for an operator of it; the float32 reference is still ONNX Runtime.
    /// </summary>
    public bool Float64IsTorchGraph { get; private init; }

    private static TorchGraphModule? TryTorchGraph(OnnxNetwork onnx)
    {
        try
        {
            return new TorchGraphModule(onnx.Graph);
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>
    /// ONNX Runtime on the float64 graph, or null when its CPU provider has no double kernel for an operator (Conv, pools): the
    /// float64 reference is then TorchSharp's float64 run of the graph, or (a map torch cannot express) the float32 run.
    /// </summary>
    private static OnnxRuntimeReference? Float64Session(byte[] bytes)
    {
        try
        {
            return OnnxRuntimeReference.FromBytes(bytes);
        }
        catch (Microsoft.ML.OnnxRuntime.OnnxRuntimeException e) when (e.Message.Contains("NotImplemented", StringComparison.Ordinal))
        {
            return null;
        }
    }

    private sealed class NoSession : IDisposable
    {
        public void Dispose()
        {
        }
    }

    /// <summary>The float64 reference output.</summary>
    public double[] Forward64(double[] x) => _f64(x);

    /// <summary>The float32 reference output (widened to float64).</summary>
    public double[] Forward32(double[] x) => _f32(x);

    /// <inheritdoc/>
    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
    }
}

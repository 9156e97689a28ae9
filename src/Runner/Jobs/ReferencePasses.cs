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

    private ReferencePasses(string name, IDisposable a, IDisposable b, Func<double[], double[]> f64, Func<double[], double[]> f32)
    {
        Name = name;
        (_a, _b, _f64, _f32) = (a, b, f64, f32);
    }

    /// <summary>"torch" or "onnx_runtime": what computed the reference (and the prefix of report fields that name it).</summary>
    public string Name { get; }

    /// <summary>The passes for a network.</summary>
    public static ReferencePasses For(INetwork network)
    {
        if (network is OnnxNetwork onnx)
        {
            var bytes = File.ReadAllBytes(onnx.Source);
            var own = OnnxRuntimeReference.FromBytes(bytes);
            var other = OnnxRuntimeReference.FromBytes(OnnxPrecision.Convert(bytes, float32: !onnx.IsFloat32));
            var (r64, r32) = onnx.IsFloat32 ? (other, own) : (own, other);
            return new ReferencePasses("onnx_runtime", r64, r32, x => r64.Forward(x), x => r32.Forward(x));
        }
        var t64 = TorchReference.Create(network, torch.ScalarType.Float64);
        var t32 = TorchReference.Create(network, torch.ScalarType.Float32);
        return new ReferencePasses("torch", t64, t32, x => t64.Forward(x), x => t32.Forward(x));
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

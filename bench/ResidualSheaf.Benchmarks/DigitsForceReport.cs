using System.Diagnostics;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Graph;
using ResidualSheaf.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace ResidualSheaf.Benchmarks;

/// <summary>
/// The heat force (−∇E over the free coordinates, one pass over every edge) against a TorchSharp float64 forward + backward of the
/// same network on the same one image (loss ½‖output‖², gradients for every weight, bias and the input), both on one thread.
/// </summary>
internal static class DigitsForceReport
{
    public static void Run(DigitsCase c)
    {
        var eq = c.Equation;
        var f = new double[eq.FreeDimension];
        double ours = Time(() => eq.Force(c.C0, f), 2000);
        TorchRuntime.EnsureLoaded();
        torch.set_num_threads(1);
        using var module = new TorchGraphModule(c.Network.Graph, ScalarType.Float64, requiresGrad: true);
        using var x = tensor(c.X, [1, c.X.Length], ScalarType.Float64).requires_grad_(true);
        using var half = tensor(0.5, ScalarType.Float64);
        double[] output = [];
        void ForwardBackward()
        {
            using var scope = NewDisposeScope();
            var y = module.Forward(x);
            var loss = y.square().sum().mul(half);
            loss.backward();
            output = y.detach().data<double>().ToArray();
            foreach (var p in module.ParameterTensors.Append(x)) p.grad?.zero_();
        }
        double torchTime = Time(ForwardBackward, 500);
        double mismatch = c.Network.Graph.Forward(c.X).Zip(output, (a, b) => Math.Abs(a - b)).Max();
        Console.WriteLine($"force (−∇E, {eq.FreeDimension} free coordinates): {ours:F1} µs; TorchSharp float64 forward + backward (1 thread, batch 1): " +
                          $"{torchTime:F1} µs; ratio {ours / torchTime:F2}; |graph forward − TorchSharp forward| = {mismatch:e2}");
    }

    private static double Time(Action a, int reps)
    {
        for (int i = 0; i < reps / 10; i++) a();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < reps; i++) a();
        return sw.Elapsed.TotalMilliseconds * 1000 / reps;
    }
}

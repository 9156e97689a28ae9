using System.Diagnostics;
using System.Globalization;

namespace ResidualSheaf.Benchmarks;

/// <summary>
/// In-process measurements for the digits ResNet (issue 19), one run each (wall clock, CPU time, peak working set):
/// <c>dotnet bench/ResidualSheaf.Benchmarks/bin/Release/net10.0/ResidualSheaf.Benchmarks.dll digits [model=FILE] [image=K] [seed=S] part …</c>.
/// </summary>
public static class DigitsReport
{
    /// <summary>
    /// Parts: spectrum (λ_max by Lanczos on L, λ_min by Lanczos on L⁻¹ through the unitriangular sweeps), force (the force against a
    /// TorchSharp forward + backward of the same network), heat:METHOD,INTEGRATOR,RTOL,WALL (as <see cref="LargeStackReport"/>), and
    /// the probes of docs/digits-resnet-heat.md at the forward pattern: slow:STEPS (<see cref="SlowSpectrumProbe"/>),
    /// xk:TOL,M,MREF,TAU0 (<see cref="ExtendedKrylovProbe"/>), si:TOL,GAMMAS,SIZES,CGTOL (<see cref="ShiftInvertProbe"/>; lists
    /// separated by '/').
    /// Defaults: model digits_resnet_logits.onnx, image 0, seed 1 (configs/heat-digits-resnet-logits.json).
    /// </summary>
    public static void Run(string[] args)
    {
        string model = "digits_resnet_logits.onnx";
        int image = 0;
        long seed = 1;
        var parts = new List<string>();
        foreach (var a in args)
        {
            if (a.StartsWith("model=", StringComparison.Ordinal)) model = a[6..];
            else if (a.StartsWith("image=", StringComparison.Ordinal)) image = int.Parse(a[6..], CultureInfo.InvariantCulture);
            else if (a.StartsWith("seed=", StringComparison.Ordinal)) seed = long.Parse(a[5..], CultureInfo.InvariantCulture);
            else parts.Add(a);
        }
        var sw = Stopwatch.StartNew();
        var c = new DigitsCase(model, image, seed);
        var sheaf = c.Sheaf.Sheaf;
        Console.WriteLine($"{model}, image {image}, seed {seed}: built in {sw.Elapsed.TotalSeconds:F2} s; |Ω| = {c.Equation.FreeDimension}, " +
                          $"switching units {c.Equation.SwitchingCount}, edges {sheaf.Edges.Count()}, edge dimension {sheaf.EdgeDimension}, ‖c0 − c*‖∞ = {c.InitialDistance:g6}");
        foreach (var part in parts)
        {
            if (part == "spectrum") LargeStackReport.Spectrum(c);
            else if (part == "force") DigitsForceReport.Run(c);
            else if (part.StartsWith("slow:", StringComparison.Ordinal)) SlowSpectrumProbe.Run(c, int.Parse(part[5..], CultureInfo.InvariantCulture));
            else if (part.StartsWith("xk:", StringComparison.Ordinal))
            {
                // xk:TOL,M,MREF,TAU0
                var f = part[3..].Split(',');
                ExtendedKrylovProbe.Run(c, double.Parse(f[0], CultureInfo.InvariantCulture), int.Parse(f[1], CultureInfo.InvariantCulture),
                    int.Parse(f[2], CultureInfo.InvariantCulture), double.Parse(f[3], CultureInfo.InvariantCulture));
            }
            else if (part.StartsWith("si:", StringComparison.Ordinal))
            {
                // si:TOL,GAMMA1/GAMMA2/…,M1/M2/…,CGTOL
                var f = part[3..].Split(',');
                ShiftInvertProbe.Run(c, [.. f[1].Split('/').Select(g => double.Parse(g, CultureInfo.InvariantCulture))],
                    [.. f[2].Split('/').Select(m => int.Parse(m, CultureInfo.InvariantCulture))], double.Parse(f[0], CultureInfo.InvariantCulture),
                    double.Parse(f[3], CultureInfo.InvariantCulture));
            }
            else if (part.StartsWith("heat:", StringComparison.Ordinal))
            {
                var f = part[5..].Split(',');
                LargeStackReport.Heat(c, f[0], f[1], double.Parse(f[2], CultureInfo.InvariantCulture), double.Parse(f[3], CultureInfo.InvariantCulture));
            }
            else throw new ArgumentException($"unknown part '{part}'");
            var p = Process.GetCurrentProcess();
            Console.WriteLine($"  [{part}: process CPU {p.TotalProcessorTime.TotalSeconds:F1} s, peak working set {p.PeakWorkingSet64 / 1e6:F0} MB]");
        }
    }
}

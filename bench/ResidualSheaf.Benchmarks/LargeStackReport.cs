using System.Diagnostics;
using ResidualSheaf.Engine.Heat;

namespace ResidualSheaf.Benchmarks;

/// <summary>
/// In-process measurements for the large-stack issue (one run each, wall clock, peak working set):
/// <c>dotnet run -c Release --project bench/ResidualSheaf.Benchmarks -- largestack [part …]</c>.
/// </summary>
public static class LargeStackReport
{
    /// <summary>Runs the requested parts (all when none is given).</summary>
    public static void Run(string[] parts)
    {
        var sw = Stopwatch.StartNew();
        var c = new LargeStackCase();
        Console.WriteLine($"built {c.Blocks}×{c.Width} in {sw.Elapsed.TotalSeconds:F2} s: |Ω| = {c.Equation.FreeDimension}, switching units {c.Equation.SwitchingCount}, " +
                          $"|forward(managed) − output(c*)| = {c.ForwardMismatch:e2}, ‖c0 − c*‖∞ = {c.InitialDistance:g6}");
        bool all = parts.Length == 0;
        if (all || parts.Contains("spectrum")) Spectrum(c);
        if (all || parts.Contains("krylov")) Krylov(c, 40);
        foreach (var part in parts.Where(q => q.StartsWith("krylov:", StringComparison.Ordinal))) Krylov(c, int.Parse(part[7..], System.Globalization.CultureInfo.InvariantCulture));
        foreach (var part in parts.Where(q => q.StartsWith("krylovto:", StringComparison.Ordinal)))
        {
            var f = part[9..].Split(',');
            KrylovTo(c, int.Parse(f[0], System.Globalization.CultureInfo.InvariantCulture), double.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static UnitMode[] ForwardModes(LargeStackCase c)
    {
        var modes = new UnitMode[c.Equation.SwitchingCount];
        c.Equation.ModesFromState(c.CStar, modes);
        return modes;
    }

    private static void Spectrum(LargeStackCase c)
    {
        var eq = c.Equation;
        var f = new double[eq.FreeDimension];
        for (int i = 0; i < 20; i++) eq.Force(c.C0, f);
        var sw = Stopwatch.StartNew();
        const int reps = 2000;
        for (int i = 0; i < reps; i++) eq.Force(c.C0, f);
        Console.WriteLine($"Force: {sw.Elapsed.TotalMilliseconds * 1000 / reps:F1} µs per evaluation");
        var modes = ForwardModes(c);
        var op = new FreeLaplacianOperator(eq);
        op.SetModes(modes);
        var sweeps = UnitriangularSweeps.TryCreate(c.Problem, out _)!;
        for (int k = 0; k < modes.Length; k++) sweeps.Masks.Theta[eq.SwitchingCoordinates[k]] = modes[k] == UnitMode.Active ? 1 : 0;
        var edge = new double[c.Sheaf.Sheaf.EdgeDimension];
        var x = new double[eq.FreeDimension];
        sw.Restart();
        for (int i = 0; i < reps; i++) sweeps.InverseLaplacian(c.C0, x, edge, 1.0);
        Console.WriteLine($"L⁻¹ v (two unitriangular sweeps): {sw.Elapsed.TotalMilliseconds * 1000 / reps:F1} µs per product");
        sw.Restart();
        var top = op.Extremes(maxIterations: 300, tolerance: 1e-10);
        Console.WriteLine($"Lanczos on L: λ_max = {top.Max:g10} (residual {top.MaxResidual:e1}, {top.Iterations} steps, {sw.Elapsed.TotalSeconds:F2} s)");
        sw.Restart();
        var inv = LanczosExtremes.Compute((a, b) => sweeps.InverseLaplacian(a, b, edge, 1.0), eq.FreeDimension, maxIterations: 300, tolerance: 1e-10);
        double lmin = 1 / inv.Max;
        Console.WriteLine($"Lanczos on L⁻¹: λ_min = 1/μ_max = {lmin:g10} (relative residual {inv.MaxResidual / inv.Max:e1}, {inv.Iterations} steps, {sw.Elapsed.TotalSeconds:F2} s); " +
                          $"μ_min of L⁻¹ → λ_max = {1 / inv.Min:g6}");
        double d0 = c.InitialDistance;
        Console.WriteLine($"κ = {top.Max / lmin:g4}; time scale ln(1e8·d0)/(αλ_min) = {Math.Log(1e8 * d0) / lmin:g6}; Euler stability limit dt = 2/(αλ_max) = {2 / top.Max:g6}");
    }

    private static void Krylov(LargeStackCase c, int maxBasis)
    {
        GC.Collect();
        long before = GC.GetTotalAllocatedBytes(true);
        var proc = Process.GetCurrentProcess();
        var sw = Stopwatch.StartNew();
        var integrator = new KrylovPiecewiseIntegrator(c.Equation, maxBasis: maxBasis);
        var res = integrator.Run(c.C0, stopDistance: 1e-8);
        double secs = sw.Elapsed.TotalSeconds;
        proc.Refresh();
        Console.WriteLine($"Krylov (basis ≤ {maxBasis}): {res.Status} at t = {res.FinalTime:g8} in {secs:F2} s; ‖c − c*‖∞ = {c.Distance(res.FinalState):e3}; " +
                          $"steps {res.Steps}, M products {res.Products}, M⁻¹ products {res.InverseProducts}, patterns {res.PatternSolves}, CG its {res.CgIterations}, " +
                          $"events {res.Events.Count} ({res.Events.Count(e => e.Kind == HeatEventKind.SlideEnter)} slides, last at t = {(res.Events.Count > 0 ? res.Events[^1].Time : 0):g6}), " +
                          $"error bound Σ {res.ErrorBound:e2}; allocated {(GC.GetTotalAllocatedBytes(true) - before) / 1e6:F1} MB, peak working set {proc.PeakWorkingSet64 / 1e6:F0} MB");
    }

    private static void KrylovTo(LargeStackCase c, int maxBasis, double endTime)
    {
        var sw = Stopwatch.StartNew();
        var res = new KrylovPiecewiseIntegrator(c.Equation, maxBasis: maxBasis).Run(c.C0, endTime: endTime);
        Console.WriteLine($"Krylov (basis ≤ {maxBasis}) to t = {endTime}: {res.Status} in {sw.Elapsed.TotalSeconds:F2} s; ‖c − c*‖∞ = {c.Distance(res.FinalState):e3}; " +
                          $"steps {res.Steps}, M products {res.Products}, M⁻¹ {res.InverseProducts}, patterns {res.PatternSolves}, CG its {res.CgIterations}, " +
                          $"events {res.Events.Count} ({res.Events.Count(e => e.Kind == HeatEventKind.SlideEnter)} slides), error bound Σ {res.ErrorBound:e2}");
    }
}

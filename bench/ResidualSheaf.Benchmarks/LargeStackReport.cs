using System.Diagnostics;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.Integration;

namespace ResidualSheaf.Benchmarks;

/// <summary>
/// In-process measurements for the large-stack issue (one run each, wall clock, peak working set):
/// <c>dotnet run -c Release --project bench/ResidualSheaf.Benchmarks -- largestack [part …]</c>.
/// </summary>
public static class LargeStackReport
{
    /// <summary>
    /// Runs the requested parts (spectrum and krylov when none is given): force (force and 64×64 kernel timings), spectrum, krylov,
    /// krylov:BASIS, krylovto:BASIS,T, explicit:euler|dp5|bs3,T,WALL, dense, compare:T1,T2,… (RKC vs the Krylov flow), and
    /// heat:METHOD,INTEGRATOR,RTOL,WALL (METHOD plain | switching | krylov | rkckrylov; env RS_ATOL sets atol, default RTOL, and
    /// RS_END the end time, default 1e6).
    /// </summary>
    public static void Run(string[] parts)
    {
        var sw = Stopwatch.StartNew();
        var c = new LargeStackCase();
        Console.WriteLine($"built {c.Blocks}×{c.Width} in {sw.Elapsed.TotalSeconds:F2} s: |Ω| = {c.Equation.FreeDimension}, switching units {c.Equation.SwitchingCount}, " +
                          $"|forward(managed) − output(c*)| = {c.ForwardMismatch:e2}, ‖c0 − c*‖∞ = {c.InitialDistance:g6}");
        Console.WriteLine($"sheaf: total dimension {c.Sheaf.Sheaf.TotalDimension}, edge dimension {c.Sheaf.Sheaf.EdgeDimension}, edges {c.Sheaf.Sheaf.Edges.Count()}, vertices {c.Sheaf.Sheaf.Vertices.Count}");
        bool all = parts.Length == 0;
        if (parts.Contains("force"))
        {
            var f = new double[c.Equation.FreeDimension];
            var modes = ForwardModes(c);
            for (int i = 0; i < 200; i++) c.Equation.Force(c.C0, f);
            var w = Stopwatch.StartNew();
            for (int i = 0; i < 5000; i++) c.Equation.Force(c.C0, f);
            double plain = w.Elapsed.TotalMilliseconds * 1000 / 5000;
            w.Restart();
            for (int i = 0; i < 5000; i++) c.Equation.Force(c.C0, modes, f);
            Console.WriteLine($"Force: {plain:F1} µs (masks from the state), {w.Elapsed.TotalMilliseconds * 1000 / 5000:F1} µs (frozen modes)");
            var dm = new ResidualSheaf.Engine.Sheaves.DenseMap(64, 64, Enumerable.Range(0, 4096).Select(i => Math.Sin(i)).ToArray());
            var xx = Enumerable.Range(0, 64).Select(i => Math.Cos(i)).ToArray();
            var yy = new double[64];
            var mp = new ResidualSheaf.Engine.Sheaves.MaskPattern(1);
            w.Restart();
            for (int i = 0; i < 200000; i++) { dm.MultiplyAdd(xx, yy, 1e-9, mp); dm.TransposeMultiplyAdd(yy, xx, 1e-9, mp); }
            Console.WriteLine($"64×64 dense W x + Wᵀ y: {w.Elapsed.TotalMilliseconds * 1000 / 200000:F2} µs; edges by kind: " +
                string.Join(", ", c.Sheaf.Sheaf.Edges.SelectMany(e => new[] { e.HeadMap, e.TailMap }).GroupBy(m => m.GetType().Name).Select(g => $"{g.Key} {g.Count()}")));
        }
        if (all || parts.Contains("spectrum")) Spectrum(c);
        if (all || parts.Contains("krylov")) Krylov(c, 40);
        foreach (var part in parts.Where(q => q.StartsWith("explicit:", StringComparison.Ordinal)))
        {
            var f = part[9..].Split(',');
            Explicit(c, f[0], double.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture), double.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture));
        }
        if (parts.Contains("dense")) Dense();
        foreach (var part in parts.Where(q => q.StartsWith("compare:", StringComparison.Ordinal)))
            Compare(c, part[8..].Split(',').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        foreach (var part in parts.Where(q => q.StartsWith("heat:", StringComparison.Ordinal)))
        {
            var f = part[5..].Split(',');
            Heat(c, f[0], f[1], double.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture), double.Parse(f[3], System.Globalization.CultureInfo.InvariantCulture));
        }
        foreach (var part in parts.Where(q => q.StartsWith("krylov:", StringComparison.Ordinal))) Krylov(c, int.Parse(part[7..], System.Globalization.CultureInfo.InvariantCulture));
        foreach (var part in parts.Where(q => q.StartsWith("krylovto:", StringComparison.Ordinal)))
        {
            var f = part[9..].Split(',');
            KrylovTo(c, int.Parse(f[0], System.Globalization.CultureInfo.InvariantCulture), double.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    internal static UnitMode[] ForwardModes(IHeatCase c)
    {
        var modes = new UnitMode[c.Equation.SwitchingCount];
        c.Equation.ModesFromState(c.CStar, modes);
        return modes;
    }

    internal static void Spectrum(IHeatCase c)
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
        var edge = new double[eq.Sheaf.EdgeDimension];
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

    /// <summary>
    /// An explicit method on the plain right-hand side (masks from the state) until ‖c − c*‖∞ ≤ 1e−8, time <paramref name="target"/>
    /// or <paramref name="wallLimit"/> seconds; when the wall limit stops it, the time to the target is extrapolated linearly
    /// (the step is stability-limited, so cost per unit time is constant).
    /// </summary>
    private static void Explicit(LargeStackCase c, string method, double target, double wallLimit)
    {
        var eq = c.Equation;
        double lmax = new FreeLaplacianOperator(eq).Extremes(maxIterations: 100, tolerance: 1e-8).Max; // any pattern: a bound for the run's λ_max scale
        OdeAlgorithm alg = method switch
        {
            "euler" => new ExplicitEuler(1.9 / lmax),
            "bs3" => new BogackiShampine32(),
            _ => new DormandPrince54(),
        };
        var problem = new OdeProblem((t, y, dy) => eq.Force(y, dy), c.C0, 0, target);
        var options = new OdeOptions { Rtol = 1e-10, Atol = 1e-10, SaveEveryStep = false, MaxSteps = long.MaxValue };
        GC.Collect();
        var sw = Stopwatch.StartNew();
        var it = new OdeIntegrator(problem, alg, options);
        double dist = c.InitialDistance;
        long steps = 0;
        while (it.Step())
        {
            if (++steps % 64 != 0) continue;
            dist = c.Distance(it.State);
            if (dist <= 1e-8 || sw.Elapsed.TotalSeconds > wallLimit) break;
        }
        dist = c.Distance(it.State);
        double secs = sw.Elapsed.TotalSeconds;
        var proc = Process.GetCurrentProcess();
        proc.Refresh();
        string extrapolation = dist <= 1e-8 ? "reached" : $"extrapolated to t = {target:g6}: {secs * target / it.Time:F0} s";
        Console.WriteLine($"{method}{(method == "euler" ? $" dt = 1.9/λ_max = {1.9 / lmax:g4}" : " rtol = atol = 1e-10")}: t = {it.Time:g8} after {secs:F1} s, ‖c − c*‖∞ = {dist:e3}, " +
                          $"{it.Statistics}; {extrapolation}; peak working set {proc.PeakWorkingSet64 / 1e6:F0} MB");
    }

    /// <summary>
    /// <see cref="HeatSolver"/> with a method (plain / switching) and an integrator name until ‖c − c*‖∞ ≤ 1e−8 or
    /// <paramref name="wallLimit"/> seconds.
    /// </summary>
    internal static void Heat(IHeatCase c, string method, string integrator, double rtol, double wallLimit)
    {
        OdeAlgorithm alg = integrator switch
        {
            "rkc" => new Rkc(),
            "bs3" => new BogackiShampine32(),
            _ => new DormandPrince54(),
        };
        var cts = new CancellationTokenSource(TimeSpan.FromSeconds(wallLimit));
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        double atol = double.Parse(Environment.GetEnvironmentVariable("RS_ATOL") ?? rtol.ToString("R", inv), inv);
        var problem = new HeatProblem(c.Equation, c.C0)
        {
            EndTime = double.Parse(Environment.GetEnvironmentVariable("RS_END") ?? "1e6", inv),
            MaxSteps = int.MaxValue,
            StopRules = [new DistanceStop(c.CStar, 1e-8)],
        };
        HeatAlgorithm algorithm = method switch
        {
            "plain" => new OdeFlow(alg, FrozenModes: false) { Rtol = rtol, Atol = atol },
            "rkckrylov" => HandoffFlow.RkcKrylov(rtol, atol, 1e-10),
            "krylov" => new KrylovPiecewiseFlow
            {
                Tolerance = double.Parse(Environment.GetEnvironmentVariable("RS_KTOL") ?? "1e-10", inv),
                MaxBasis = int.Parse(Environment.GetEnvironmentVariable("RS_KMAX") ?? "40", inv),
                // RS_KMIN: adaptive basis from this size up to RS_KMAX (unset: fixed at RS_KMAX).
                MinBasis = Environment.GetEnvironmentVariable("RS_KMIN") is string kmin ? int.Parse(kmin, inv) : null,
            },
            _ => new OdeFlow(alg) { Rtol = rtol, Atol = atol },
        };
        GC.Collect();
        long before = GC.GetTotalAllocatedBytes(true);
        var sw = Stopwatch.StartNew();
        var res = HeatSolver.Solve(problem, algorithm, new ProgressObserver(c, 30), cts.Token);
        double secs = sw.Elapsed.TotalSeconds;
        var proc = Process.GetCurrentProcess();
        proc.Refresh();
        Console.WriteLine($"heat {method} {alg.Name} rtol = {rtol:g3}, atol = {atol:g3}: {res.Status} at t = {res.FinalTime:g8} after {secs:F2} s, ‖c − c*‖∞ = {c.Distance(res.FinalState):e3}; " +
                          $"{res.Statistics}; allocated {(GC.GetTotalAllocatedBytes(true) - before) / 1e6:F1} MB, peak working set {proc.PeakWorkingSet64 / 1e6:F0} MB");
        var sw1 = c.Equation.SwitchingFreeIndices;
        int worst = Enumerable.Range(0, c.CStar.Length).MaxBy(i => Math.Abs(res.FinalState[i] - c.CStar[i]));
        Console.WriteLine($"  {res.Message}");
        int zeros = sw1.Count(i => res.FinalState[i] == 0), flips = sw1.Count(i => Math.Sign(res.FinalState[i]) != Math.Sign(c.CStar[i]));
        int off = Enumerable.Range(0, c.CStar.Length).Count(i => Math.Abs(res.FinalState[i] - c.CStar[i]) > 1e-9);
        Console.WriteLine($"  units at z = 0: {zeros}, sign mismatches {flips}, coordinates off by > 1e-9: {off}; last events: " +
                          string.Join("; ", res.Events.TakeLast(3).Select(e => $"t = {e.Time:g6} {e.Kind} {e.Name} → {e.NewMode}")));
        Console.WriteLine($"  min |z*_j| = {sw1.Min(i => Math.Abs(c.CStar[i])):e3}; worst coordinate {worst} (switching: {sw1.Contains(worst)}), c* = {c.CStar[worst]:e6}, c = {res.FinalState[worst]:e6}");
    }

    /// <summary>Trajectory error of RKC (rtol = atol = 1e−6, as in configs/heat-large-stack.json) against the Krylov flow at given times.</summary>
    private static void Compare(LargeStackCase c, double[] times)
    {
        var sw = Stopwatch.StartNew();
        var exact = new KrylovPiecewiseIntegrator(c.Equation, tolerance: 1e-11).Run(c.C0, times, endTime: times[^1]);
        Console.WriteLine($"Krylov (tolerance 1e-11) to t = {times[^1]}: {sw.Elapsed.TotalSeconds:F1} s, {exact.Events.Count} events, error bound Σ {exact.ErrorBound:e2}");
        foreach (double rtol in new[] { 1e-6, 1e-7 })
        {
            for (int k = 0; k < times.Length; k++)
            {
                sw.Restart();
                var problem = new HeatProblem(c.Equation, c.C0) { EndTime = times[k], MaxSteps = int.MaxValue };
                var res = HeatSolver.Solve(problem, new OdeFlow(new Rkc()) { Rtol = rtol, Atol = rtol });
                Console.WriteLine($"  RKC rtol = atol = {rtol:g2} to t = {times[k]}: {sw.Elapsed.TotalSeconds:F1} s, ‖c_RKC − c_exact‖∞ = {MaxDiff(res.FinalState, exact.States[k]):e2}, " +
                                  $"events {res.Events.Count} (exact {exact.Events.Count(e => e.Time <= times[k])})");
            }
        }
    }

    private static double MaxDiff(double[] a, double[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();

    /// <summary>Dense symmetric eigendecomposition (MathNet, managed provider) at growing sizes, for an O(n³) extrapolation to |Ω|.</summary>
    private static void Dense()
    {
        foreach (int n in new[] { 500, 1000, 1500 })
        {
            var rng = new Random(1);
            var a = MathNet.Numerics.LinearAlgebra.Double.DenseMatrix.Create(n, n, (i, j) => 0.0);
            for (int i = 0; i < n; i++)
                for (int j = 0; j <= i; j++) a[i, j] = a[j, i] = rng.NextDouble();
            var sw = Stopwatch.StartNew();
            var evd = a.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric);
            double secs = sw.Elapsed.TotalSeconds;
            Console.WriteLine($"dense Evd n = {n}: {secs:F2} s (λ_max {evd.EigenValues[n - 1].Real:g4}); O(n³) to n = 7680: {secs * Math.Pow(7680.0 / n, 3):F0} s; " +
                              $"matrices 7680² × 8 B = {7680.0 * 7680 * 8 / 1e6:F0} MB each");
        }
    }
}

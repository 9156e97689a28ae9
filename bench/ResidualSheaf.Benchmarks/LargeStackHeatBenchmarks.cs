using BenchmarkDotNet.Attributes;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.Integration;

namespace ResidualSheaf.Benchmarks;

/// <summary>
/// The large-stack heat issue (20 junction blocks of width 64, |Ω| = 7 680, 2 560 switching units; see <see cref="LargeStackCase"/>):
/// the building blocks per call (force, L⁻¹ product) and whole runs. Runs are one iteration each; methods that cannot reach
/// ‖c − c*‖∞ ≤ 1e−8 in minutes are measured over a fixed time span instead (explicit methods: stability-limited, cost ∝ span), and
/// extrapolated in the report (<c>largestack</c> command of Program). Rodas4 and the dense exact integrator are not run: their
/// dense 7 680² matrices alone take 472 MB each.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 0, iterationCount: 1)]
public class LargeStackHeatBenchmarks
{
    private LargeStackCase _case = null!;
    private double[] _f = [];
    private double[] _x = [];
    private double[] _edge = [];
    private UnitriangularSweeps _sweeps = null!;
    private double _lambdaMax;

    /// <summary>Builds the case (and checks c* against the managed forward pass).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _case = new LargeStackCase();
        int n = _case.Equation.FreeDimension;
        _f = new double[n];
        _x = new double[n];
        _edge = new double[_case.Sheaf.Sheaf.EdgeDimension];
        _sweeps = UnitriangularSweeps.TryCreate(_case.Problem, out _)!;
        var modes = new UnitMode[_case.Equation.SwitchingCount];
        _case.Equation.ModesFromState(_case.CStar, modes);
        for (int k = 0; k < modes.Length; k++) _sweeps.Masks.Theta[_case.Equation.SwitchingCoordinates[k]] = modes[k] == UnitMode.Active ? 1 : 0;
        var op = new FreeLaplacianOperator(_case.Equation);
        op.SetModes(modes);
        _lambdaMax = op.Extremes(maxIterations: 100, tolerance: 1e-8).Max;
    }

    /// <summary>One force evaluation (masks from the state): the unit of cost of every explicit method.</summary>
    [Benchmark]
    public double Force()
    {
        _case.Equation.Force(_case.C0, _f);
        return _f[0];
    }

    /// <summary>One L⁻¹ product by two unitriangular sweeps.</summary>
    [Benchmark]
    public double InverseLaplacianProduct()
    {
        _sweeps.InverseLaplacian(_case.C0, _x, _edge, 1.0);
        return _x[0];
    }

    /// <summary>The Krylov piecewise integrator to ‖c − c*‖∞ ≤ 1e−8 (returns the time reached).</summary>
    [Benchmark]
    public double KrylovToDistance() => new KrylovPiecewiseIntegrator(_case.Equation).Run(_case.C0, stopDistance: 1e-8).FinalTime;

    /// <summary>
    /// The default for this size: switching-aware RKC (rtol = atol = 1e−6) through the switches, then the Krylov flow (tolerance
    /// 1e−10), to ‖c − c*‖∞ ≤ 1e−8 (returns the time reached).
    /// </summary>
    [Benchmark]
    public double RkcKrylovToDistance()
    {
        var problem = new HeatProblem(_case.Equation, _case.C0) { EndTime = 1e6, StopRules = [new DistanceStop(_case.CStar, 1e-8)] };
        return HeatSolver.Solve(problem, HandoffFlow.RkcKrylov(1e-6, 1e-6, 1e-10)).FinalTime;
    }

    /// <summary>The Krylov piecewise integrator over t ∈ [0, 10] (the event-dense start).</summary>
    [Benchmark]
    public double KrylovToTen() => _case.Distance(new KrylovPiecewiseIntegrator(_case.Equation).Run(_case.C0, endTime: 10).FinalState);

    /// <summary>Forward Euler at dt = 1.9/λ_max over t ∈ [0, 100].</summary>
    [Benchmark]
    public double EulerToHundred() => Explicit(new ExplicitEuler(1.9 / _lambdaMax), 100);

    /// <summary>Plain DP5 (rtol = atol = 1e−10) over t ∈ [0, 0.005]: the mask jumps force ~2 rejections per accepted step (report: t = 0.013 in 60 s).</summary>
    [Benchmark]
    public double Dp5ToFiveThousandths() => Explicit(new DormandPrince54(), 0.005);

    /// <summary>Plain BS3 (rtol = atol = 1e−10) over t ∈ [0, 0.005].</summary>
    [Benchmark]
    public double Bs3ToFiveThousandths() => Explicit(new BogackiShampine32(), 0.005);

    private double Explicit(OdeAlgorithm alg, double end)
    {
        var eq = _case.Equation;
        var sol = Ode.Solve(new OdeProblem((t, y, dy) => eq.Force(y, dy), _case.C0, 0, end), alg,
            new OdeOptions { Rtol = 1e-10, Atol = 1e-10, SaveEveryStep = false, MaxSteps = long.MaxValue });
        return _case.Distance(sol.FinalState);
    }
}

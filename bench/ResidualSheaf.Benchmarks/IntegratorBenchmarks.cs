using BenchmarkDotNet.Attributes;
using ResidualSheaf.Engine.Integration;

namespace ResidualSheaf.Benchmarks;

/// <summary>
/// Per-step cost and allocation of each explicit method: every invocation takes <see cref="StepsPerInvoke"/> accepted steps of an
/// integrator created in the iteration setup (no saving, no dense output), so "Allocated" is the allocation per step.
/// </summary>
[MemoryDiagnoser]
public class StepBenchmarks
{
    private const int StepsPerInvoke = 20000;
    private OdeIntegrator _integrator = null!;

    /// <summary>Method under test.</summary>
    [Params("Euler", "RK4", "BS3", "DP5", "DOP853")]
    public string Method { get; set; } = "DP5";

    /// <summary>Creates a fresh integrator far from its final time.</summary>
    [IterationSetup]
    public void Setup()
    {
        OdeAlgorithm alg = Method switch
        {
            "Euler" => new ExplicitEuler(1e-4),
            "RK4" => new RungeKutta4(1e-3),
            "BS3" => new BogackiShampine32(),
            "DP5" => new DormandPrince54(),
            _ => new Dop853(),
        };
        var problem = new OdeProblem(Oscillators, [1.0, 0.0, 0.5, 0.2], 0, 1e9);
        _integrator = new OdeIntegrator(problem, alg, new OdeOptions { Rtol = 1e-8, Atol = 1e-8, SaveEveryStep = false });
        _integrator.Step();
    }

    /// <summary>Takes <see cref="StepsPerInvoke"/> steps.</summary>
    [Benchmark(OperationsPerInvoke = StepsPerInvoke)]
    public double Step()
    {
        for (int i = 0; i < StepsPerInvoke; i++)
        {
            _integrator.Step();
        }

        return _integrator.Time;
    }

    private static void Oscillators(double t, ReadOnlySpan<double> y, Span<double> dy)
    {
        dy[0] = y[1];
        dy[1] = -Math.Sin(y[0]);
        dy[2] = y[3];
        dy[3] = -y[2] - (0.1 * y[2] * y[2] * y[2]);
    }
}

/// <summary>Whole solves of the Arenstorf orbit (Hairer's test problem) at two tolerances: same setup allocation, more steps.</summary>
[MemoryDiagnoser]
public class ArenstorfBenchmarks
{
    private static readonly double[] Y0 = [0.994, 0, 0, -2.00158510637908252240537862224];
    private const double Period = 17.0652165601579625588917206249;

    /// <summary>Method under test.</summary>
    [Params("DP5", "DOP853")]
    public string Method { get; set; } = "DP5";

    /// <summary>rtol = atol.</summary>
    [Params(1e-6, 1e-10)]
    public double Tol { get; set; }

    /// <summary>One period; returns the number of accepted steps.</summary>
    [Benchmark]
    public long Solve()
    {
        OdeAlgorithm alg = Method == "DP5" ? new DormandPrince54() : new Dop853();
        var problem = new OdeProblem(Arenstorf, Y0, 0, Period);
        return Ode.Solve(problem, alg, new OdeOptions { Rtol = Tol, Atol = Tol, SaveEveryStep = false }).Statistics.Accepted;
    }

    private static void Arenstorf(double t, ReadOnlySpan<double> y, Span<double> dy)
    {
        const double mu = 0.012277471;
        const double mup = 1 - mu;
        double r1 = Math.Pow(((y[0] + mu) * (y[0] + mu)) + (y[1] * y[1]), 1.5);
        double r2 = Math.Pow(((y[0] - mup) * (y[0] - mup)) + (y[1] * y[1]), 1.5);
        dy[0] = y[2];
        dy[1] = y[3];
        dy[2] = y[0] + (2 * y[3]) - (mup * (y[0] + mu) / r1) - (mu * (y[0] - mup) / r2);
        dy[3] = y[1] - (2 * y[2]) - (mup * y[1] / r1) - (mu * y[1] / r2);
    }
}

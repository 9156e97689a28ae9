using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.Integration;

namespace ResidualSheaf.Tests.Heat;

/// <summary>The methods the heat tests are written against (each maps to one algorithm value in <see cref="TestSolve"/>).</summary>
public enum TestMethod
{
    Plain,
    SwitchingAware,
    ExactPiecewise,
    AuthorsEuler,
    Krylov,
    RkcKrylov,
}

/// <summary>
/// A compact description of a test run, translated by <see cref="TestSolve"/> into the engine's (problem, algorithm) pair. The heat
/// tests predate the problem/algorithm API; keeping their cases in this one shape lets them check, unchanged, that the new API
/// reproduces the numbers they were written for, and makes the translation itself a single reviewed place.
/// </summary>
public sealed record TestOptions
{
    public TestMethod Method { get; init; } = TestMethod.SwitchingAware;

    public OdeAlgorithm? Algorithm { get; init; }

    public double Rtol { get; init; } = 1e-8;

    public double Atol { get; init; } = 1e-10;

    public double EndTime { get; init; } = 1e4;

    public int MaxSteps { get; init; } = 1_000_000;

    public int MaxEvents { get; init; } = 100_000;

    public double EulerDt { get; init; } = 0.01;

    public double EulerTolerance { get; init; } = 1e-12;

    public int EulerSampleEvery { get; init; } = 1;

    public double[]? Target { get; init; }

    public double? StopDistance { get; init; }

    public double? StopForce { get; init; }

    public int HandoffQuietSteps { get; init; } = 20;

    public int ExactSamplesPerDecade { get; init; } = 25;

    public double? KrylovTolerance { get; init; }

    public IReadOnlyList<StopRule> ExtraRules { get; init; } = [];

    public CancellationToken Cancellation { get; init; }
}

/// <summary>Runs a <see cref="TestOptions"/> case through <see cref="HeatSolver.Solve"/>.</summary>
internal static class TestSolve
{
    public static HeatAlgorithm Algorithm(TestOptions o) => o.Method switch
    {
        TestMethod.Plain => new OdeFlow(o.Algorithm ?? new DormandPrince54(), FrozenModes: false) { Rtol = o.Rtol, Atol = o.Atol },
        TestMethod.SwitchingAware => new OdeFlow(o.Algorithm ?? new DormandPrince54()) { Rtol = o.Rtol, Atol = o.Atol },
        TestMethod.ExactPiecewise => new ExactPiecewiseFlow { SamplesPerDecade = o.ExactSamplesPerDecade },
        TestMethod.Krylov => new KrylovPiecewiseFlow { Tolerance = o.KrylovTolerance ?? o.Atol, SamplesPerDecade = o.ExactSamplesPerDecade },
        TestMethod.RkcKrylov => HandoffFlow.RkcKrylov(o.Rtol, o.Atol, o.KrylovTolerance ?? o.Atol, o.HandoffQuietSteps),
        _ => new FixedStepEuler(o.EulerDt) { SampleEvery = o.EulerSampleEvery },
    };

    public static HeatProblem Problem(HeatEquation eq, ReadOnlySpan<double> initial, TestOptions o)
    {
        var rules = new List<StopRule>();
        if (o.StopDistance is double d) rules.Add(new DistanceStop(o.Target ?? throw new ArgumentException("StopDistance needs a Target"), d));
        if (o.StopForce is double f) rules.Add(new ForceStop(f));
        if (o.Method == TestMethod.AuthorsEuler) rules.Add(new ChangeStop(o.EulerTolerance));
        rules.AddRange(o.ExtraRules);
        return new HeatProblem(eq, initial) { EndTime = o.EndTime, MaxSteps = o.MaxSteps, MaxEvents = o.MaxEvents, StopRules = rules };
    }

    public static HeatSolution Run(HeatEquation eq, ReadOnlySpan<double> initial, TestOptions o, IHeatObserver? observer = null) =>
        HeatSolver.Solve(Problem(eq, initial, o), Algorithm(o), observer, o.Cancellation);
}

/// <summary>A custom stop rule (the extension point): stops after a number of samples.</summary>
internal sealed class SampleCountStop(int samples) : StopRule
{
    public override StopReason Reason => StopReason.Custom;

    public override bool IsStateFunction => false;

    public override StopCheck Start(HeatEquation equation) => new Check(samples);

    private sealed class Check(int samples) : StopCheck
    {
        private int _seen;

        public override bool IsMet(in HeatSample sample, out string because)
        {
            because = $"{samples} samples seen";
            return ++_seen >= samples;
        }
    }
}

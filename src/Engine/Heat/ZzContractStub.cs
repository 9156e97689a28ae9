// TEMPORARY: compile-time stand-in for the solver facade being written on branch `solver`; deleted at merge.
#pragma warning disable CS1591
using ResidualSheaf.Engine.Integration;

namespace ResidualSheaf.Engine.Heat;

public enum HeatMethod { Plain, SwitchingAware, ExactPiecewise, AuthorsEuler }

public sealed record HeatOptions
{
    public HeatMethod Method { get; init; } = HeatMethod.SwitchingAware;
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
    public int ExactSamplesPerDecade { get; init; } = 25;
    public CancellationToken Cancellation { get; init; }
    public void Validate(int freeDimension) { }
}

public interface IHeatObserver
{
    bool OnSample(double time, ReadOnlySpan<double> state, double stepSize, ulong patternId);
    void OnEvent(HeatEvent e);
}

public enum HeatStatus { Converged, EndTimeReached, StoppedByObserver, StepLimit, StepSizeUnderflow, NonFiniteState, EventLimit, Interrupted }

public sealed record HeatStatistics(long Nfev, long Njev, long Nlu, long Accepted, long Rejected, long Switches, long SlidingEpisodes, long Eigendecompositions);

public sealed record HeatSolution(HeatStatus Status, string Message, double FinalTime, double[] FinalState,
    IReadOnlyList<HeatEvent> Events, HeatStatistics Statistics, double? ConvergenceTime, double[]? ExactLimit);

public static class HeatSolver
{
    public static HeatSolution Solve(HeatEquation equation, ReadOnlySpan<double> initial, HeatOptions options, IHeatObserver? observer = null)
        => throw new NotImplementedException();
}

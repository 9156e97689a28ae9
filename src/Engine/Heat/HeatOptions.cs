using ResidualSheaf.Engine.Integration;

namespace ResidualSheaf.Engine.Heat;

/// <summary>Options of <see cref="HeatSolver.Solve"/> (the method, its tolerances, stop rules and limits); checked by <see cref="Validate"/>.</summary>
public sealed record HeatOptions
{
    /// <summary>The integration method.</summary>
    public HeatMethod Method { get; init; } = HeatMethod.SwitchingAware;

    /// <summary>ODE integrator for Plain and SwitchingAware (null: DormandPrince54); Rosenbrock methods get the exact frozen-mode Jacobian.</summary>
    public OdeAlgorithm? Algorithm { get; init; }

    /// <summary>Relative tolerance of the ODE integrator.</summary>
    public double Rtol { get; init; } = 1e-8;

    /// <summary>Absolute tolerance of the ODE integrator.</summary>
    public double Atol { get; init; } = 1e-10;

    /// <summary>End time (finite, &gt; 0).</summary>
    public double EndTime { get; init; } = 1e4;

    /// <summary>Maximum step attempts (ODE) or Euler steps.</summary>
    public int MaxSteps { get; init; } = 1_000_000;

    /// <summary>Maximum number of switching events before status EventLimit.</summary>
    public int MaxEvents { get; init; } = 100_000;

    /// <summary>Step of the authors' Euler.</summary>
    public double EulerDt { get; init; } = 0.01;

    /// <summary>Stop rule of the authors' Euler: max|Δc| &lt; EulerTolerance → Converged.</summary>
    public double EulerTolerance { get; init; } = 1e-12;

    /// <summary>Authors' Euler: the observer sees every k-th step (and the last).</summary>
    public int EulerSampleEvery { get; init; } = 1;

    /// <summary>Free-coordinate target (harmonic extension / least-squares solution) for <see cref="StopDistance"/>.</summary>
    public double[]? Target { get; init; }

    /// <summary>Converged when ‖c − Target‖∞ ≤ StopDistance (needs <see cref="Target"/>).</summary>
    public double? StopDistance { get; init; }

    /// <summary>Converged when ‖ċ‖∞ ≤ StopForce (ċ of the method's flow: frozen modes, sliding components 0).</summary>
    public double? StopForce { get; init; }

    /// <summary>ExactPiecewise: samples per decade of the log-spaced grid starting at 1e−3.</summary>
    public int ExactSamplesPerDecade { get; init; } = 25;

    /// <summary>
    /// RkcKrylov: the exact Krylov flow takes over after this many accepted RKC steps without a switch that also span at least the
    /// time of the last switch (t − t_switch ≥ t_switch).
    /// </summary>
    public int HandoffQuietSteps { get; init; } = 20;

    /// <summary>Krylov and RkcKrylov: bound on the 2-norm error each Krylov step may add (null: <see cref="Atol"/>).</summary>
    public double? KrylovTolerance { get; init; }

    /// <summary>Cancellation, checked once per step or sample.</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>Throws an <see cref="ArgumentException"/> (ParamName = the option) for the first invalid option, given |Ω|.</summary>
    public void Validate(int freeDimension)
    {
        if (!Enum.IsDefined(Method)) throw new ArgumentException($"{nameof(Method)} {(int)Method} is not a HeatMethod.", nameof(Method));
        CheckPositive(Rtol, nameof(Rtol));
        CheckPositive(Atol, nameof(Atol));
        CheckPositive(EndTime, nameof(EndTime));
        if (MaxSteps <= 0) throw new ArgumentException($"{nameof(MaxSteps)} must be positive (got {MaxSteps}).", nameof(MaxSteps));
        if (MaxEvents < 0) throw new ArgumentException($"{nameof(MaxEvents)} must be non-negative (got {MaxEvents}).", nameof(MaxEvents));
        CheckPositive(EulerDt, nameof(EulerDt));
        CheckPositive(EulerTolerance, nameof(EulerTolerance));
        if (EulerSampleEvery < 1)
            throw new ArgumentException($"{nameof(EulerSampleEvery)} must be at least 1 (got {EulerSampleEvery}).", nameof(EulerSampleEvery));
        if (Target is not null)
        {
            if (Target.Length != freeDimension)
                throw new ArgumentException($"{nameof(Target)} has length {Target.Length}; the problem has {freeDimension} free coordinates.", nameof(Target));
            for (int i = 0; i < Target.Length; i++)
                if (!double.IsFinite(Target[i])) throw new ArgumentException($"{nameof(Target)}[{i}] is not finite ({Target[i]}).", nameof(Target));
        }
        if (StopDistance is double d)
        {
            if (!double.IsFinite(d) || d < 0)
                throw new ArgumentException($"{nameof(StopDistance)} must be finite and non-negative (got {d}).", nameof(StopDistance));
            if (Target is null) throw new ArgumentException($"{nameof(StopDistance)} needs a {nameof(Target)}.", nameof(StopDistance));
        }
        if (StopForce is double f && (!double.IsFinite(f) || f < 0))
            throw new ArgumentException($"{nameof(StopForce)} must be finite and non-negative (got {f}).", nameof(StopForce));
        if (KrylovTolerance is double kt) CheckPositive(kt, nameof(KrylovTolerance));
        if (HandoffQuietSteps < 1)
            throw new ArgumentException($"{nameof(HandoffQuietSteps)} must be at least 1 (got {HandoffQuietSteps}).", nameof(HandoffQuietSteps));
        if (ExactSamplesPerDecade < 1)
            throw new ArgumentException($"{nameof(ExactSamplesPerDecade)} must be at least 1 (got {ExactSamplesPerDecade}).", nameof(ExactSamplesPerDecade));
    }

    private static void CheckPositive(double v, string name)
    {
        if (!double.IsFinite(v) || v <= 0) throw new ArgumentException($"{name} must be finite and positive (got {v}).", name);
    }
}

namespace ResidualSheaf.Engine.Integration;

/// <summary>Integrator options (tolerances, step limits, output); validated by <see cref="Validate"/>.</summary>
public sealed record OdeOptions
{
    /// <summary>Scalar relative tolerance (used when <see cref="RtolVector"/> is null).</summary>
    public double Rtol { get; init; } = 1e-6;

    /// <summary>Scalar absolute tolerance (used when <see cref="AtolVector"/> is null).</summary>
    public double Atol { get; init; } = 1e-6;

    /// <summary>Optional per-component relative tolerances.</summary>
    public double[]? RtolVector { get; init; }

    /// <summary>Optional per-component absolute tolerances.</summary>
    public double[]? AtolVector { get; init; }

    /// <summary>First step size (adaptive methods pick one when null; the constant step when <see cref="Adaptive"/> is false).</summary>
    public double? FirstStep { get; init; }

    /// <summary>Maximum step size magnitude.</summary>
    public double MaxStep { get; init; } = double.PositiveInfinity;

    /// <summary>Maximum number of step attempts (accepted + rejected) before status <see cref="OdeStatus.StepLimit"/>.</summary>
    public long MaxSteps { get; init; } = 1_000_000;

    /// <summary>When false an adaptive method takes constant steps of size <see cref="FirstStep"/> without error control.</summary>
    public bool Adaptive { get; init; } = true;

    /// <summary>Output times (sorted inside the span); states there come from the dense interpolant.</summary>
    public double[]? SaveAt { get; init; }

    /// <summary>Save the state after every accepted step (and t0); defaults to true when <see cref="SaveAt"/> is null.</summary>
    public bool? SaveEveryStep { get; init; }

    /// <summary>Keep a dense interpolant over the whole span in the solution.</summary>
    public bool Dense { get; init; }

    /// <summary>Hysteresis ε: after a restart a switching function with |g| ≤ ε(1 + ‖y‖∞) is disarmed until it leaves that band.</summary>
    public double EventHysteresis { get; init; } = 1e-12;

    /// <summary>Number of sub-intervals of each accepted step on which switching functions are sampled.</summary>
    public int EventSamples { get; init; } = 10;

    /// <summary>Copy the state into each recorded <see cref="OdeEvent"/> (false: <see cref="OdeEvent.State"/> is empty; saves a copy per event).</summary>
    public bool SaveEventStates { get; init; } = true;

    /// <summary>Maximum number of events before status <see cref="OdeStatus.Zeno"/>.</summary>
    public int MaxEvents { get; init; } = 10_000;

    /// <summary>Cancellation, checked once per step.</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid option for a problem of dimension <paramref name="n"/>.</summary>
    /// <param name="n">Problem dimension.</param>
    public void Validate(int n)
    {
        CheckTol(Rtol, nameof(Rtol));
        CheckTol(Atol, nameof(Atol));
        if (RtolVector is not null)
        {
            CheckVector(RtolVector, n, nameof(RtolVector), allowZero: false);
        }

        if (AtolVector is not null)
        {
            CheckVector(AtolVector, n, nameof(AtolVector), allowZero: false);
        }

        if (FirstStep is double h && (!double.IsFinite(h) || h <= 0))
        {
            throw new ArgumentException($"{nameof(FirstStep)} must be positive and finite (got {h}).", nameof(FirstStep));
        }

        if (double.IsNaN(MaxStep) || MaxStep <= 0)
        {
            throw new ArgumentException($"{nameof(MaxStep)} must be positive (got {MaxStep}).", nameof(MaxStep));
        }

        if (MaxSteps <= 0)
        {
            throw new ArgumentException($"{nameof(MaxSteps)} must be positive (got {MaxSteps}).", nameof(MaxSteps));
        }

        if (!Adaptive && FirstStep is null)
        {
            throw new ArgumentException($"{nameof(FirstStep)} is required when {nameof(Adaptive)} is false.", nameof(FirstStep));
        }

        if (!double.IsFinite(EventHysteresis) || EventHysteresis < 0)
        {
            throw new ArgumentException($"{nameof(EventHysteresis)} must be finite and non-negative.", nameof(EventHysteresis));
        }

        if (EventSamples < 1)
        {
            throw new ArgumentException($"{nameof(EventSamples)} must be at least 1.", nameof(EventSamples));
        }

        if (MaxEvents < 0)
        {
            throw new ArgumentException($"{nameof(MaxEvents)} must be non-negative.", nameof(MaxEvents));
        }

        if (SaveAt is not null)
        {
            for (int i = 0; i < SaveAt.Length; i++)
            {
                if (!double.IsFinite(SaveAt[i]))
                {
                    throw new ArgumentException($"{nameof(SaveAt)}[{i}] is not finite.", nameof(SaveAt));
                }
            }
        }
    }

    private static void CheckTol(double v, string name, bool allowZero = false)
    {
        if (!double.IsFinite(v) || v < 0 || (!allowZero && v == 0))
        {
            throw new ArgumentException($"{name} must be {(allowZero ? "non-negative" : "positive")} and finite (got {v}).", name);
        }
    }

    private static void CheckVector(double[] v, int n, string name, bool allowZero)
    {
        if (v.Length != n)
        {
            throw new ArgumentException($"{name} has length {v.Length}, expected {n}.", name);
        }

        foreach (double x in v)
        {
            CheckTol(x, name, allowZero);
        }
    }
}

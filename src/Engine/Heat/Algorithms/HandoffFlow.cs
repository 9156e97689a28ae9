using ResidualSheaf.Engine.Integration;

namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// A composite: <see cref="First"/> (a switching-aware ODE flow) while switches keep coming, then <see cref="Then"/> (the exact Krylov
/// flow) from that state once <see cref="QuietSteps"/> accepted steps have passed without a switch and at least as much time as the
/// last switch's (switch gaps grow with t). With <see cref="Rkc"/> first this is the method for large stiff problems with thousands
/// of switches: each switch costs RKC a few force evaluations, the Krylov flow a new basis, while in the tail RKC's damped polynomial
/// decays the slow modes too slowly once its error is below tolerance and the Krylov flow resolves them exactly.
/// </summary>
/// <param name="First">The switching phase (must have frozen modes).</param>
/// <param name="Then">The tail.</param>
public sealed record HandoffFlow(OdeFlow First, KrylovPiecewiseFlow Then) : HeatAlgorithm
{
    /// <summary>Switching-aware RKC, then Krylov: the large-problem method.</summary>
    public static HandoffFlow RkcKrylov(double rtol, double atol, double krylovTolerance, int quietSteps = 20) =>
        new(new OdeFlow(new Rkc()) { Rtol = rtol, Atol = atol }, new KrylovPiecewiseFlow { Tolerance = krylovTolerance }) { QuietSteps = quietSteps };

    /// <summary>Accepted steps without a switch before the hand-off.</summary>
    public int QuietSteps { get; init; } = 20;

    /// <inheritdoc/>
    public override string Name => $"{First.Name}, then {Then.Name}";

    /// <inheritdoc/>
    protected override bool NeedsPiecewiseLinearFlow => true;

    /// <inheritdoc/>
    public override void Validate()
    {
        ArgumentNullException.ThrowIfNull(First, nameof(First));
        ArgumentNullException.ThrowIfNull(Then, nameof(Then));
        if (!First.FrozenModes) throw new ArgumentException("the first phase of a hand-off must be switching-aware (frozen modes)", nameof(First));
        First.Validate();
        Then.Validate();
        if (QuietSteps < 1) throw new ArgumentException($"{nameof(QuietSteps)} must be at least 1 (got {QuietSteps}).", nameof(QuietSteps));
    }

    internal override HeatSolution Run(HeatRun run, ReadOnlySpan<double> initial)
    {
        var then = Then;
        var handoff = new OdeHeatRun.Handoff(QuietSteps, (t, state, before) =>
            KrylovHeatRun.Run(run, state, then, t, before, $"{First.Integrator.Name} switching-aware to t = {t:g6} ({before.Accepted} steps, {before.Nfev} evaluations), then "));
        return OdeHeatRun.Run(run, initial, First, handoff);
    }
}

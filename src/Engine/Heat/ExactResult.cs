namespace ResidualSheaf.Engine.Heat;

/// <summary>Why an exact piecewise run stopped.</summary>
public enum ExactStatus
{
    /// <summary>No unit can switch on the rest of the trajectory: the limit is exactly c* of the last pattern.</summary>
    Converged,
    /// <summary>The end time was reached before the trajectory's last switch.</summary>
    ReachedEnd,
    /// <summary>The event cap was hit (Zeno or chattering behaviour).</summary>
    EventLimit,
}

/// <summary>The outcome of <see cref="ExactPiecewiseIntegrator.Run"/>.</summary>
/// <param name="Status">Why the run stopped.</param>
/// <param name="Times">The requested output times that were reached.</param>
/// <param name="States">The exact states (free coordinates) at <paramref name="Times"/>.</param>
/// <param name="Events">Switching events in time order.</param>
/// <param name="Segments">Number of smooth segments (one per visited pattern, sliding set).</param>
/// <param name="Eigendecompositions">Eigendecompositions computed during this run (cache misses).</param>
/// <param name="FinalTime">Time of <paramref name="FinalState"/> (+∞ when it is the limit).</param>
/// <param name="FinalState">The state at the end time, or the limit when the run converged with no end time.</param>
/// <param name="Limit">The exact limit c* when the run converged, else null.</param>
/// <param name="FinalModes">Mode of every switching unit on the last segment (Sliding at a converged run: the limit lies on that surface).</param>
public sealed record ExactResult(
    ExactStatus Status,
    double[] Times,
    double[][] States,
    IReadOnlyList<HeatEvent> Events,
    int Segments,
    int Eigendecompositions,
    double FinalTime,
    double[] FinalState,
    double[]? Limit,
    UnitMode[] FinalModes)
{
    /// <summary>The closed-form trajectory of the run: the exact state at any time in [0, <see cref="ExactTrajectory.ValidUntil"/>].</summary>
    public ExactTrajectory? Trajectory { get; init; }
}

namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// The exact piecewise flow (ground truth): the closed form per activation pattern (L = QΛQᵀ) with switching times found on the
/// exponential sums (<see cref="ExactPiecewiseIntegrator"/>). Samples at t = 0, at every event and on a log grid from 1e−3; a state
/// stop rule is located between samples by bisection on the closed form; without one the run ends at the exact limit.
/// </summary>
public sealed record ExactPiecewiseFlow : HeatAlgorithm
{
    /// <summary>Samples per decade of the log-spaced grid starting at 1e−3.</summary>
    public int SamplesPerDecade { get; init; } = 25;

    /// <summary>
    /// Per-pattern work shared with other runs of the same sheaf, pinned coordinates and α (a batch of inputs); null: this run's
    /// own. The numbers are the same either way.
    /// </summary>
    public SharedPatternCache? SharedPatterns { get; init; }

    /// <inheritdoc/>
    public override string Name => "exact piecewise";

    /// <inheritdoc/>
    protected override bool NeedsPiecewiseLinearFlow => true;

    /// <inheritdoc/>
    public override void Validate()
    {
        if (SamplesPerDecade < 1)
            throw new ArgumentException($"{nameof(SamplesPerDecade)} must be at least 1 (got {SamplesPerDecade}).", nameof(SamplesPerDecade));
    }

    internal override HeatSolution Run(HeatRun run, ReadOnlySpan<double> initial) => ExactHeatRun.Run(run, initial, this);
}

namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// Exact switching with each pattern's flow evaluated matrix-free on an extended Krylov basis (M and M⁻¹ by unitriangular sweeps),
/// for problems too large for dense eigendecompositions (<see cref="KrylovPiecewiseIntegrator"/>). Samples at t = 0 and on the
/// same log grid as <see cref="ExactPiecewiseFlow"/>; a <see cref="DistanceStop"/> is located on the Krylov model.
/// </summary>
public sealed record KrylovPiecewiseFlow : HeatAlgorithm
{
    /// <summary>Bound on the 2-norm error each Krylov step may add.</summary>
    public double Tolerance { get; init; } = 1e-10;

    /// <summary>Largest Krylov basis per step (a longer step needs more vectors; orthogonalisation costs O(k²|Ω|)).</summary>
    public int MaxBasis { get; init; } = 40;

    /// <summary>
    /// Basis allowance of the first piece after every switch, raised by half for each following piece of the same mode set that
    /// filled its allowance and still ended at its error horizon, up to <see cref="MaxBasis"/> (null: <see cref="MaxBasis"/>, every
    /// piece may use the same number of vectors). Small right after switches, which come densely early in a run; large in long-lived
    /// mode sets, where a larger basis buys a longer horizon than it costs.
    /// </summary>
    public int? MinBasis { get; init; }

    /// <summary>Samples per decade of the log-spaced grid starting at 1e−3.</summary>
    public int SamplesPerDecade { get; init; } = 25;

    /// <inheritdoc/>
    public override string Name => "Krylov piecewise";

    /// <inheritdoc/>
    protected override bool NeedsPiecewiseLinearFlow => true;

    /// <inheritdoc/>
    public override void Validate()
    {
        CheckPositive(Tolerance, nameof(Tolerance));
        if (MaxBasis < 2) throw new ArgumentException($"{nameof(MaxBasis)} must be at least 2 (got {MaxBasis}).", nameof(MaxBasis));
        if (MinBasis is int mb && (mb < 2 || mb > MaxBasis))
            throw new ArgumentException($"{nameof(MinBasis)} must be at least 2 and at most {nameof(MaxBasis)} = {MaxBasis} (got {mb}).", nameof(MinBasis));
        if (SamplesPerDecade < 1)
            throw new ArgumentException($"{nameof(SamplesPerDecade)} must be at least 1 (got {SamplesPerDecade}).", nameof(SamplesPerDecade));
    }

    internal override HeatSolution Run(HeatRun run, ReadOnlySpan<double> initial) => KrylovHeatRun.Run(run, initial, this, 0, null, "");
}

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
    /// Vectors every step builds (unless it ends sooner at a switch or the end time) before its growth is judged; beyond them a
    /// step grows up to <see cref="MaxBasis"/> only while the horizon its error bound allows grows faster than the work of its basis
    /// (null: <see cref="MaxBasis"/>, every step the same size). Early in a run a larger basis buys little horizon; late in a run
    /// the horizon grows much faster than the basis, and large bases make the steps many times longer.
    /// </summary>
    public int? MinBasis { get; init; }

    /// <summary>
    /// Threads of each step's orthogonalisation and projections (<see cref="LinearAlgebra.KernelTeam"/>); the numbers are the same
    /// for every count. Runs that already run in parallel (hunts, batches) keep 1.
    /// </summary>
    public int Threads { get; init; } = 1;

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
        if (Threads < 1) throw new ArgumentException($"{nameof(Threads)} must be at least 1 (got {Threads}).", nameof(Threads));
        if (SamplesPerDecade < 1)
            throw new ArgumentException($"{nameof(SamplesPerDecade)} must be at least 1 (got {SamplesPerDecade}).", nameof(SamplesPerDecade));
    }

    internal override HeatSolution Run(HeatRun run, ReadOnlySpan<double> initial) => KrylovHeatRun.Run(run, initial, this, 0, null, "");
}

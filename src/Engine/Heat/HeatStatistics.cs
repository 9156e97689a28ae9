namespace ResidualSheaf.Engine.Heat;

/// <summary>Work counters of a <see cref="HeatSolver"/> run, with the same meaning for every method.</summary>
/// <param name="Nfev">Force (right-hand-side) evaluations, including finite-difference Jacobians and stop-rule checks.</param>
/// <param name="Njev">Jacobian evaluations (Rosenbrock methods).</param>
/// <param name="Nlu">LU factorisations (Rosenbrock methods).</param>
/// <param name="Accepted">Accepted steps (ODE), Euler steps, or smooth segments used (exact).</param>
/// <param name="Rejected">Rejected step attempts (ODE only).</param>
/// <param name="Switches">Events that changed a unit's mode (every event except grazes).</param>
/// <param name="SlidingEpisodes">Sliding entries.</param>
/// <param name="Eigendecompositions">Eigendecompositions computed (exact method only).</param>
public sealed record HeatStatistics(long Nfev, long Njev, long Nlu, long Accepted, long Rejected, long Switches, long SlidingEpisodes, long Eigendecompositions)
{
    /// <summary>Surface-force evaluations (two gradients each) for classifying surface points and watching sliding exits; not in Nfev.</summary>
    public long SurfaceEvaluations { get; init; }

    /// <summary>No work done.</summary>
    public static HeatStatistics Zero { get; } = new(0, 0, 0, 0, 0, 0, 0, 0);
}

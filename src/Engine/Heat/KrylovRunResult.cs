namespace ResidualSheaf.Engine.Heat;

/// <summary>Why a <see cref="KrylovPiecewiseIntegrator"/> run stopped.</summary>
public enum KrylovStatus
{
    /// <summary>The last pattern is certified final (no unit can switch again) and no end time or distance was asked: the state is the limit c*.</summary>
    Converged,
    /// <summary>‖c − c*_σ‖∞ fell to the requested distance with σ consistent with c*_σ (so c*_σ is the Dirichlet solution).</summary>
    ReachedDistance,
    /// <summary>The end time was reached.</summary>
    ReachedEnd,
    /// <summary>The event cap was hit (Zeno or chattering behaviour).</summary>
    EventLimit,
    /// <summary>A numerical failure (non-finite values, eigen-solver or CG failure); the state is the last good one.</summary>
    Failed,
    /// <summary>The step limit was used up.</summary>
    StepLimit,
    /// <summary>The cancellation token was signalled; the state is the last step's.</summary>
    Cancelled,
    /// <summary>An output or event callback returned false; the state is the end of the step it came in.</summary>
    Stopped,
}

/// <summary>The outcome of <see cref="KrylovPiecewiseIntegrator.Run"/>.</summary>
/// <param name="Status">Why the run stopped.</param>
/// <param name="Times">The requested output times that were reached.</param>
/// <param name="States">The states (free coordinates) at <paramref name="Times"/>.</param>
/// <param name="Events">Switching events in time order.</param>
/// <param name="Steps">Krylov steps (one basis each).</param>
/// <param name="Products">Products with M = αL(σ)[F,F] (each one force evaluation).</param>
/// <param name="InverseProducts">Products with M⁻¹ (two unitriangular sweeps each).</param>
/// <param name="PatternSolves">Solves for c*_σ (one per visited pattern).</param>
/// <param name="CgIterations">Conjugate-gradient iterations spent on c*_σ of patterns without exact sweeps (sliding sets).</param>
/// <param name="FinalTime">Time of <paramref name="FinalState"/> (+∞ for the limit).</param>
/// <param name="FinalState">The state at the stop.</param>
/// <param name="Limit">c* of the last pattern when it was certified final, else null.</param>
/// <param name="FinalModes">Mode of every switching unit at the stop.</param>
/// <param name="ErrorBound">Sum over steps of the a-posteriori bound on the Krylov error (2-norm).</param>
/// <param name="LargestBasis">Largest basis any step used.</param>
/// <param name="BasisVectors">Basis vectors summed over the steps.</param>
public sealed record KrylovRunResult(
    KrylovStatus Status,
    double[] Times,
    double[][] States,
    IReadOnlyList<HeatEvent> Events,
    int Steps,
    long Products,
    long InverseProducts,
    int PatternSolves,
    long CgIterations,
    double FinalTime,
    double[] FinalState,
    double[]? Limit,
    UnitMode[] FinalModes,
    double ErrorBound,
    int LargestBasis,
    long BasisVectors);

namespace ResidualSheaf.Engine.Heat;

/// <summary>Which rule ended a <see cref="HeatSolver"/> run (the machine-readable companion of <see cref="HeatSolution.Message"/>).</summary>
public enum StopReason
{
    /// <summary>No stop rule fired: the run ended on its status (end time, a limit, a fault, cancellation).</summary>
    None,
    /// <summary><see cref="DistanceStop"/>: ‖c − target‖∞ ≤ tolerance.</summary>
    Distance,
    /// <summary><see cref="ForceStop"/>: ‖ċ‖∞ ≤ tolerance.</summary>
    Force,
    /// <summary><see cref="PlateauStop"/>: E flat over a time window away from the expected limit (another stationary point).</summary>
    Plateau,
    /// <summary><see cref="ChangeStop"/>: the fixed-step Euler rule max|Δc| &lt; tolerance.</summary>
    Change,
    /// <summary>The exact methods reached their limit c* without a stop rule (exact: to rounding; Krylov: final pattern certified).</summary>
    ExactLimit,
    /// <summary>A <see cref="StopRule"/> defined outside the engine fired.</summary>
    Custom,
}

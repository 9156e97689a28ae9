namespace ResidualSheaf.Runner.Hunt;

/// <summary>One row of <c>results.csv</c>: a case's sampled parameters and everything measured on it.</summary>
public sealed record CaseResult
{
    /// <summary>The case.</summary>
    public required HuntCase Case { get; init; }
    /// <summary>|Ω|.</summary>
    public required int FreeDimension { get; init; }
    /// <summary>Free mask-carrying coordinates.</summary>
    public required int SwitchingUnits { get; init; }
    /// <summary>λ_min(L_free) at the limit's pattern (the forward pattern for junction).</summary>
    public required double LambdaMin { get; init; }
    /// <summary>λ_* over all patterns (for at most lambda_star_max_units switching units), else null.</summary>
    public double? LambdaStar { get; init; }
    /// <summary>Residual of the static solve (0 for junction).</summary>
    public required double LimitResidual { get; init; }
    /// <summary>HeatStatus of the run.</summary>
    public required string Status { get; init; }
    /// <summary>Reached the stop distance.</summary>
    public required bool Converged { get; init; }
    /// <summary>limit | other-stationary-point (energy plateau away from the limit) | none.</summary>
    public required string Reached { get; init; }
    /// <summary>Time at which the stop distance was reached.</summary>
    public double? TimeToConverge { get; init; }
    /// <summary>Time at which the run stopped.</summary>
    public required double FinalTime { get; init; }
    /// <summary>Switching events.</summary>
    public required long Switches { get; init; }
    /// <summary>Sliding episodes.</summary>
    public required long SlidingEpisodes { get; init; }
    /// <summary>Energy increases beyond 1e−12 relative.</summary>
    public required int EnergyIncreases { get; init; }
    /// <summary>Largest relative increase.</summary>
    public double? LargestRelativeIncrease { get; init; }
    /// <summary>Cause of the largest increase.</summary>
    public string? LargestIncreaseCause { get; init; }
    /// <summary>‖c − limit‖∞ at the end.</summary>
    public required double FinalDistance { get; init; }
    /// <summary>Right-hand-side evaluations.</summary>
    public required long Nfev { get; init; }
    /// <summary>Jacobian evaluations.</summary>
    public required long Njev { get; init; }
    /// <summary>LU decompositions.</summary>
    public required long Nlu { get; init; }
    /// <summary>Accepted steps.</summary>
    public required long Accepted { get; init; }
    /// <summary>Rejected steps.</summary>
    public required long Rejected { get; init; }
    /// <summary>Energy increase or non-convergence: re-verified.</summary>
    public required bool Candidate { get; init; }
    /// <summary>none | certified-convergence | real | integration-error | chattering | sliding | non-convergence | slow-convergence | other-stationary-point | sliding-equilibrium | unverified-increase | unverified-non-convergence.</summary>
    public required string Verdict { get; init; }
    /// <summary>Status of the exact re-run.</summary>
    public string? ExactStatus { get; init; }
    /// <summary>Energy increases of the exact re-run at a switch or during sliding (those an exact flow can show).</summary>
    public int? ExactIncreases { get; init; }
    /// <summary>Rises of the exact re-run inside one pattern piece (no switch, no sliding): its own arithmetic, not counted as increases.</summary>
    public int? ExactIntegrationErrors { get; init; }
    /// <summary>Status of the tightened re-run.</summary>
    public string? TightStatus { get; init; }
    /// <summary>Energy increases of the tightened re-run.</summary>
    public int? TightIncreases { get; init; }
    /// <summary>Where the case's own run came to rest among the stationary points.</summary>
    public required CaseRest Rest { get; init; }
    /// <summary>The rate certificate λ_cert (junction, input pinned only), else null.</summary>
    public double? Certificate { get; init; }
    /// <summary>E(t) ≤ E(0)e^{−2αλ_cert t} at every sample of the case's run (null without a certificate).</summary>
    public bool? CertificateHolds { get; init; }
    /// <summary>Wall time of the case in seconds (the only column that varies between runs).</summary>
    public required double WallTime { get; init; }

    /// <summary>Where the case's time went (not a column).</summary>
    public CasePhases? Phases { get; init; }

    /// <summary>Column names of results.csv.</summary>
    public static readonly string[] Header =
    [
        "case", "blocks", "architecture", "relu", "construction", "weight_scale", "weight_seed", "input_scale", "initial_scale", "alpha",
        "free_dimension", "switching_units", "lambda_min", "lambda_star", "limit_residual", "status", "converged", "reached", "time_to_converge",
        "final_time", "switches", "sliding_episodes", "energy_increases", "largest_relative_increase", "largest_increase_cause",
        "final_distance", "nfev", "njev", "nlu", "accepted_steps", "rejected_steps", "candidate", "verdict", "exact_status",
        "exact_increases", "tight_status", "tight_increases", "stationary_points", "sliding_equilibria", "rested_at", "rested_rank",
        "rested_energy", "lowest_stationary_energy", "rate_certificate", "certificate_holds", "exact_integration_errors", "wall_time_s",
    ];

    /// <summary>The row's cells in <see cref="Header"/> order.</summary>
    public object?[] Cells() =>
    [
        Case.Id, Case.Architecture.Blocks!.Length, Case.ArchitectureText,
        Case.Architecture.Placement == Models.Networks.ReluPlacement.After ? "after" : "before",
        Case.Construction.ToString().ToLowerInvariant(), Case.WeightScale, Case.WeightSeed, Case.InputScale, Case.InitialScale, Case.Alpha,
        FreeDimension, SwitchingUnits, LambdaMin, LambdaStar, LimitResidual, Status, Converged, Reached, TimeToConverge,
        double.IsFinite(FinalTime) ? FinalTime : null, Switches, SlidingEpisodes, EnergyIncreases, LargestRelativeIncrease, LargestIncreaseCause,
        FinalDistance, Nfev, Njev, Nlu, Accepted, Rejected, Candidate, Verdict, ExactStatus, ExactIncreases, TightStatus, TightIncreases,
        Rest.Points, Rest.SlidingPoints, Rest.RestedAt, Rest.Rank, Rest.Energy, Rest.LowestEnergy, Certificate, CertificateHolds, ExactIntegrationErrors, WallTime,
    ];
}

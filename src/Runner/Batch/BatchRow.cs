namespace ResidualSheaf.Runner.Batch;

/// <summary>One input's row of <c>batch.csv</c> (every column documented in docs/outputs.md).</summary>
public sealed record BatchRow
{
    /// <summary>The columns, in file order.</summary>
    public static readonly string[] Header =
    [
        "input", "status", "reason", "converged", "time_to_converge", "final_time", "switches", "sliding_episodes", "energy_increases",
        "largest_relative_increase", "largest_increase_cause", "initial_energy", "final_energy", "final_distance", "output_vs_torch_float64",
        "limit_residual", "limit_energy", .. LimitEnergySplit.Columns, "lambda_min", "method", "nfev", "njev", "nlu", "accepted_steps", "rejected_steps", "eigendecompositions",
        "wall_time_s",
    ];

    /// <summary>Input index (row of the data file, or draw number).</summary>
    public required long Input { get; init; }

    /// <summary>HeatStatus, or Plateau for a plateau stop.</summary>
    public required string Status { get; init; }

    /// <summary>The stop rule that ended the run (Distance, Force, Plateau, Change) or None.</summary>
    public required string Reason { get; init; }

    /// <summary>Status Converged.</summary>
    public required bool Converged { get; init; }

    /// <summary>First time the stop criterion held.</summary>
    public double? TimeToConverge { get; init; }

    /// <summary>Time at the end of the run.</summary>
    public required double FinalTime { get; init; }

    /// <summary>Mode changes.</summary>
    public required long Switches { get; init; }

    /// <summary>Sliding entries.</summary>
    public required long SlidingEpisodes { get; init; }

    /// <summary>Classified energy increases.</summary>
    public required int EnergyIncreases { get; init; }

    /// <summary>Largest relative increase, or null.</summary>
    public double? LargestRelativeIncrease { get; init; }

    /// <summary>Its cause, or null.</summary>
    public string? LargestIncreaseCause { get; init; }

    /// <summary>E(0).</summary>
    public required double InitialEnergy { get; init; }

    /// <summary>E at the end.</summary>
    public required double FinalEnergy { get; init; }

    /// <summary>‖c − limit‖∞ at the end.</summary>
    public required double FinalDistance { get; init; }

    /// <summary>max |y − y_torch64| of the final output stalk.</summary>
    public required double OutputVsTorch { get; init; }

    /// <summary>‖δ_Ω c* − b̃‖ of the limit (0 for an exact solve).</summary>
    public required double LimitResidual { get; init; }

    /// <summary>E at the limit (the pinned discord with pin_output).</summary>
    public required double LimitEnergy { get; init; }

    /// <summary>E at the limit by edge kind (<see cref="LimitEnergySplit"/>), in <see cref="LimitEnergySplit.Kinds"/> order.</summary>
    public required double[] LimitEnergyByKind { get; init; }

    /// <summary>λ_min(L_free) at the limit's pattern, or null above the dense limit.</summary>
    public double? LambdaMin { get; init; }

    /// <summary>The method that ran.</summary>
    public required string Method { get; init; }

    /// <summary>Force evaluations.</summary>
    public required long Nfev { get; init; }

    /// <summary>Jacobian evaluations.</summary>
    public required long Njev { get; init; }

    /// <summary>LU factorisations.</summary>
    public required long Nlu { get; init; }

    /// <summary>Accepted steps (segments for the exact flow).</summary>
    public required long Accepted { get; init; }

    /// <summary>Rejected steps.</summary>
    public required long Rejected { get; init; }

    /// <summary>Eigendecompositions computed (exact flow).</summary>
    public required long Eigendecompositions { get; init; }

    /// <summary>Wall time of this input (set-up and solve), seconds.</summary>
    public required double WallTime { get; init; }

    /// <summary>The cells in <see cref="Header"/> order.</summary>
    public object?[] Cells() =>
    [
        Input, Status, Reason, Converged, TimeToConverge, FinalTime, Switches, SlidingEpisodes, EnergyIncreases, LargestRelativeIncrease,
        LargestIncreaseCause, InitialEnergy, FinalEnergy, FinalDistance, OutputVsTorch, LimitResidual, LimitEnergy, .. LimitEnergyByKind.Cast<object?>(), LambdaMin, Method, Nfev, Njev, Nlu,
        Accepted, Rejected, Eigendecompositions, WallTime,
    ];
}

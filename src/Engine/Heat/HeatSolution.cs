namespace ResidualSheaf.Engine.Heat;

/// <summary>The outcome of <see cref="HeatSolver.Solve"/>.</summary>
/// <param name="Status">Why the run stopped.</param>
/// <param name="Reason">Which stop rule ended it (<see cref="StopReason.None"/> unless Status is Converged or StoppedByRule).</param>
/// <param name="Message">A readable explanation of the status.</param>
/// <param name="FinalTime">Time of <paramref name="FinalState"/>.</param>
/// <param name="FinalState">The free coordinates at the end (the last finite state after a non-finite failure).</param>
/// <param name="Events">Switching events in time order, up to <paramref name="FinalTime"/>.</param>
/// <param name="Statistics">Work counters.</param>
/// <param name="ConvergenceTime">Time the stop criterion was first met (null when not converged).</param>
/// <param name="ExactLimit">The exact limit c* (exact method, when no unit switches after the last event), else null.</param>
/// <param name="Algorithm">The algorithm that ran (for <see cref="AutoFlow"/>, the one it chose).</param>
public sealed record HeatSolution(HeatStatus Status, StopReason Reason, string Message, double FinalTime, double[] FinalState,
    IReadOnlyList<HeatEvent> Events, HeatStatistics Statistics, double? ConvergenceTime, double[]? ExactLimit, HeatAlgorithm Algorithm);

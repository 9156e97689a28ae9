namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// The one entry point: <c>Solve(problem, algorithm, observer)</c> → <see cref="HeatSolution"/> (problem = what, algorithm value = how
/// with its own parameters, solution = the result with a status, a reason, statistics and events).
/// </summary>
public static class HeatSolver
{
    /// <summary>
    /// Integrates <paramref name="problem"/> with <paramref name="algorithm"/>. Numerical failures never throw, they end the run with
    /// a status. The equation's workspaces are used, so do not share it with another thread during the call.
    /// </summary>
    /// <exception cref="ArgumentNullException">A null problem or algorithm.</exception>
    /// <exception cref="ArgumentException">An invalid problem or algorithm parameter (ParamName names it), or an algorithm that does not
    /// support the problem (the message says why).</exception>
    public static HeatSolution Solve(HeatProblem problem, HeatAlgorithm algorithm, IHeatObserver? observer = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(algorithm);
        problem.Validate();
        algorithm.Validate();
        if (algorithm.Unsupported(problem) is string why)
            throw new ArgumentException($"{algorithm.Name} cannot solve this problem: {why}", nameof(algorithm));
        var run = new HeatRun(problem, algorithm, observer, cancellation);
        var initial = problem.Initial;
        foreach (double v in initial)
        {
            if (double.IsFinite(v)) continue;
            return run.Finish(HeatStatus.NonFiniteState, 0, initial, HeatStatistics.Zero, detail: "the initial state is not finite");
        }
        if (cancellation.IsCancellationRequested) return run.Finish(HeatStatus.Interrupted, 0, initial, HeatStatistics.Zero);
        return algorithm.Run(run, initial);
    }
}

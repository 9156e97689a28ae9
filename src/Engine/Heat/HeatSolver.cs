namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// One entry point for the six ways to integrate the sheaf heat equation (problem = <see cref="HeatEquation"/> and initial state,
/// algorithm = <see cref="HeatOptions"/>, solution = <see cref="HeatSolution"/>).
/// </summary>
public static class HeatSolver
{
    /// <summary>
    /// Integrates from <paramref name="initial"/> (free coordinates). Invalid options throw <see cref="ArgumentException"/> from
    /// <see cref="HeatOptions.Validate"/>; numerical failures never throw, they end the run with a status. The equation's workspaces
    /// are used, so do not share it with another thread during the call.
    /// </summary>
    public static HeatSolution Solve(HeatEquation equation, ReadOnlySpan<double> initial, HeatOptions options, IHeatObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(equation);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(equation.FreeDimension);
        if (initial.Length != equation.FreeDimension)
            throw new ArgumentException($"initial state has length {initial.Length}; the problem has {equation.FreeDimension} free coordinates", nameof(initial));
        var run = new HeatRun(equation, options, observer);
        foreach (double v in initial)
        {
            if (double.IsFinite(v)) continue;
            var zero = new HeatStatistics(0, 0, 0, 0, 0, 0, 0, 0);
            return run.Finish(HeatStatus.NonFiniteState, 0, initial, zero, detail: "the initial state is not finite");
        }
        if (options.Cancellation.IsCancellationRequested)
            return run.Finish(HeatStatus.Interrupted, 0, initial, new HeatStatistics(0, 0, 0, 0, 0, 0, 0, 0));
        return options.Method switch
        {
            HeatMethod.Plain => OdeHeatRun.Run(run, initial, switching: false),
            HeatMethod.SwitchingAware => OdeHeatRun.Run(run, initial, switching: true),
            HeatMethod.ExactPiecewise => ExactHeatRun.Run(run, initial),
            HeatMethod.Krylov => KrylovHeatRun.Run(run, initial),
            HeatMethod.RkcKrylov => RkcKrylovHeatRun.Run(run, initial),
            _ => EulerHeatRun.Run(run, initial),
        };
    }
}

namespace ResidualSheaf.Engine.Heat;

/// <summary>The outcome of <see cref="AuthorsEuler.Run"/>.</summary>
/// <param name="Steps">Euler steps taken (the step that met the stop rule included).</param>
/// <param name="FinalState">The free coordinates after the last step (the last finite one after an overflow).</param>
/// <param name="Converged">True when max|Δc| &lt; tol was met before the step limit.</param>
public sealed record AuthorsEulerResult(long Steps, double[] FinalState, bool Converged)
{
    /// <summary>Simulated time reached, steps · dt.</summary>
    public double Time { get; init; }
}

/// <summary>
/// The authors' discretisation (parity baseline) in one call: forward Euler c ← c + dt·Force(c), masks from the current state,
/// stopped when max_i |Δc_i| &lt; tol — <see cref="FixedStepEuler"/> with a <see cref="ChangeStop"/> through <see cref="HeatSolver"/>.
/// </summary>
public static class AuthorsEuler
{
    /// <summary>Runs from <paramref name="initial"/> (free coordinates) until max|Δc| &lt; <paramref name="tolerance"/> or <paramref name="maxSteps"/>.</summary>
    /// <exception cref="ArgumentException">A wrong-length or non-finite initial state, or a dt, tolerance or step limit out of range.</exception>
    public static AuthorsEulerResult Run(HeatEquation equation, ReadOnlySpan<double> initial, double dt = 0.01, double tolerance = 1e-12, int maxSteps = 10_000_000)
    {
        ArgumentNullException.ThrowIfNull(equation);
        if (initial.Length != equation.FreeDimension)
            throw new ArgumentException($"initial state has length {initial.Length}; the problem has {equation.FreeDimension} free coordinates", nameof(initial));
        if (!double.IsFinite(dt) || dt <= 0) throw new ArgumentException($"dt must be finite and positive (got {dt})", nameof(dt));
        if (!double.IsFinite(tolerance) || tolerance <= 0) throw new ArgumentException($"tolerance must be finite and positive (got {tolerance})", nameof(tolerance));
        if (maxSteps <= 0) throw new ArgumentException($"maxSteps must be positive (got {maxSteps})", nameof(maxSteps));
        foreach (double v in initial)
            if (!double.IsFinite(v)) throw new ArgumentException("initial state contains a non-finite value", nameof(initial));
        var problem = new HeatProblem(equation, initial) { EndTime = double.MaxValue, MaxSteps = maxSteps, MaxEvents = int.MaxValue, StopRules = [new ChangeStop(tolerance)] };
        var s = HeatSolver.Solve(problem, new FixedStepEuler(dt) { SampleEvery = int.MaxValue });
        return new AuthorsEulerResult(s.Statistics.Accepted, s.FinalState, s.Status == HeatStatus.Converged) { Time = s.Statistics.Accepted * dt };
    }
}

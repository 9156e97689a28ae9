namespace ResidualSheaf.Engine.Heat;

/// <summary>The outcome of <see cref="AuthorsEuler.Run"/>.</summary>
/// <param name="Steps">Euler steps taken (the step that met the stop rule included).</param>
/// <param name="FinalState">The free coordinates after the last step.</param>
/// <param name="Converged">True when max|Δc| &lt; tol was met before the step limit.</param>
/// <param name="LastMaxChange">max_i |Δc_i| of the last step.</param>
public sealed record AuthorsEulerResult(int Steps, double[] FinalState, bool Converged, double LastMaxChange)
{
    /// <summary>Simulated time reached, steps · dt.</summary>
    public double Time { get; init; }
}

/// <summary>
/// The authors' discretisation (parity baseline): forward Euler c ← c + dt·Force(c), masks from the current state, stopped when
/// max_i |Δc_i| &lt; tol. The general ODE library has its own Euler; this one reproduces the reference code's arithmetic.
/// </summary>
public static class AuthorsEuler
{
    /// <summary>Runs from <paramref name="initial"/> (free coordinates) until max|Δc| &lt; <paramref name="tolerance"/> or <paramref name="maxSteps"/>.</summary>
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
        var c = initial.ToArray();
        var f = new double[c.Length];
        int steps = 0;
        double maxChange = double.PositiveInfinity;
        while (steps < maxSteps)
        {
            equation.Force(c, f);
            maxChange = 0;
            for (int i = 0; i < c.Length; i++)
            {
                double dc = dt * f[i];
                c[i] += dc;
                maxChange = Math.Max(maxChange, Math.Abs(dc));
            }
            steps++;
            if (!double.IsFinite(maxChange)) break;
            if (maxChange < tolerance) return new AuthorsEulerResult(steps, c, true, maxChange) { Time = steps * dt };
        }
        return new AuthorsEulerResult(steps, c, false, maxChange) { Time = steps * dt };
    }
}

namespace ResidualSheaf.Engine.Integration;

/// <summary>Entry points: <c>Ode.Solve(problem, algorithm, options)</c>.</summary>
public static class Ode
{
    /// <summary>Integrates <paramref name="problem"/> with <paramref name="algorithm"/> and returns the solution (never throws for numerical failures: see <see cref="OdeSolution.Status"/>).</summary>
    /// <param name="problem">The problem.</param>
    /// <param name="algorithm">The method.</param>
    /// <param name="options">Options (defaults when null).</param>
    public static OdeSolution Solve(OdeProblem problem, OdeAlgorithm algorithm, OdeOptions? options = null) =>
        new OdeIntegrator(problem, algorithm, options).Run();
}

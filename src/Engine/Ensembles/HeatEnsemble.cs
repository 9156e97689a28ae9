using ResidualSheaf.Engine.Heat;

namespace ResidualSheaf.Engine.Ensembles;

/// <summary>
/// Heat problems that share one operator (the same sheaf and weights) over many items — inputs, initial cochains, targets: each
/// worker owns one <see cref="HeatEquation"/> (its buffers are per thread) and builds item k's problem on it.
/// </summary>
public static class HeatEnsemble
{
    /// <summary>
    /// The ensemble of <c>Solve(problemOf(k, equation), algorithm)</c> over <paramref name="items"/>; <paramref name="createEquation"/>
    /// is called once per worker and must build equal equations (same problem and α).
    /// </summary>
    public static EnsembleProblem<HeatEquation, HeatSolution> Create(IReadOnlyList<long> items, Func<HeatEquation> createEquation,
        Func<long, HeatEquation, HeatProblem> problemOf, HeatAlgorithm algorithm, Func<long, IHeatObserver?>? observerOf = null)
    {
        ArgumentNullException.ThrowIfNull(problemOf);
        ArgumentNullException.ThrowIfNull(algorithm);
        return new EnsembleProblem<HeatEquation, HeatSolution>(items, createEquation,
            (k, equation, cancel) => HeatSolver.Solve(problemOf(k, equation), algorithm, observerOf?.Invoke(k), cancel));
    }
}

using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Spectra;
using ResidualSheaf.Models.Construction;

namespace ResidualSheaf.Runner.Jobs;

/// <summary>
/// The limit a heat flow is measured against, computed the same way for the heat job and for hunt cases: the static solve of the
/// same pinned problem from the forward pass's masks (the harmonic extension when δ_Ω is unitriangular, else a least-squares point).
/// </summary>
/// <param name="Solution">The static solve on the full cochain.</param>
/// <param name="Target">Its free coordinates.</param>
public sealed record FlowLimit(DirichletSolution Solution, double[] Target)
{
    /// <summary>Solves <paramref name="problem"/> (a problem of <paramref name="sheaf"/>) from the forward masks of <paramref name="input"/>.</summary>
    public static FlowLimit Solve(NetworkSheaf sheaf, DirichletProblem problem, double[] input)
    {
        var solution = DirichletSolver.Solve(problem, initialMasks: sheaf.ForwardMasks(input));
        return new FlowLimit(solution, problem.Restrict(solution.Cochain));
    }

    /// <summary>λ_* = min over every mask pattern of λ_min(L_free), when at most <paramref name="maxUnits"/> mask coordinates are free (else null).</summary>
    public static double? LambdaStar(DirichletProblem problem, int maxUnits) =>
        problem.Sheaf.MaskCoordinates.Count(j => !problem.Pins.IsPinned(j)) <= maxUnits ? MaskSpectrum.Compute(problem).LambdaStar : null;
}

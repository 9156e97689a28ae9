using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.Sheaves;

namespace ResidualSheaf.Engine.Spectra;

/// <summary>
/// λ_min, λ_max and κ of L_free at one activation pattern without forming a matrix (sheaves too large for
/// <see cref="DirichletDiagnostics"/>, e.g. convolutional ones). λ_max by Lanczos on L (<see cref="ForwardPatternLaplacian"/>:
/// the top of the spectrum converges in a few dozen steps). λ_min by Lanczos on L⁻¹ = δ_Ω⁻¹δ_Ω⁻ᵀ through the unitriangular sweeps
/// when δ_Ω is square unitriangular (junction sheaves; a smooth head is one more block row, linearised at the state as in
/// the Gauss–Newton term of <see cref="ForwardPatternLaplacian"/>): 1/λ_min is then the top of the spectrum, well
/// separated from the rest, where on L it is the bottom of a spectrum spread over κ ~ 1e6 (Lanczos on L stalled there after 600
/// steps, docs/digits-resnet.md). Otherwise λ_min is the smallest Ritz value of L (an upper bound; its residual says how far from
/// converged).
/// </summary>
/// <param name="LambdaMin">Smallest eigenvalue (estimate).</param>
/// <param name="LambdaMax">Largest eigenvalue (estimate).</param>
/// <param name="LambdaMinRelativeResidual">‖A y − θ y‖ / |θ| of the Ritz pair giving λ_min (A = L⁻¹ or L).</param>
/// <param name="LambdaMaxRelativeResidual">‖L y − θ y‖ / θ of the top Ritz pair of L.</param>
/// <param name="InverseLanczos">Whether λ_min came from Lanczos on L⁻¹.</param>
/// <param name="Iterations">Lanczos steps in all (both runs).</param>
public sealed record PatternSpectrum(double LambdaMin, double LambdaMax, double LambdaMinRelativeResidual, double LambdaMaxRelativeResidual,
    bool InverseLanczos, int Iterations)
{
    /// <summary>κ = λ_max / λ_min.</summary>
    public double Condition => LambdaMax / LambdaMin;

    /// <summary>"lanczos-inverse" (λ_min from L⁻¹) or "lanczos" (both from L).</summary>
    public string Method => InverseLanczos ? "lanczos-inverse" : "lanczos";

    /// <summary>The spectrum of <paramref name="problem"/>'s L_free with masks <paramref name="masks"/>, heads linearised at <paramref name="state"/>.</summary>
    /// <param name="problem">The Dirichlet problem (pins, free coordinates).</param>
    /// <param name="masks">The activation pattern.</param>
    /// <param name="state">Full cochain where smooth heads are linearised (the solution).</param>
    /// <param name="maxIterations">Lanczos steps on L⁻¹ at most (and on L when there is no L⁻¹).</param>
    /// <param name="topIterations">Lanczos steps on L at most when λ_min comes from L⁻¹ (only λ_max is read then; the bottom never converges).</param>
    /// <param name="tolerance">Relative residual at which Lanczos stops.</param>
    /// <param name="seed">Start vector seed.</param>
    public static PatternSpectrum Compute(DirichletProblem problem, MaskPattern masks, ReadOnlySpan<double> state, int maxIterations = 600,
        int topIterations = 150, double tolerance = 1e-10, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(masks);
        var sweeps = UnitriangularSweeps.TryCreate(problem, out _);
        // With an output head the sweeps take its row linearised at the state: then L⁻¹ is that of ForwardPatternLaplacian (Gauss–Newton).
        if (sweeps is not null && problem.Sheaf.HasSmoothEdges) sweeps.LineariseSmoothEdges(state);
        var top = new ForwardPatternLaplacian(problem, masks, state).Extremes(sweeps is null ? maxIterations : topIterations, tolerance, seed);
        if (sweeps is null)
            return new PatternSpectrum(top.Min, top.Max, top.MinResidual / Math.Abs(top.Min), top.MaxResidual / top.Max, false, top.Iterations);
        masks.Theta.CopyTo(sweeps.Masks.Theta);
        var edge = new double[sweeps.EdgeLength];
        var inv = LanczosExtremes.Compute((v, x) => sweeps.InverseLaplacian(v, x, edge, 1.0), problem.FreeCoordinates.Count, maxIterations, tolerance, seed);
        return new PatternSpectrum(1 / inv.Max, top.Max, inv.MaxResidual / inv.Max, top.MaxResidual / top.Max, true, top.Iterations + inv.Iterations);
    }
}

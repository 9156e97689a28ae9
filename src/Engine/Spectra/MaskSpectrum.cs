using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Sheaves;

namespace ResidualSheaf.Engine.Spectra;

/// <summary>λ_* = min over all binary mask patterns of λ_min(L_free(σ)), and the largest λ_max: the rates of the energy bound E(t) ≤ E(0)e^{−2αλ_* t}.</summary>
/// <param name="LambdaStar">min_σ λ_min(L_free(σ)).</param>
/// <param name="LambdaMaxOverall">max_σ λ_max(L_free(σ)).</param>
/// <param name="Patterns">Number of patterns enumerated.</param>
/// <param name="ArgMin">Bit string of the pattern attaining λ_*.</param>
public sealed record MaskSpectrum(double LambdaStar, double LambdaMaxOverall, long Patterns, string ArgMin)
{
    /// <summary>Exhaustive enumeration is refused above this many free mask coordinates (2^20 patterns).</summary>
    public const int MaxMaskCoordinates = 20;

    /// <summary>Enumerates every pattern of the free mask coordinates (pinned ones take their masks from the pins).</summary>
    public static MaskSpectrum Compute(DirichletProblem problem)
    {
        var sheaf = problem.Sheaf;
        var freeMasks = sheaf.MaskCoordinates.Where(j => problem.FreeIndex(j) >= 0).ToArray();
        if (freeMasks.Length > MaxMaskCoordinates)
            throw new InvalidOperationException(
                $"λ_* needs 2^{freeMasks.Length} mask patterns; exhaustive enumeration is limited to 2^{MaxMaskCoordinates} ({MaxMaskCoordinates} free mask coordinates)");
        var masks = MaskPattern.From(sheaf, problem.PinnedCochain());
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        string arg = "";
        long count = 1L << freeMasks.Length;
        for (long bits = 0; bits < count; bits++)
        {
            for (int k = 0; k < freeMasks.Length; k++) masks.Theta[freeMasks[k]] = ((bits >> k) & 1) == 1 ? 1.0 : 0.0;
            var eig = DirichletDiagnostics.SymmetricEigenvalues(problem.FreeLaplacian(masks));
            if (eig[0] < lo) { lo = eig[0]; arg = masks.ToBitString(sheaf); }
            hi = Math.Max(hi, eig[^1]);
        }
        return new MaskSpectrum(lo, hi, count, arg);
    }
}

using ResidualSheaf.Engine.Sheaves;

namespace ResidualSheaf.Engine.Dirichlet;

/// <summary>The result of a Dirichlet solve, with an honest residual.</summary>
/// <param name="Cochain">The full cochain (pins and solved free values).</param>
/// <param name="Method">How it was solved.</param>
/// <param name="Residual">‖δ_Ω c_Ω − b̃‖₂ = ‖δc‖₂ under <paramref name="Masks"/>, evaluated edge by edge after the solve.</param>
/// <param name="Masks">The masks the final solve used.</param>
/// <param name="MasksConsistent">True if masks recomputed from the solution equal <paramref name="Masks"/>.</param>
/// <param name="MaskIterations">Number of least-squares solves of the mask fixed-point iteration (1 for forward substitution).</param>
/// <param name="Note">Why this method was chosen (e.g. why forward substitution did not apply).</param>
public sealed record DirichletSolution(
    double[] Cochain,
    DirichletMethod Method,
    double Residual,
    MaskPattern Masks,
    bool MasksConsistent,
    int MaskIterations,
    string Note)
{
    /// <summary>Dirichlet energy ½ Residual².</summary>
    public double Energy => 0.5 * Residual * Residual;
}

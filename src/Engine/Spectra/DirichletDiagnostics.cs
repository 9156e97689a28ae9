using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Sheaves;

namespace ResidualSheaf.Engine.Spectra;

/// <summary>Shape, rank, singular values and determinant of δ_Ω; spectrum and conditioning of L_free = δ_Ωᵀ δ_Ω.</summary>
/// <param name="Rows">Rows of δ_Ω (edge dimension).</param>
/// <param name="Columns">Columns of δ_Ω (free dimension).</param>
/// <param name="Rank">Numerical rank (singular values above max(m, n)·σ_max·4ε).</param>
/// <param name="SingularValues">Singular values of δ_Ω, decreasing.</param>
/// <param name="Determinant">det δ_Ω by LU when square, otherwise null.</param>
/// <param name="LaplacianEigenvalues">Eigenvalues of L_free, increasing.</param>
public sealed record DirichletDiagnostics(int Rows, int Columns, int Rank, double[] SingularValues, double? Determinant, double[] LaplacianEigenvalues)
{
    /// <summary>λ_min(L_free).</summary>
    public double LambdaMin => LaplacianEigenvalues.Length == 0 ? double.NaN : LaplacianEigenvalues[0];

    /// <summary>λ_max(L_free).</summary>
    public double LambdaMax => LaplacianEigenvalues.Length == 0 ? double.NaN : LaplacianEigenvalues[^1];

    /// <summary>Condition number λ_max / λ_min of L_free (∞ when singular).</summary>
    public double ConditionNumber => LambdaMin > 0 ? LambdaMax / LambdaMin : double.PositiveInfinity;

    /// <summary>True when rank = number of columns.</summary>
    public bool FullColumnRank => Rank == Columns;

    /// <summary>Computes every figure under the given masks (dense; meant for systems up to a few thousand unknowns).</summary>
    public static DirichletDiagnostics Compute(DirichletProblem problem, MaskPattern masks)
    {
        var a = problem.FreeCoboundary(masks).ToDenseMatrix();
        if (a.ColumnCount == 0 || a.RowCount == 0)
            return new DirichletDiagnostics(a.RowCount, a.ColumnCount, 0, [], null, []);
        var s = a.Svd(computeVectors: false).S.ToArray();
        double tol = Math.Max(a.RowCount, a.ColumnCount) * (s.Length > 0 ? s[0] : 0) * 4e-16;
        int rank = s.Count(x => x > tol);
        double? det = a.RowCount == a.ColumnCount ? a.LU().Determinant : null;
        var l = a.TransposeThisAndMultiply(a);
        var eig = SymmetricEigenvalues(l);
        return new DirichletDiagnostics(a.RowCount, a.ColumnCount, rank, s, det, eig);
    }

    /// <summary>Eigenvalues of a symmetric matrix, increasing.</summary>
    public static double[] SymmetricEigenvalues(MathNet.Numerics.LinearAlgebra.Matrix<double> symmetric)
    {
        // MathNet's Evd(Symmetric), bit for bit, faster (a hunt takes one per case).
        var ev = LinearAlgebra.SymmetricEvd.Of(symmetric).Values;
        Array.Sort(ev);
        return ev;
    }
}

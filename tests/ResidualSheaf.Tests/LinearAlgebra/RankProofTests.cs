using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;
using MathNet.Numerics.LinearAlgebra.Factorization;
using ResidualSheaf.Engine.Dirichlet;
using Xunit;

namespace ResidualSheaf.Tests.LinearAlgebra;

/// <summary>
/// The least-squares solve skips the SVD when a QR factor proves κ(A) ≤ 1e8. That proof must never claim full rank where the SVD
/// rule (every σ above max(m, n)·σ_max·4e−15) would not: checked on matrices with prescribed singular values, from well conditioned
/// to rank deficient, and the proof must hold where κ is well below its limit (else it saves nothing).
/// </summary>
public class RankProofTests
{
    public static TheoryData<int, int, double> Cases()
    {
        var d = new TheoryData<int, int, double>();
        foreach (var (m, n) in new[] { (5, 5), (12, 7), (40, 30), (90, 60) })
            foreach (double kappa in new[] { 1.0, 1e3, 1e7, 5e7, 2e8, 1e12, 1e15, 1e17, double.PositiveInfinity })
                d.Add(m, n, kappa);
        return d;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheProofNeverContradictsTheSvdRule(int m, int n, double kappa)
    {
        var rng = new Random((m * 1000) + n);
        for (int rep = 0; rep < 5; rep++)
        {
            var a = WithSingularValues(rng, m, n, kappa);
            var s = a.Svd(computeVectors: false).S;
            double tol = Math.Max(m, n) * s[0] * 1e-15 * 4;
            bool svdFull = s.Count(v => v > tol) == n;
            bool proof = DirichletSolver.WellConditioned(a, a.QR(QRMethod.Thin).R);
            if (proof) Assert.True(svdFull, $"κ {kappa:g3}: the proof claims full rank, the SVD finds σ_min {s[^1]:g3} ≤ tol {tol:g3}");
            // Below the limit by a factor of two or more the proof must succeed (‖R⁻¹‖_F ≤ √n/σ_min: allow that factor).
            if (kappa * Math.Sqrt(n) <= DirichletSolver.RankProofCondition / 2) Assert.True(proof, $"κ {kappa:g3}: no proof");
            if (kappa > DirichletSolver.RankProofCondition) Assert.False(proof, $"κ {kappa:g3}: proof above the limit");
        }
    }

    // U·diag(σ)·Vᵀ with random orthogonal U, V and σ log-spaced from 1 to 1/κ (the last ones 0 when κ is infinite).
    private static Matrix<double> WithSingularValues(Random rng, int m, int n, double kappa)
    {
        Matrix<double> Orthogonal(int k) => DenseMatrix.Create(k, k, (_, _) => rng.NextDouble() - 0.5).QR().Q;
        var u = Orthogonal(m).SubMatrix(0, m, 0, n);
        var v = Orthogonal(n);
        var sigma = DenseMatrix.Create(n, n, (i, j) => i != j ? 0.0
            : double.IsPositiveInfinity(kappa) ? (i < n - 2 ? Math.Pow(10, -3.0 * i / n) : 0.0)
            : n == 1 ? 1.0 : Math.Pow(kappa, -(double)i / (n - 1)));
        return u * sigma * v.Transpose();
    }
}

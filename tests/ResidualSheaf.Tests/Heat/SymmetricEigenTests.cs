using ResidualSheaf.Engine.Heat;

namespace ResidualSheaf.Tests.Heat;

/// <summary>
/// The Jacobi eigen-solver of the Krylov flow: the SIMD version (Q kept transposed, row rotations vectorised) gives the same bits
/// as the scalar column loops it replaced, and its eigenpairs match MathNet's dense symmetric eigendecomposition.
/// </summary>
public class SymmetricEigenTests
{
    /// <summary>The solver as it was before the SIMD rows (scalar column loops for A and Q), kept here as the bit-level reference.</summary>
    private static bool ScalarJacobi(double[] a, double[] q, double[] values, int n)
    {
        Array.Clear(q, 0, n * n);
        for (int i = 0; i < n; i++) q[i * n + i] = 1.0;
        bool converged = false;
        for (int sweep = 0; sweep < 60 && !converged; sweep++)
        {
            converged = true;
            for (int p = 0; p < n - 1; p++)
                for (int r = p + 1; r < n; r++)
                {
                    double apr = a[p * n + r];
                    double app = a[p * n + p], arr = a[r * n + r];
                    if (Math.Abs(apr) <= 1e-300 || Math.Abs(apr) <= 2.220446049250313e-16 * 0.5 * Math.Sqrt(Math.Abs(app * arr)))
                    {
                        a[p * n + r] = a[r * n + p] = 0;
                        continue;
                    }
                    converged = false;
                    double theta = (arr - app) / (2 * apr);
                    double t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = a[k * n + p], akr = a[k * n + r];
                        a[k * n + p] = c * akp - s * akr;
                        a[k * n + r] = s * akp + c * akr;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double apk = a[p * n + k], ark = a[r * n + k];
                        a[p * n + k] = c * apk - s * ark;
                        a[r * n + k] = s * apk + c * ark;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double qkp = q[k * n + p], qkr = q[k * n + r];
                        q[k * n + p] = c * qkp - s * qkr;
                        q[k * n + r] = s * qkp + c * qkr;
                    }
                }
        }
        for (int i = 0; i < n; i++) values[i] = a[i * n + i];
        for (int i = 0; i < n - 1; i++)
        {
            int k = i;
            for (int j = i + 1; j < n; j++) if (values[j] < values[k]) k = j;
            if (k == i) continue;
            (values[i], values[k]) = (values[k], values[i]);
            for (int r = 0; r < n; r++) (q[r * n + i], q[r * n + k]) = (q[r * n + k], q[r * n + i]);
        }
        return converged;
    }

    /// <summary>An SPD matrix B Bᵀ + 1e−6 I with entries of B from a seeded normal draw, graded by row (κ up to ~1e10).</summary>
    private static double[] Spd(int n, int seed)
    {
        var b = HeatReference.Normal(n * n, seed);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = 0;
                for (int k = 0; k < n; k++) s += b[i * n + k] * b[j * n + k];
                s *= Math.Pow(10, -0.05 * (i + j));
                a[i * n + j] = a[j * n + i] = s + (i == j ? 1e-6 : 0);
            }
        return a;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(40)]
    [InlineData(67)]
    public void SimdJacobiEqualsTheScalarLoopsToTheBitAndMathNet(int n)
    {
        for (int seed = 0; seed < 3; seed++)
        {
            var a = Spd(n, 100 * n + seed);
            var (a1, a2) = ((double[])a.Clone(), (double[])a.Clone());
            var (q1, q2) = (new double[n * n], new double[n * n]);
            var (v1, v2) = (new double[n], new double[n]);
            Assert.True(SymmetricEigen.Jacobi(a1, q1, v1, n));
            Assert.True(ScalarJacobi(a2, q2, v2, n));
            Assert.Equal(v2, v1);
            Assert.Equal(q2, q1);
            Assert.Equal(a2, a1);

            var m = MathNet.Numerics.LinearAlgebra.Double.DenseMatrix.Create(n, n, (i, j) => a[i * n + j]);
            var ev = m.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric).EigenValues.Select(z => z.Real).OrderBy(x => x).ToArray();
            double norm = ev[^1];
            for (int k = 0; k < n; k++)
            {
                Assert.True(Math.Abs(v1[k] - ev[k]) <= 1e-13 * norm, $"n = {n}: θ_{k} = {v1[k]} vs {ev[k]}");
                // Residual of the eigenpair: ‖A q_k − θ_k q_k‖∞ ≤ 1e−13 ‖A‖.
                for (int i = 0; i < n; i++)
                {
                    double s = 0;
                    for (int j = 0; j < n; j++) s += a[i * n + j] * q1[j * n + k];
                    Assert.True(Math.Abs(s - v1[k] * q1[i * n + k]) <= 1e-13 * norm, $"n = {n}: residual of pair {k}, row {i}");
                }
            }
        }
    }
}

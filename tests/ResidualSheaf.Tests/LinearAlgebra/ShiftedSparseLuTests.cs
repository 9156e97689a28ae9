using ResidualSheaf.Engine.LinearAlgebra;
using Xunit;

namespace ResidualSheaf.Tests.LinearAlgebra;

/// <summary>
/// ShiftedSparseLu against DenseLu on W = shift·I − J: the same pivots and the same solutions, bit for bit (an exact zero may differ
/// in sign only), and the refusals that send Rodas4 back to the dense factor.
/// </summary>
public class ShiftedSparseLuTests
{
    public static TheoryData<int, int> Cases()
    {
        var d = new TheoryData<int, int>();
        foreach (int n in new[] { 1, 2, 3, 5, 8, 17, 64, 133, 214 })
        {
            for (int kind = 0; kind < 5; kind++) d.Add(n, kind);
        }
        return d;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FactorsAndSolvesAsTheDenseLu(int n, int kind)
    {
        var rng = new Random((n * 17) + kind);
        double[] jac = Jacobian(rng, n, kind);
        // One factorization object for all shifts, as in Rodas4: after the first, each factorization replays the last one's
        // structure while its pivots agree (and redoes it where they do not: the shifts span pivoting regimes).
        var lu = new ShiftedSparseLu(n);
        Assert.True(lu.Load(jac, maxDensity: 1.0));
        foreach (double shift in new[] { 4.0, 3.5, 0.37, 0.36, 1e-3, 4.0, 1e6, 1e-3 })
        {
            var w = new double[n * n];
            for (int k = 0; k < w.Length; k++) w[k] = -jac[k];
            for (int i = 0; i < n; i++) w[(i * n) + i] += shift;
            var ipiv = new int[n];
            DenseLu.Factor(w, n, ipiv, new double[2 * n]);
            bool singular = Enumerable.Range(0, n).Any(i => w[(i * n) + i] == 0);

            bool factored = lu.Factor(shift);
            // A zero pivot is handed back to the dense factor; otherwise the sparse factor must succeed.
            Assert.Equal(!singular, factored);
            if (!factored) continue;
            Assert.Equal(ipiv, lu.Pivots.ToArray());
            for (int rep = 0; rep < 3; rep++)
            {
                double[] b = Enumerable.Range(0, n).Select(i => rep == 2 && i % 3 == 0 ? 0.0 : rng.NextDouble() - 0.5).ToArray();
                double[] dense = (double[])b.Clone(), sparse = (double[])b.Clone();
                DenseLu.Solve(w, n, ipiv, dense);
                Assert.True(lu.Solve(sparse));
                for (int i = 0; i < n; i++)
                {
                    // Equal as numbers; where both are non-zero, equal as bit patterns.
                    Assert.True(dense[i] == sparse[i], $"shift {shift}, x[{i}]: dense {dense[i]:R}, sparse {sparse[i]:R}");
                    if (dense[i] != 0) Assert.Equal(BitConverter.DoubleToInt64Bits(dense[i]), BitConverter.DoubleToInt64Bits(sparse[i]));
                }
            }
        }
    }

    [Fact]
    public void ReplaysWhilePivotsAgreeAndRefactorsWhenTheyDiffer()
    {
        int n = 64;
        var jac = Jacobian(new Random(11), n, 0);
        var lu = new ShiftedSparseLu(n);
        Assert.True(lu.Load(jac, maxDensity: 1.0));
        var pivots = new List<int[]>();
        foreach (double shift in new[] { 1e6, 2e6, 3e6, 1e-2, 2e-2 })
        {
            Assert.True(lu.Factor(shift));
            pivots.Add(lu.Pivots.ToArray());
        }
        // Large shifts pivot on the diagonal (replayed); a small one pivots elsewhere (refactored, then replayed again).
        Assert.True(lu.Replays >= 2, $"replays {lu.Replays}");
        Assert.True(lu.FullFactorizations >= 2, $"full {lu.FullFactorizations}");
        Assert.Equal(Enumerable.Range(0, n), pivots[0]);
        Assert.NotEqual(pivots[0], pivots[3]);
    }

    [Fact]
    public void RefusesWhatItCannotReproduce()
    {
        int n = 6;
        var jac = Jacobian(new Random(3), n, 0);
        var lu = new ShiftedSparseLu(n);
        // Too dense for the default threshold, and a non-finite entry.
        var full = Enumerable.Range(0, n * n).Select(i => 1.0 + i).ToArray();
        Assert.False(lu.Load(full));
        var bad = (double[])jac.Clone();
        bad[7] = double.NaN;
        Assert.False(lu.Load(bad, maxDensity: 1.0));
        Assert.True(lu.Load(jac, maxDensity: 1.0));
        Assert.False(lu.Factor(double.PositiveInfinity));
        Assert.True(lu.Factor(2.0));
        var b = new double[n];
        b[2] = double.NaN;
        Assert.False(lu.Solve(b));
        Assert.True(double.IsNaN(b[2]));
        // Still usable after a refusal: the next factorization agrees with the dense one.
        Assert.False(lu.Factor(double.NaN));
        Assert.True(lu.Factor(2.0));
        var w = new double[n * n];
        for (int k = 0; k < w.Length; k++) w[k] = -jac[k];
        for (int i = 0; i < n; i++) w[(i * n) + i] += 2.0;
        var ipiv = new int[n];
        DenseLu.Factor(w, n, ipiv, new double[2 * n]);
        Assert.Equal(ipiv, lu.Pivots.ToArray());
    }

    // J for W = shift·I − J. 0: random sparse, any sign (pivoting and fill); 1: minus a sheaf-Laplacian-like δᵀδ, δ banded and
    // sparse (Rodas4's case); 2: small integers on a band, zero diagonal (ties in the pivot search, exact cancellations, zero
    // pivots); 3: magnitudes over 24 decades; 4: a dense block in a sparse matrix (rows reached late through fill-in).
    private static double[] Jacobian(Random rng, int n, int kind)
    {
        var j = new double[n * n];
        switch (kind)
        {
            case 1:
                int rows = 2 * n;
                var delta = new double[rows, n];
                for (int r = 0; r < rows; r++)
                {
                    int c0 = Math.Min(n - 1, r / 2);
                    for (int c = Math.Max(0, c0 - 6); c <= c0; c++) delta[r, c] = rng.NextDouble() < 0.4 ? (rng.NextDouble() - 0.5) * 4 : 0;
                }
                for (int a = 0; a < n; a++)
                    for (int b = 0; b < n; b++)
                    {
                        double s = 0;
                        for (int r = 0; r < rows; r++) s += delta[r, a] * delta[r, b];
                        j[(b * n) + a] = -s;
                    }
                break;
            case 2:
                for (int c = 0; c < n; c++)
                    for (int r = Math.Max(0, c - 4); r <= Math.Min(n - 1, c + 4); r++)
                        j[(c * n) + r] = r == c ? 0 : rng.Next(-2, 3);
                break;
            case 3:
                for (int i = 0; i < j.Length; i++) if (rng.NextDouble() < 0.1) j[i] = (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-12, 13));
                break;
            case 4:
                for (int i = 0; i < j.Length; i++) if (rng.NextDouble() < 0.05) j[i] = rng.NextDouble() - 0.5;
                int m = Math.Min(n, 12), o = n / 2;
                for (int a = 0; a < m; a++)
                    for (int b = 0; b < m; b++)
                        if (o + a < n && o + b < n) j[((o + b) * n) + o + a] = rng.NextDouble() - 0.5;
                break;
            default:
                for (int i = 0; i < j.Length; i++) if (rng.NextDouble() < 0.08) j[i] = rng.NextDouble() - 0.5;
                break;
        }
        return j;
    }
}

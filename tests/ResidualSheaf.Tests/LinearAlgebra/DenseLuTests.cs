using MathNet.Numerics.Providers.LinearAlgebra;
using ResidualSheaf.Engine.LinearAlgebra;
using Xunit;

namespace ResidualSheaf.Tests.LinearAlgebra;

/// <summary>DenseLu against MathNet's managed provider: the same factors, pivots and solutions, bit for bit.</summary>
public class DenseLuTests
{
    public static TheoryData<int, int> Cases()
    {
        var d = new TheoryData<int, int>();
        foreach (int n in new[] { 1, 2, 3, 4, 5, 7, 8, 9, 16, 31, 64, 133, 200 })
        {
            for (int kind = 0; kind < 6; kind++) d.Add(n, kind);
        }
        return d;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FactorsAndSolvesBitForBitAsMathNet(int n, int kind)
    {
        var rng = new Random((n * 31) + kind);
        double[] a = Matrix(rng, n, kind);
        double[] b = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();

        var provider = LinearAlgebraControl.Provider;
        Assert.Contains("Managed", provider.ToString(), StringComparison.Ordinal);
        double[] refLu = (double[])a.Clone();
        int[] refPiv = new int[n];
        provider.LUFactor(refLu, n, refPiv);
        double[] refX = (double[])b.Clone();
        provider.LUSolveFactored(1, refLu, n, refPiv, refX);

        double[] lu = (double[])a.Clone();
        int[] piv = new int[n];
        DenseLu.Factor(lu, n, piv, new double[2 * n]);
        double[] x = (double[])b.Clone();
        DenseLu.Solve(lu, n, piv, x);

        Assert.Equal(refPiv, piv);
        for (int i = 0; i < lu.Length; i++) Assert.Equal(BitConverter.DoubleToInt64Bits(refLu[i]), BitConverter.DoubleToInt64Bits(lu[i]));
        for (int i = 0; i < n; i++) Assert.Equal(BitConverter.DoubleToInt64Bits(refX[i]), BitConverter.DoubleToInt64Bits(x[i]));
        if (kind != 2)
        {
            // And it is a solution: A x = b to rounding (the reference could share a bug; the residual cannot).
            for (int i = 0; i < n; i++)
            {
                double r = -b[i], scale = Math.Abs(b[i]);
                for (int j = 0; j < n; j++)
                {
                    r += a[(j * n) + i] * x[j];
                    scale += Math.Abs(a[(j * n) + i] * x[j]);
                }
                Assert.True(Math.Abs(r) <= 1e-10 * scale, $"row {i}: residual {r} of {scale}");
            }
        }
    }

    // 0: general random; 1: the Rodas4 shape I/(hγ) + S, S symmetric positive semi-definite; 2: a zero column and repeated rows
    // (zero pivots and ties in the pivot search); 3: entries spanning many magnitudes; 4: banded, small diagonal (pivoting moves
    // rows within the band, fill-in); 5: the Rodas4 shape of a sheaf Laplacian in layer order, I/(hγ) + δᵀδ with δ banded and sparse.
    private static double[] Matrix(Random rng, int n, int kind)
    {
        var a = new double[n * n];
        switch (kind)
        {
            case 1:
                var g = new double[n * n];
                for (int i = 0; i < g.Length; i++) g[i] = rng.NextDouble() - 0.5;
                for (int i = 0; i < n; i++)
                {
                    for (int j = 0; j < n; j++)
                    {
                        double s = 0;
                        for (int k = 0; k < n; k++) s += g[(k * n) + i] * g[(k * n) + j];
                        a[(j * n) + i] = s + (i == j ? 37.5 : 0);
                    }
                }
                break;
            case 2:
                for (int i = 0; i < a.Length; i++) a[i] = rng.Next(-2, 3);
                if (n > 1)
                {
                    for (int i = 0; i < n; i++) a[(n / 2 * n) + i] = 0;
                    for (int j = 0; j < n; j++) a[(j * n) + n - 1] = a[j * n];
                }
                break;
            case 3:
                for (int i = 0; i < a.Length; i++) a[i] = (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-12, 13));
                break;
            case 4:
                for (int j = 0; j < n; j++)
                {
                    for (int i = Math.Max(0, j - 3); i <= Math.Min(n - 1, j + 5); i++)
                        a[(j * n) + i] = rng.NextDouble() < 0.7 ? rng.NextDouble() - 0.5 : 0;
                    a[(j * n) + j] *= 1e-3;
                }
                break;
            case 5:
                int rows = 2 * n;
                var delta = new double[rows, n];
                for (int r = 0; r < rows; r++)
                {
                    int c0 = Math.Min(n - 1, r / 2);
                    for (int c = Math.Max(0, c0 - 6); c <= c0; c++) delta[r, c] = rng.NextDouble() < 0.5 ? (rng.NextDouble() - 0.5) * 4 : 0;
                }
                for (int i = 0; i < n; i++)
                {
                    for (int j = 0; j < n; j++)
                    {
                        double s = 0;
                        for (int r = 0; r < rows; r++) s += delta[r, i] * delta[r, j];
                        a[(j * n) + i] = s + (i == j ? 0.25 : 0);
                    }
                }
                break;
            default:
                for (int i = 0; i < a.Length; i++) a[i] = rng.NextDouble() - 0.5;
                break;
        }
        return a;
    }
}

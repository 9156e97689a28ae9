using MathNet.Numerics.LinearAlgebra.Double;
using ResidualSheaf.Engine.LinearAlgebra;
using Xunit;

namespace ResidualSheaf.Tests.LinearAlgebra;

/// <summary>BandCholesky against MathNet's managed Cholesky: the same factor and solutions, bit for bit (an exact zero may differ in sign).</summary>
public class BandCholeskyTests
{
    public static TheoryData<int, int> Cases()
    {
        var d = new TheoryData<int, int>();
        foreach (int n in new[] { 1, 2, 3, 5, 8, 17, 64, 131, 214 })
        {
            for (int kind = 0; kind < 3; kind++) d.Add(n, kind);
        }
        return d;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FactorsAndSolvesAsMathNet(int n, int kind)
    {
        var rng = new Random((n * 7) + kind);
        var a = Matrix(rng, n, kind);
        var reference = a.Cholesky();
        var band = BandCholesky.TryCreate(a.Values, n);
        Assert.NotNull(band);
        var refFactor = ((DenseMatrix)reference.Factor).Values;
        AssertSame(refFactor, band.Factor.ToArray());
        for (int rep = 0; rep < 3; rep++)
        {
            var b = DenseVector.OfArray(Enumerable.Range(0, n).Select(i => rep == 2 && i % 4 == 1 ? 0.0 : rng.NextDouble() - 0.5).ToArray());
            AssertSame(reference.Solve(b).ToArray(), band.Solve(b.Values));
        }
    }

    [Fact]
    public void RefusesWhereMathNetThrows()
    {
        // Not positive definite (and a NaN pivot): MathNet throws ArgumentException, BandCholesky gives null.
        var indefinite = DenseMatrix.OfArray(new double[,] { { 1, 2 }, { 2, 1 } });
        Assert.Throws<ArgumentException>(() => indefinite.Cholesky());
        Assert.Null(BandCholesky.TryCreate(indefinite.Values, 2));
        var singular = DenseMatrix.OfArray(new double[,] { { 1, 1 }, { 1, 1 } });
        Assert.Throws<ArgumentException>(() => singular.Cholesky());
        Assert.Null(BandCholesky.TryCreate(singular.Values, 2));
        Assert.Null(BandCholesky.TryCreate(new[] { double.NaN }, 1));
    }

    private static void AssertSame(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(expected[i] == actual[i], $"[{i}]: MathNet {expected[i]:R}, band {actual[i]:R}");
            if (expected[i] != 0) Assert.Equal(BitConverter.DoubleToInt64Bits(expected[i]), BitConverter.DoubleToInt64Bits(actual[i]));
        }
    }

    // 0: dense SPD (GᵀG + shift); 1: a sheaf-Laplacian-like δᵀδ + small shift, banded and sparse; 2: banded with zero columns in
    // its band (multipliers that are exactly 0) and magnitudes over many decades.
    private static DenseMatrix Matrix(Random rng, int n, int kind)
    {
        switch (kind)
        {
            case 0:
                var g = DenseMatrix.Create(n, n, (_, _) => rng.NextDouble() - 0.5);
                var a = (DenseMatrix)g.TransposeThisAndMultiply(g);
                for (int i = 0; i < n; i++) a[i, i] += 0.5;
                return a;
            default:
                int rows = 2 * n;
                var delta = new DenseMatrix(rows, n);
                for (int r = 0; r < rows; r++)
                {
                    int c0 = Math.Min(n - 1, r / 2);
                    for (int c = Math.Max(0, c0 - 6); c <= c0; c++)
                        if (rng.NextDouble() < 0.4 && (kind == 1 || c % 5 != 2))
                            delta[r, c] = (rng.NextDouble() - 0.5) * (kind == 2 ? Math.Pow(10, rng.Next(-6, 7)) : 4);
                }
                var l = (DenseMatrix)delta.TransposeThisAndMultiply(delta);
                for (int i = 0; i < n; i++) l[i, i] += 1e-3;
                return l;
        }
    }
}

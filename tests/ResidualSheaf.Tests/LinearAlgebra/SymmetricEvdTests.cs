using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;
using ResidualSheaf.Engine.LinearAlgebra;
using Xunit;

namespace ResidualSheaf.Tests.LinearAlgebra;

/// <summary>SymmetricEvd against MathNet's managed Evd(Symmetric): the same eigenvalues and eigenvectors, bit for bit.</summary>
public class SymmetricEvdTests
{
    public static TheoryData<int, int> Cases()
    {
        var d = new TheoryData<int, int>();
        foreach (int n in new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 17, 33, 64, 131, 198 })
        {
            for (int kind = 0; kind < 4; kind++) d.Add(n, kind);
        }
        return d;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void DecomposesBitForBitAsMathNet(int n, int kind)
    {
        var rng = new Random((n * 13) + kind);
        var m = Matrix(rng, n, kind);
        var evd = m.Evd(Symmetricity.Symmetric);

        var values = new double[n];
        var vectors = new double[n * n];
        SymmetricEvd.Decompose(m.AsColumnMajorArray(), n, vectors, values);

        for (int i = 0; i < n; i++) Assert.Equal(BitConverter.DoubleToInt64Bits(evd.EigenValues[i].Real), BitConverter.DoubleToInt64Bits(values[i]));
        var refVectors = ((DenseMatrix)evd.EigenVectors).Values;
        for (int i = 0; i < n * n; i++) Assert.Equal(BitConverter.DoubleToInt64Bits(refVectors[i]), BitConverter.DoubleToInt64Bits(vectors[i]));
        // And a decomposition (the reference could share a bug; the residual ‖A v − λ v‖ cannot).
        double norm = m.L1Norm();
        for (int k = 0; k < n; k++)
        {
            var v = DenseVector.OfArray(vectors.AsSpan(k * n, n).ToArray());
            double r = (m * v - values[k] * v).L2Norm();
            Assert.True(r <= 1e-12 * Math.Max(norm, 1e-300) + 1e-300, $"vector {k}: residual {r}, ‖A‖₁ {norm}");
        }
    }

    // 0: random symmetric; 1: a sheaf-Laplacian-like δᵀδ, banded and sparse, with zero rows and columns (the zero-scale branch of
    // the tridiagonalisation) and a null space; 2: repeated eigenvalues (a block-diagonal matrix of equal blocks); 3: entries over
    // many magnitudes.
    private static Matrix<double> Matrix(Random rng, int n, int kind)
    {
        var a = new DenseMatrix(n);
        switch (kind)
        {
            case 1:
                int rows = n + 3;
                var delta = new DenseMatrix(rows, n);
                for (int r = 0; r < rows; r++)
                {
                    int c0 = Math.Min(n - 1, r);
                    for (int c = Math.Max(0, c0 - 5); c <= c0; c++) if (c % 7 != 3 && rng.NextDouble() < 0.4) delta[r, c] = (rng.NextDouble() - 0.5) * 4;
                }
                a = (DenseMatrix)delta.TransposeThisAndMultiply(delta);
                break;
            case 2:
                int b = Math.Max(1, Math.Min(3, n));
                var block = new double[b, b];
                for (int i = 0; i < b; i++)
                    for (int j = 0; j <= i; j++) block[i, j] = block[j, i] = rng.NextDouble() - 0.5;
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < n; j++)
                        if (i / b == j / b && i / b < n / b) a[i, j] = block[i % b, j % b];
                break;
            case 3:
                for (int i = 0; i < n; i++)
                    for (int j = 0; j <= i; j++) a[i, j] = a[j, i] = (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-8, 9));
                break;
            default:
                for (int i = 0; i < n; i++)
                    for (int j = 0; j <= i; j++) a[i, j] = a[j, i] = rng.NextDouble() - 0.5;
                break;
        }
        return a;
    }
}

using MathNet.Numerics.LinearAlgebra.Double;
using ResidualSheaf.Engine.LinearAlgebra;
using Xunit;

namespace ResidualSheaf.Tests.LinearAlgebra;

/// <summary>Gram.TransposeTimesSelf against MathNet's dense AᵀA, bit for bit, for dense and sparse storage.</summary>
public class GramTests
{
    [Theory]
    [InlineData(1, 1, 0.5)]
    [InlineData(7, 3, 0.5)]
    [InlineData(40, 17, 0.1)]
    [InlineData(300, 134, 0.03)]
    [InlineData(90, 90, 1.0)]
    [InlineData(20, 30, 0.0)]
    public void EqualsMathNetBitForBit(int m, int n, double density)
    {
        var rng = new Random((m * 1000) + n);
        var dense = new DenseMatrix(m, n);
        for (int r = 0; r < m; r++)
        {
            for (int c = 0; c < n; c++)
            {
                if (rng.NextDouble() < density) dense[r, c] = (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-8, 9));
            }
        }
        // An explicit −0 entry and an underflowing product are kept as MathNet keeps them.
        if (m > 1 && n > 1)
        {
            dense[0, 0] = -0.0;
            dense[1, 0] = 1e-200;
            dense[1, 1] = -1e-200;
        }
        var expected = dense.TransposeThisAndMultiply(dense);
        foreach (var a in new MathNet.Numerics.LinearAlgebra.Matrix<double>[] { dense, SparseMatrix.OfMatrix(dense) })
        {
            var g = Gram.TransposeTimesSelf(a);
            Assert.Equal(n, g.RowCount);
            Assert.Equal(n, g.ColumnCount);
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                    Assert.Equal(BitConverter.DoubleToInt64Bits(expected[i, j]), BitConverter.DoubleToInt64Bits(g[i, j]));
            }
        }
    }
}

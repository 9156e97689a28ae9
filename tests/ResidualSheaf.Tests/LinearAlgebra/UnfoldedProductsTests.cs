using ResidualSheaf.Engine;
using ResidualSheaf.Engine.LinearAlgebra;
using Xunit;

namespace ResidualSheaf.Tests.LinearAlgebra;

/// <summary>
/// The register-blocked convolution products against the plain form they replace (one Axpy per row and tap, the first nonzero
/// weight of the transpose assigning), bit for bit, on plane sizes around the block width and with zero weights and −0 entries.
/// </summary>
public class UnfoldedProductsTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 5, 3)]
    [InlineData(8, 9, 16)]
    [InlineData(16, 72, 64)]
    [InlineData(5, 7, 17)]
    [InlineData(2, 144, 50)]
    [InlineData(4, 3, 100)]
    public void MatchesOneAxpyPerRowAndTapBitForBit(int rows, int taps, int m)
    {
        var rng = new Random(rows * 10_000 + taps * 100 + m);
        var k = new double[rows * taps];
        for (int i = 0; i < k.Length; i++) k[i] = rng.NextDouble() < 0.2 ? 0 : (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-3, 4));
        // A tap with no nonzero weight (the transpose must give 0 there) and a row without any.
        for (int o = 0; o < rows; o++) k[o * taps + taps - 1] = 0;
        if (rows > 1) Array.Clear(k, taps, taps);
        var x = Random(rng, taps * m);
        var y0 = Random(rng, rows * m);
        y0[0] = -0.0;
        foreach (double scale in new[] { 1.0, -1.0, 0.37 })
        {
            var expected = (double[])y0.Clone();
            for (int o = 0; o < rows; o++)
                for (int q = 0; q < taps; q++)
                {
                    double w = scale * k[o * taps + q];
                    if (w != 0) Numerics.Axpy(w, x.AsSpan(q * m, m), expected.AsSpan(o * m, m));
                }
            var actual = (double[])y0.Clone();
            UnfoldedProducts.MultiplyAdd(k, rows, taps, scale, x, m, actual);
            AssertBits(expected, actual);

            var yt = Random(rng, rows * m);
            var expectedT = new double[taps * m];
            for (int q = 0; q < taps; q++)
            {
                var cq = expectedT.AsSpan(q * m, m);
                bool empty = true;
                for (int o = 0; o < rows; o++)
                {
                    double w = scale * k[o * taps + q];
                    if (w == 0) continue;
                    if (empty)
                        for (int p = 0; p < m; p++) cq[p] = w * yt[o * m + p];
                    else
                        Numerics.Axpy(w, yt.AsSpan(o * m, m), cq);
                    empty = false;
                }
            }
            var actualT = Random(rng, taps * m);
            UnfoldedProducts.Transpose(k, rows, taps, scale, yt, m, actualT);
            AssertBits(expectedT, actualT);
        }
    }

    private static double[] Random(Random rng, int n)
    {
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = rng.NextDouble() - 0.5;
        return v;
    }

    private static void AssertBits(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.DoubleToInt64Bits(expected[i]) == BitConverter.DoubleToInt64Bits(actual[i]), $"entry {i}: {expected[i]:R} vs {actual[i]:R}");
    }
}

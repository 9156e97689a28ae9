using ResidualSheaf.Engine;
using Xunit;

namespace ResidualSheaf.Tests.LinearAlgebra;

/// <summary>
/// The fused and interleaved vector kernels against the plain calls they stand for, bit for bit: <see cref="Numerics.Dots"/> against
/// one <see cref="Numerics.Dot"/> per row, <see cref="Numerics.AddCombination(ReadOnlySpan{double}, int, ReadOnlySpan{double}, Span{double})"/>
/// against one Axpy per row, on lengths below, at and above the vector width and with values spread over many magnitudes (so that any change of summation order would show).
/// </summary>
public class FusedKernelTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 3)]
    [InlineData(8, 4)]
    [InlineData(9, 5)]
    [InlineData(7186, 9)]
    [InlineData(1001, 13)]
    public void DotsEqualsOneDotPerRow(int n, int count)
    {
        var rng = new Random(n * 31 + count);
        var rows = Random(rng, n * count + 5);
        var b = Random(rng, n);
        var actual = new double[count];
        Numerics.Dots(rows, n, b, actual);
        for (int i = 0; i < count; i++)
            Assert.Equal(BitConverter.DoubleToInt64Bits(Numerics.Dot(rows.AsSpan(i * n, n), b)), BitConverter.DoubleToInt64Bits(actual[i]));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 3)]
    [InlineData(8, 4)]
    [InlineData(9, 5)]
    [InlineData(7186, 9)]
    [InlineData(1001, 13)]
    public void AddCombinationEqualsOneAxpyPerRow(int n, int count)
    {
        var rng = new Random(n * 17 + count);
        var rows = Random(rng, n * count + 3);
        var coefficients = Random(rng, count);
        var y = Random(rng, n);
        var expected = (double[])y.Clone();
        for (int i = 0; i < count; i++) Numerics.Axpy(coefficients[i], rows.AsSpan(i * n, n), expected);
        Numerics.AddCombination(rows, n, coefficients, y);
        for (int i = 0; i < n; i++) Assert.Equal(BitConverter.DoubleToInt64Bits(expected[i]), BitConverter.DoubleToInt64Bits(y[i]));
    }

    private static double[] Random(Random rng, int n)
    {
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-6, 7));
        return v;
    }
}

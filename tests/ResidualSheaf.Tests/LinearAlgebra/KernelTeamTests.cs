using ResidualSheaf.Engine;
using ResidualSheaf.Engine.LinearAlgebra;
using Xunit;

namespace ResidualSheaf.Tests.LinearAlgebra;

/// <summary>
/// <see cref="KernelTeam"/>'s split kernels against the serial ones, bit for bit, for teams of 1 to 3 threads, on sizes above and
/// below the split threshold and lengths that are not multiples of the vector width; and many calls in a row (the helpers'
/// hand-over between kernels, including after they fell asleep); every part of a job run once, and a part's exception
/// rethrown on the caller.
/// </summary>
public class KernelTeamTests
{
    [Theory]
    [InlineData(1, 7186, 9)]
    [InlineData(2, 7186, 9)]
    [InlineData(2, 7186, 200)]
    [InlineData(3, 1001, 67)]
    [InlineData(2, 13, 5)]
    [InlineData(2, 40000, 1)]
    public void SplitKernelsEqualTheSerialOnes(int threads, int n, int count)
    {
        using var team = new KernelTeam(threads);
        var rng = new Random(threads * 1000 + count);
        var rows = Random(rng, n * count + 3);
        var b = Random(rng, n + 5);
        var expected = new double[count];
        Numerics.Dots(rows, n, b.AsSpan(5, n), expected);
        var actual = new double[count + 2];
        team.Dots(rows, n, count, b, 5, actual);
        for (int i = 0; i < count; i++) Assert.Equal(Bits(expected[i]), Bits(actual[i]));

        var coefficients = Random(rng, count);
        var y = Random(rng, n);
        var serial = (double[])y.Clone();
        Numerics.AddCombination(rows, n, coefficients, serial);
        team.AddCombination(rows, n, coefficients, count, y);
        for (int j = 0; j < n; j++) Assert.Equal(Bits(serial[j]), Bits(y[j]));
    }

    [Fact]
    public void ManyCallsInARowAndAfterASleep()
    {
        using var team = new KernelTeam(2);
        var rng = new Random(5);
        int n = 4099, count = 24;
        var rows = Random(rng, n * count);
        var b = Random(rng, n);
        var expected = new double[count];
        Numerics.Dots(rows, n, b, expected);
        var actual = new double[count];
        for (int call = 0; call < 2000; call++)
        {
            if (call % 500 == 499) Thread.Sleep(5);
            Array.Clear(actual);
            team.Dots(rows, n, count, b, 0, actual);
            for (int i = 0; i < count; i++) Assert.Equal(Bits(expected[i]), Bits(actual[i]));
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void EveryPartOfAJobRunsExactlyOnce(int threads)
    {
        // Parts are taken by whichever thread comes first: none may be skipped or taken twice, over many posts in a row
        // (helpers still on the previous post race the caller for the next one's parts).
        using var team = new KernelTeam(threads);
        var job = new CountingJob(threads);
        for (int post = 1; post <= 20000; post++)
        {
            if (post % 5000 == 0) Thread.Sleep(5);
            team.Run(job);
            for (int p = 0; p < threads; p++) Assert.Equal(post, job.Runs[p]);
            Assert.Equal(threads, job.LastParts);
        }
    }

    [Fact]
    public void APartsExceptionIsRethrownOnTheCallerAndTheTeamGoesOn()
    {
        using var team = new KernelTeam(3);
        var job = new ThrowingJob();
        for (int failing = 0; failing < 3; failing++)
        {
            job.Failing = failing;
            var e = Assert.Throws<InvalidOperationException>(() => team.Run(job));
            Assert.Equal($"part {failing}", e.Message);
            job.Failing = -1;
            team.Run(job);
        }
    }

    private sealed class CountingJob(int parts) : ITeamJob
    {
        public readonly int[] Runs = new int[parts];
        public int LastParts;

        public void RunPart(int part, int parts)
        {
            Interlocked.Increment(ref Runs[part]);
            LastParts = parts;
        }
    }

    private sealed class ThrowingJob : ITeamJob
    {
        public int Failing = -1;

        public void RunPart(int part, int parts)
        {
            if (part == Failing) throw new InvalidOperationException($"part {part}");
        }
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new KernelTeam(0));
        using var team = new KernelTeam(2);
        Assert.Throws<ArgumentException>(() => team.Dots(new double[10], 5, 3, new double[5], 0, new double[3]));
        Assert.Throws<ArgumentException>(() => team.AddCombination(new double[10], 5, new double[2], 2, new double[4]));
        team.Dispose();
        team.Dispose();
    }

    private static long Bits(double x) => BitConverter.DoubleToInt64Bits(x);

    private static double[] Random(Random rng, int n)
    {
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-6, 7));
        return v;
    }
}

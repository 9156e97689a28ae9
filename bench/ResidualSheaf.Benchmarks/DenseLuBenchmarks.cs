using BenchmarkDotNet.Attributes;
using MathNet.Numerics.Providers.LinearAlgebra;
using ResidualSheaf.Engine.LinearAlgebra;

namespace ResidualSheaf.Benchmarks;

/// <summary>
/// Rodas4's linear algebra per step: LU of an n×n Rodas-shaped matrix (I/(hγ) + S) and one solve, by MathNet's managed provider
/// and by <see cref="DenseLu"/> (the same numbers, bit for bit). n spans hunt-stacks' free dimensions.
/// </summary>
[MemoryDiagnoser]
public class DenseLuBenchmarks
{
    private double[] _a = [];
    private double[] _lu = [];
    private double[] _b = [];
    private double[] _work = [];
    private int[] _ipiv = [];

    /// <summary>Order of the matrix.</summary>
    [Params(64, 134, 194)]
    public int N { get; set; } = 134;

    /// <summary>A diagonally shifted random symmetric matrix.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        int n = N;
        _a = new double[n * n];
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i <= j; i++) _a[(j * n) + i] = _a[(i * n) + j] = rng.NextDouble() - 0.5;
            _a[(j * n) + j] += 4 * n;
        }
        _lu = new double[n * n];
        _b = new double[n];
        _work = new double[2 * n];
        _ipiv = new int[n];
    }

    /// <summary>MathNet's managed LUFactor + LUSolveFactored.</summary>
    [Benchmark(Baseline = true)]
    public double MathNet()
    {
        _a.AsSpan().CopyTo(_lu);
        Array.Fill(_b, 1.0);
        LinearAlgebraControl.Provider.LUFactor(_lu, N, _ipiv);
        LinearAlgebraControl.Provider.LUSolveFactored(1, _lu, N, _ipiv, _b);
        return _b[0];
    }

    /// <summary>DenseLu.Factor + Solve.</summary>
    [Benchmark]
    public double Dense()
    {
        _a.AsSpan().CopyTo(_lu);
        Array.Fill(_b, 1.0);
        DenseLu.Factor(_lu, N, _ipiv, _work);
        DenseLu.Solve(_lu, N, _ipiv, _b);
        return _b[0];
    }
}

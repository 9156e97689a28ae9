using BenchmarkDotNet.Running;

namespace ResidualSheaf.Benchmarks;

/// <summary>Runs the benchmarks: <c>dotnet run -c Release --project bench/ResidualSheaf.Benchmarks -- --filter '*'</c>.</summary>
public static class Program
{
    /// <summary>Entry point (BenchmarkDotNet's switcher: --filter, --job, --list …).</summary>
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}

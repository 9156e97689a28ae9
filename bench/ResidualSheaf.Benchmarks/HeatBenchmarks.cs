using BenchmarkDotNet.Attributes;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.Integration;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;

namespace ResidualSheaf.Benchmarks;

/// <summary>
/// Network G (sheaf-math §5) from the zero cochain to ‖c − forward‖∞ ≤ 1e−9 with each <see cref="HeatSolver"/> method (the lab
/// block's force is in <see cref="LabBlockForceBenchmarks"/>).
/// </summary>
[MemoryDiagnoser]
public class HeatBenchmarks
{
    private static readonly double[] GForward = [1.6, -1.7, -.55, .1, 1.6, 0, 0, .1, .75];

    private HeatEquation _g = null!;
    private double[] _zero = [];
    private HeatOptions _options = new();

    /// <summary>Method for the G solve.</summary>
    [Params("SwitchingAware DP5", "Plain DP5", "SwitchingAware Rodas4", "SwitchingAware RKC", "Exact", "Krylov", "RkcKrylov", "AuthorsEuler")]
    public string Method { get; set; } = "SwitchingAware DP5";

    /// <summary>Builds network G and the options of <see cref="Method"/>.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var g = new Mlp(
        [
            new LinearLayer(2, 4, [1, -.5, -.7, .8, .3, .9, -1.2, -.4], [.1, -.2, .05, .9], "fc1"),
            new LinearLayer(4, 1, [.6, -1.1, .9, .4], [-.25], "fc2"),
        ]);
        _g = new HeatEquation(SheafConstructor.Build(g).Problem([1.0, -1.0]));
        _zero = new double[_g.FreeDimension];
        var stop = new HeatOptions { Target = GForward, StopDistance = 1e-9 };
        _options = Method switch
        {
            "Plain DP5" => stop with { Method = HeatMethod.Plain },
            "SwitchingAware Rodas4" => stop with { Method = HeatMethod.SwitchingAware, Algorithm = new Rodas4() },
            "Exact" => stop with { Method = HeatMethod.ExactPiecewise },
            "Krylov" => stop with { Method = HeatMethod.Krylov },
            "SwitchingAware RKC" => stop with { Method = HeatMethod.SwitchingAware, Algorithm = new Rkc(), Rtol = 1e-6, Atol = 1e-11 },
            "RkcKrylov" => stop with { Method = HeatMethod.RkcKrylov, Rtol = 1e-6, Atol = 1e-6, KrylovTolerance = 1e-12 },
            "AuthorsEuler" => stop with { Method = HeatMethod.AuthorsEuler },
            _ => stop with { Method = HeatMethod.SwitchingAware },
        };
    }

    /// <summary>Network G from zero to 1e−9 of the forward pass with <see cref="Method"/>.</summary>
    [Benchmark]
    public double SolveG() => HeatSolver.Solve(_g, _zero, _options).FinalTime;
}

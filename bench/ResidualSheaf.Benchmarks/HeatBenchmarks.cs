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
    private HeatProblem _problem = null!;
    private HeatAlgorithm _algorithm = null!;

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
        var zeroToForward = new HeatProblem(_g, _zero) { StopRules = [new DistanceStop(GForward, 1e-9)] };
        _problem = Method == "AuthorsEuler" ? new HeatProblem(_g, _zero) { StopRules = [new ChangeStop(1e-12)] } : zeroToForward;
        _algorithm = Method switch
        {
            "Plain DP5" => new OdeFlow(new DormandPrince54(), FrozenModes: false),
            "SwitchingAware Rodas4" => new OdeFlow(new Rodas4()),
            "Exact" => new ExactPiecewiseFlow(),
            "Krylov" => new KrylovPiecewiseFlow(),
            "SwitchingAware RKC" => new OdeFlow(new Rkc()) { Rtol = 1e-6, Atol = 1e-11 },
            "RkcKrylov" => HandoffFlow.RkcKrylov(1e-6, 1e-6, 1e-12),
            "AuthorsEuler" => new FixedStepEuler(0.01),
            _ => new OdeFlow(new DormandPrince54()),
        };
    }

    /// <summary>Network G from zero to 1e−9 of the forward pass with <see cref="Method"/>.</summary>
    [Benchmark]
    public double SolveG() => HeatSolver.Solve(_problem, _algorithm).FinalTime;
}

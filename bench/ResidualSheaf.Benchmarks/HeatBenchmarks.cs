using BenchmarkDotNet.Attributes;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.Integration;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;

namespace ResidualSheaf.Benchmarks;

/// <summary>
/// The heat equation: one Force evaluation on the lab block (18 free coordinates), and network G (sheaf-math §5) from the zero
/// cochain to ‖c − forward‖∞ ≤ 1e−9 with each <see cref="HeatSolver"/> method.
/// </summary>
[MemoryDiagnoser]
public class HeatBenchmarks
{
    private static readonly double[] GForward = [1.6, -1.7, -.55, .1, 1.6, 0, 0, .1, .75];

    private HeatEquation _block = null!;
    private double[] _blockState = [];
    private double[] _blockForce = [];
    private double[] _blockFlipped = [];
    private bool _flip;
    private HeatEquation _g = null!;
    private double[] _zero = [];
    private HeatOptions _options = new();

    /// <summary>Method for the G solve.</summary>
    [Params("SwitchingAware DP5", "Plain DP5", "SwitchingAware Rodas4", "SwitchingAware RKC", "Exact", "Krylov", "RkcKrylov", "AuthorsEuler")]
    public string Method { get; set; } = "SwitchingAware DP5";

    /// <summary>Builds the lab block (torch.manual_seed(42), ReLU after the addition) and network G.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var net = TorchReference.PyTorchDefault(ArchitectureSpec.Residual([new BlockSpec(3, 3, 3, false)], ReluPlacement.After), 42);
        _block = new HeatEquation(SheafConstructor.Build(net, SkipConstruction.Junction).Problem(InputSampler.Normal(1, 3, 17)[0]));
        var rng = new Random(7);
        _blockState = Enumerable.Range(0, _block.FreeDimension).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        _blockForce = new double[_block.FreeDimension];
        _blockFlipped = _blockState.Select(v => -v).ToArray();
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

    /// <summary>One Force evaluation on the lab block (independent of <see cref="Method"/>; reported once per parameter value).</summary>
    [Benchmark]
    public double ForceLabBlock()
    {
        _block.Force(_blockState, _blockForce);
        return _blockForce[0];
    }

    /// <summary>One Force evaluation whose masks differ from the previous call's (the state alternates with its negative): the worst case.</summary>
    [Benchmark]
    public double ForceLabBlockMasksChanged()
    {
        _flip = !_flip;
        _block.Force(_flip ? _blockFlipped : _blockState, _blockForce);
        return _blockForce[0];
    }

    /// <summary>Network G from zero to 1e−9 of the forward pass with <see cref="Method"/>.</summary>
    [Benchmark]
    public double SolveG() => HeatSolver.Solve(_g, _zero, _options).FinalTime;
}

using BenchmarkDotNet.Attributes;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;

namespace ResidualSheaf.Benchmarks;

/// <summary>One Force evaluation on the lab block (18 free coordinates; issue target ≤ 150 ns, 0 B).</summary>
[MemoryDiagnoser]
public class LabBlockForceBenchmarks
{
    private HeatEquation _block = null!;
    private double[] _state = [];
    private double[] _force = [];
    private double[] _flipped = [];
    private bool _flip;

    /// <summary>Builds the lab block (torch.manual_seed(42), ReLU after the addition) and a random state.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var net = TorchReference.PyTorchDefault(ArchitectureSpec.Residual([new BlockSpec(3, 3, 3, false)], ReluPlacement.After), 42);
        _block = new HeatEquation(SheafConstructor.Build(net, SkipConstruction.Junction).Problem(InputSampler.Normal(1, 3, 17)[0]));
        var rng = new Random(7);
        _state = Enumerable.Range(0, _block.FreeDimension).Select(_ => (rng.NextDouble() * 2) - 1).ToArray();
        _force = new double[_block.FreeDimension];
        _flipped = _state.Select(v => -v).ToArray();
    }

    /// <summary>One Force evaluation with the masks of the previous call (the common case between switches).</summary>
    [Benchmark]
    public double ForceLabBlock()
    {
        _block.Force(_state, _force);
        return _force[0];
    }

    /// <summary>One Force evaluation whose masks differ from the previous call's (the state alternates with its negative): the worst case.</summary>
    [Benchmark]
    public double ForceLabBlockMasksChanged()
    {
        _flip = !_flip;
        _block.Force(_flip ? _flipped : _state, _force);
        return _force[0];
    }
}

using BenchmarkDotNet.Attributes;
using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using TorchSharp;

namespace ResidualSheaf.Benchmarks;

/// <summary>
/// Issue 2's speed target: the Dirichlet solve of a stack of 50 junction blocks of width 256, per input, against the
/// TorchSharp float64 forward pass of the same network (target ≤ 3×). Memory must stay linear in the number of weights.
/// </summary>
[MemoryDiagnoser]
public class DirichletSolveBenchmark
{
    private NetworkSheaf _sheaf = null!;
    private DirichletProblem _problem = null!;
    private ForwardSubstitutionPlan _plan = null!;
    private TorchReference _torch = null!;
    private double[] _x = [];

    /// <summary>Number of residual blocks.</summary>
    [Params(50)]
    public int Blocks { get; set; }

    /// <summary>Width of every layer.</summary>
    [Params(256)]
    public int Width { get; set; }

    /// <summary>Builds the network, its sheaf and the TorchSharp module once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var spec = ArchitectureSpec.Residual(
            Enumerable.Range(0, Blocks).Select(_ => new BlockSpec(Width, Width, Width, false)).ToArray(), ReluPlacement.After);
        var net = TorchReference.PyTorchDefault(spec, 0);
        _sheaf = SheafConstructor.Build(net, SkipConstruction.Junction);
        _x = InputSampler.Normal(1, Width, 1)[0];
        _problem = _sheaf.Problem(_x);
        _plan = ForwardSubstitutionPlan.TryCreate(_problem, out _) ?? throw new InvalidOperationException("not unitriangular");
        _torch = TorchReference.Create(net, torch.ScalarType.Float64);
        torch.set_num_threads(1);
    }

    /// <summary>Releases the TorchSharp module.</summary>
    [GlobalCleanup]
    public void Cleanup() => _torch.Dispose();

    /// <summary>The reference: TorchSharp float64 forward pass (one thread).</summary>
    [Benchmark(Baseline = true)]
    public double[] TorchForwardFloat64() => _torch.Forward(_x);

    /// <summary>Forward substitution alone (structure already checked).</summary>
    [Benchmark]
    public double[] ForwardSubstitution() => _plan.Solve(null).Cochain;

    /// <summary>The full solve per input: problem, structure check, forward substitution and the residual ‖δc‖ evaluated afterwards.</summary>
    [Benchmark]
    public double FullSolveWithResidual() => DirichletSolver.Solve(_sheaf.Problem(_x)).Residual;
}

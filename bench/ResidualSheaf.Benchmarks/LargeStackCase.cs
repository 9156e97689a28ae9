using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;

namespace ResidualSheaf.Benchmarks;

/// <summary>
/// The large-stack heat problem of the issue: <see cref="Blocks"/> junction blocks 64→64→64, ReLU after the addition, PyTorch-default
/// weights (seed 0), input x = InputSampler.Normal(1, 64, seed 1), initial free cochain InputSampler.Normal(1, |Ω|, seed 2), α = 1.
/// </summary>
public sealed class LargeStackCase : IHeatCase
{
    /// <summary>Builds the case and checks the Dirichlet solution against the managed forward pass.</summary>
    public LargeStackCase(int blocks = 20, int width = 64)
    {
        Blocks = blocks;
        Width = width;
        var spec = ArchitectureSpec.Residual(
            Enumerable.Range(0, blocks).Select(_ => new BlockSpec(width, width, width, false)).ToArray(), ReluPlacement.After);
        Network = TorchReference.PyTorchDefault(spec, 0);
        Sheaf = SheafConstructor.Build(Network, SkipConstruction.Junction);
        X = InputSampler.Normal(1, width, 1)[0];
        Problem = Sheaf.Problem(X);
        var sol = DirichletSolver.Solve(Problem);
        if (sol.Method != DirichletMethod.ForwardSubstitution) throw new InvalidOperationException($"expected forward substitution, got {sol.Method}");
        CStar = Problem.Restrict(sol.Cochain);
        var managed = Network.Forward(X);
        var fromSheaf = Sheaf.OutputOf(sol.Cochain);
        ForwardMismatch = managed.Zip(fromSheaf, (a, b) => Math.Abs(a - b)).Max();
        Equation = new HeatEquation(Problem);
        C0 = InputSampler.Normal(1, Equation.FreeDimension, 2)[0];
        InitialDistance = Distance(C0);
    }

    /// <summary>Number of blocks.</summary>
    public int Blocks { get; }

    /// <summary>Layer width.</summary>
    public int Width { get; }

    /// <summary>The network.</summary>
    public INetwork Network { get; }

    /// <summary>Its junction sheaf.</summary>
    public NetworkSheaf Sheaf { get; }

    /// <summary>The input.</summary>
    public double[] X { get; }

    /// <summary>The pinned problem.</summary>
    public DirichletProblem Problem { get; }

    /// <summary>The heat equation (α = 1).</summary>
    public HeatEquation Equation { get; }

    /// <summary>c* restricted to Ω: the forward pass (forward substitution).</summary>
    public double[] CStar { get; }

    /// <summary>max |managed forward output − sheaf output of c*|.</summary>
    public double ForwardMismatch { get; }

    /// <summary>The initial free cochain.</summary>
    public double[] C0 { get; }

    /// <summary>‖c0 − c*‖∞.</summary>
    public double InitialDistance { get; }

    /// <summary>‖c − c*‖∞.</summary>
    public double Distance(ReadOnlySpan<double> c) => IHeatCase.MaxDistance(c, CStar);
}

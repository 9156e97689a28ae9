using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Spectra;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using TorchSharp;

namespace ResidualSheaf.Tests.Models;

/// <summary>The junction sheaf's harmonic extension is the network's forward pass, checked against TorchSharp float64 modules.</summary>
public class ResidualSheafVersusTorchTests
{
    public static TheoryData<int, int, int, ReluPlacement> Shapes()
    {
        var data = new TheoryData<int, int, int, ReluPlacement>();
        foreach (var p in new[] { ReluPlacement.After, ReluPlacement.Before })
            foreach (var (n, m, o) in new[] { (3, 3, 3), (2, 5, 2), (4, 7, 4) })
                data.Add(n, m, o, p);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void JunctionBlockSolvesToTheTorchForwardPass(int n, int m, int o, ReluPlacement placement)
    {
        var spec = ArchitectureSpec.Residual([new BlockSpec(n, m, o, false)], placement);
        CheckJunction(spec, seed: 42 + n + m, inputSeed: 7);
    }

    [Theory]
    [InlineData(ReluPlacement.After)]
    [InlineData(ReluPlacement.Before)]
    public void ProjectionSkipStackSolvesToTheTorchForwardPass(ReluPlacement placement)
    {
        var spec = ArchitectureSpec.Residual(
            [new BlockSpec(2, 4, 4, true), new BlockSpec(4, 6, 4, false), new BlockSpec(4, 5, 3, true)], placement);
        CheckJunction(spec, seed: 3, inputSeed: 11);
    }

    [Fact]
    public void MlpSolvesToTheTorchForwardPass()
    {
        CheckJunction(ArchitectureSpec.Mlp(3, 6, 5, 2), seed: 5, inputSeed: 13);
    }

    private static void CheckJunction(ArchitectureSpec spec, long seed, long inputSeed)
    {
        var net = TorchReference.PyTorchDefault(spec, seed);
        var sheaf = SheafConstructor.Build(net, SkipConstruction.Junction);
        using var torch64 = TorchReference.Create(net, torch.ScalarType.Float64);
        var inputs = InputSampler.Normal(60, net.InputDimension, inputSeed, scale: 2.0);
        int active = 0, inactive = 0;
        foreach (var x in inputs)
        {
            var problem = sheaf.Problem(x);
            var sol = DirichletSolver.Solve(problem);
            Assert.Equal(DirichletMethod.ForwardSubstitution, sol.Method);
            var y = sheaf.OutputOf(sol.Cochain);
            var reference = torch64.Forward(x);
            Assert.Equal(reference.Length, y.Length);
            for (int i = 0; i < y.Length; i++) Assert.True(Math.Abs(y[i] - reference[i]) <= 1e-12, $"output {i}: sheaf {y[i]} vs torch {reference[i]}");
            Assert.True(sol.Residual <= 1e-12, $"residual {sol.Residual}");
            Assert.True(sol.MasksConsistent);
            var diag = DirichletDiagnostics.Compute(problem, sol.Masks);
            Assert.True(Math.Abs(diag.Determinant!.Value - 1) <= 1e-12, $"det {diag.Determinant}");
            foreach (int j in sheaf.Sheaf.MaskCoordinates) if (sol.Masks.Theta[j] == 1) active++; else inactive++;
        }
        // The inputs must exercise both branches of the ReLUs, or the comparison proves little.
        Assert.True(active > 0 && inactive > 0);
    }

    [Fact]
    public void SeededInitialisationMatchesPyTorch()
    {
        // torch.manual_seed(42); nn.Linear(3, 3) in PyTorch prints these (4 decimals).
        var net = (ResidualStack)TorchReference.PyTorchDefault(ArchitectureSpec.Residual([new BlockSpec(3, 3, 3, false)], ReluPlacement.After), 42);
        double[] w = [0.4414, 0.4792, -0.1353, 0.5304, -0.1265, 0.1165, -0.2811, 0.3391, 0.5090];
        double[] b = [-0.4236, 0.5018, 0.1081];
        for (int i = 0; i < 9; i++) Assert.Equal(w[i], net.Blocks[0].Fc1.Weight[i], 5.01e-5);
        for (int i = 0; i < 3; i++) Assert.Equal(b[i], net.Blocks[0].Fc1.Bias![i], 5.01e-5);
    }

    [Fact]
    public void Float32ModuleAgreesOnlyToSinglePrecision()
    {
        var net = TorchReference.PyTorchDefault(ArchitectureSpec.Residual([new BlockSpec(3, 3, 3, false)], ReluPlacement.After), 42);
        using var t32 = TorchReference.Create(net, torch.ScalarType.Float32);
        using var t64 = TorchReference.Create(net, torch.ScalarType.Float64);
        double max = 0;
        foreach (var x in InputSampler.Normal(50, 3, 1))
        {
            var a = t32.Forward(x);
            var b = t64.Forward(x);
            for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }
        Assert.InRange(max, 1e-12, 1e-5);
    }
}

using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Spectra;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using TorchSharp;

namespace ResidualSheaf.Tests.Models;

/// <summary>The book's chord fails (positive residual); pinning the output is a positive and a negative control.</summary>
public class ChordAndPinningTests
{
    private static readonly INetwork LabBlock =
        TorchReference.PyTorchDefault(ArchitectureSpec.Residual([new BlockSpec(3, 3, 3, false)], ReluPlacement.After), 42);

    [Fact]
    public void ChordHasFullColumnRankButPositiveResidual()
    {
        var sheaf = SheafConstructor.Build(LabBlock, SkipConstruction.Chord);
        using var t64 = TorchReference.Create(LabBlock, torch.ScalarType.Float64);
        int large = 0;
        var inputs = InputSampler.Normal(50, 3, 0);
        foreach (var x in inputs)
        {
            var p = sheaf.Problem(x);
            var sol = DirichletSolver.Solve(p);
            Assert.NotEqual(DirichletMethod.ForwardSubstitution, sol.Method);
            var diag = DirichletDiagnostics.Compute(p, sol.Masks);
            Assert.True(diag.Rows > diag.Columns);
            Assert.True(diag.FullColumnRank);
            Assert.True(diag.LambdaMin > 0);
            // Independent check of the least-squares optimality: the normal equations δ_Ωᵀ(δ_Ω c − b̃) = 0 hold.
            var a = p.FreeCoboundary(sol.Masks);
            var r = a * MathNet.Numerics.LinearAlgebra.Double.DenseVector.OfArray(p.Restrict(sol.Cochain)) -
                    MathNet.Numerics.LinearAlgebra.Double.DenseVector.OfArray(p.BoundaryTerm(sol.Masks));
            Assert.True((a.TransposeThisAndMultiply(r)).InfinityNorm() < 1e-12);
            Assert.Equal(r.L2Norm(), sol.Residual, 1e-12);
            if (sol.Residual > 1e-3) large++;
        }
        Assert.True(large > inputs.Length / 2, $"only {large} of {inputs.Length} inputs have residual > 1e-3");
    }

    [Fact]
    public void OutputPinnedToTheForwardValueHasZeroResidual()
    {
        var sheaf = SheafConstructor.Build(LabBlock, SkipConstruction.Junction);
        using var t64 = TorchReference.Create(LabBlock, torch.ScalarType.Float64);
        foreach (var x in InputSampler.Normal(50, 3, 5))
        {
            var y = t64.Forward(x);
            var pinned = DirichletSolver.Solve(sheaf.Problem(x, y), initialMasks: DirichletSolver.Solve(sheaf.Problem(x)).Masks);
            Assert.NotEqual(DirichletMethod.ForwardSubstitution, pinned.Method);
            Assert.True(pinned.Residual <= 1e-12, $"residual {pinned.Residual}");
            var wrong = y.Select(v => v + 0.5).ToArray();
            var bad = DirichletSolver.Solve(sheaf.Problem(x, wrong), initialMasks: pinned.Masks);
            Assert.True(bad.Residual > 1e-2, $"wrong target gave residual {bad.Residual}");
        }
    }
}

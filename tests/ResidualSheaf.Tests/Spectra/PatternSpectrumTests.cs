using MathNet.Numerics.LinearAlgebra.Double;
using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Spectra;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Onnx;
using ResidualSheaf.Tests.Models.Onnx;
using Xunit.Abstractions;

namespace ResidualSheaf.Tests.Spectra;

/// <summary>
/// <see cref="PatternSpectrum"/> (λ_max by Lanczos on L, λ_min by Lanczos on L⁻¹ through the unitriangular sweeps; both on L with a
/// head) against the eigenvalues of the dense L_free assembled from the maps' entries (MathNet's symmetric EVD).
/// </summary>
public sealed class PatternSpectrumTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("digits", "conv_bn_pool.onnx", true)]
    [InlineData("onnx", "resblock_after.onnx", true)]
    [InlineData("onnx", "skip_across_two_blocks.onnx", true)]
    public void ExtremeEigenvaluesEqualTheDenseFreeLaplacians(string folder, string fixture, bool inverse)
    {
        string path = folder == "digits" ? DigitsResNetTests.Fixture(fixture) : OnnxFixtures.Path(fixture);
        var net = OnnxNetwork.Load(path);
        var sheaf = SheafConstructor.Build(net);
        var x = Enumerable.Range(0, net.InputDimension).Select(i => Math.Sin(1.3 * i + 0.4)).ToArray();
        var problem = sheaf.Problem(x);
        var sol = DirichletSolver.Solve(problem);
        var dense = (DenseMatrix)DenseMatrix.OfMatrix(problem.FreeLaplacian(sol.Masks));
        var eig = dense.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric).EigenValues.Select(c => c.Real).ToArray();
        var s = PatternSpectrum.Compute(problem, sol.Masks, sol.Cochain);
        output.WriteLine($"{fixture}: n = {eig.Length}, {s.Method}: [{s.LambdaMin:E8}, {s.LambdaMax:E8}] in {s.Iterations} steps; dense [{eig.Min():E8}, {eig.Max():E8}]");
        Assert.Equal(inverse, s.InverseLanczos);
        Assert.True(Math.Abs(s.LambdaMin - eig.Min()) <= 1e-8 * eig.Min(), $"λ_min {s.LambdaMin} vs {eig.Min()}");
        Assert.True(Math.Abs(s.LambdaMax - eig.Max()) <= 1e-8 * eig.Max(), $"λ_max {s.LambdaMax} vs {eig.Max()}");
        Assert.Equal(eig.Max() / eig.Min(), s.Condition, 1e-6 * s.Condition);
        Assert.True(s.LambdaMinRelativeResidual <= 1e-8);
    }
}

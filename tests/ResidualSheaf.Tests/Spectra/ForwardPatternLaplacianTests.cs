using MathNet.Numerics.LinearAlgebra.Double;
using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Spectra;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Onnx;
using ResidualSheaf.Runner.Data;
using ResidualSheaf.Tests.Models.Onnx;
using Xunit.Abstractions;

namespace ResidualSheaf.Tests.Spectra;

/// <summary>
/// The matrix-free L_free at the forward pattern against the dense L_free assembled from the maps' entries (plus, with a head,
/// the Gauss–Newton block written out here from φ'), and the digits ResNet's spectrum, trained vs untrained (reported, Slow).
/// </summary>
public sealed class ForwardPatternLaplacianTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("digits", "conv_bn_pool.onnx")]
    [InlineData("onnx", "residual_softmax.onnx")]
    public void MatrixFreeOperatorAndLanczosEqualTheDenseFreeLaplacian(string folder, string fixture)
    {
        string path = folder == "digits" ? DigitsResNetTests.Fixture(fixture) : OnnxFixtures.Path(fixture);
        var net = OnnxNetwork.Load(path);
        var sheaf = SheafConstructor.Build(net);
        var x = Enumerable.Range(0, net.InputDimension).Select(i => Math.Sin(1.3 * i + 0.4)).ToArray();
        var problem = sheaf.Problem(x);
        var sol = DirichletSolver.Solve(problem);
        var op = new ForwardPatternLaplacian(problem, sol.Masks, sol.Cochain);
        var dense = (DenseMatrix)DenseMatrix.OfMatrix(problem.FreeLaplacian(sol.Masks));
        foreach (var s in sheaf.Sheaf.SmoothEdges)
        {
            // J = [I on a, −φ'(z*) on z]; add JᵀJ.
            var a = sheaf.Sheaf.Vertices[s.Head];
            var z = sheaf.Sheaf.Vertices[s.Tail];
            int d = z.Dimension;
            var phi = new double[d];
            s.Function.Evaluate(sol.Cochain.AsSpan(z.Offset, d), phi);
            var jac = new double[d * d];
            s.Function.Jacobian(phi, jac);
            var j = new DenseMatrix(d, problem.FreeCoordinates.Count);
            for (int i = 0; i < d; i++)
            {
                j[i, problem.FreeIndex(a.Offset + i)] = 1.0;
                for (int k = 0; k < d; k++) j[i, problem.FreeIndex(z.Offset + k)] -= jac[i * d + k];
            }
            dense += (DenseMatrix)j.TransposeThisAndMultiply(j);
        }
        var v = Enumerable.Range(0, op.Dimension).Select(i => Math.Cos(0.7 * i)).ToArray();
        var lv = new double[op.Dimension];
        op.Apply(v, lv);
        var expected = dense * DenseVector.OfArray(v);
        for (int i = 0; i < lv.Length; i++) Assert.True(Math.Abs(lv[i] - expected[i]) <= 1e-11 * (1 + Math.Abs(expected[i])), $"(L v)[{i}]");
        var eig = dense.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric).EigenValues.Select(c => c.Real).ToArray();
        var ext = op.Extremes(maxIterations: 2 * op.Dimension);
        output.WriteLine($"{fixture}: n = {op.Dimension}, Lanczos [{ext.Min:E6}, {ext.Max:E6}] in {ext.Iterations} steps, dense [{eig.Min():E6}, {eig.Max():E6}]");
        Assert.True(Math.Abs(ext.Min - eig.Min()) <= 1e-8 * eig.Max(), $"λ_min {ext.Min} vs {eig.Min()}");
        Assert.True(Math.Abs(ext.Max - eig.Max()) <= 1e-8 * eig.Max(), $"λ_max {ext.Max} vs {eig.Max()}");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void DigitsResNetSpectrumTrainedVersusUntrained()
    {
        var images = NpyMatrix.Parse(File.ReadAllBytes(DigitsResNetTests.Fixture("test_images.npy")));
        foreach (var model in new[] { "digits_resnet.onnx", "digits_resnet_untrained.onnx" })
        {
            var sheaf = SheafConstructor.Build(OnnxNetwork.Load(DigitsResNetTests.Fixture(model)));
            for (int k = 0; k < 3; k++)
            {
                var problem = sheaf.Problem(images[k]);
                var sol = DirichletSolver.Solve(problem);
                var ext = new ForwardPatternLaplacian(problem, sol.Masks, sol.Cochain).Extremes(maxIterations: 600, tolerance: 1e-8);
                output.WriteLine($"{model} image {k}: n = {problem.FreeCoordinates.Count}, λ_min = {ext.Min:E4} (residual {ext.MinResidual:E1}), " +
                    $"λ_max = {ext.Max:E4} (residual {ext.MaxResidual:E1}), κ = {ext.Max / ext.Min:E3}, {ext.Iterations} Lanczos steps");
                Assert.True(ext.Min > 0 && ext.Max >= 1, $"{model} image {k}: [{ext.Min}, {ext.Max}]");
            }
        }
    }
}

using MathNet.Numerics.LinearAlgebra.Double;
using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Engine.Spectra;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Graph;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Onnx;
using ResidualSheaf.Models.Torch;
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

    [Theory]
    [InlineData(OutputHead.Softmax, 3)]
    [InlineData(OutputHead.Sigmoid, 1)]
    public void WithAHeadLambdaMinComesFromTheInverseAndEqualsTheGaussNewtonLaplacian(OutputHead head, int classes)
    {
        // The dense reference is written here from the formulas: δ_Ω of the linear edges (MathNet, from the maps' entries) with
        // one more row per head output, a_i − Σ_j φ'_ij(z*) z_j, φ' = diag(p) − ppᵀ (softmax) or diag σ(1 − σ) (sigmoid).
        var spec = ArchitectureSpec.Residual([new BlockSpec(2, 4, 2, false), new BlockSpec(2, 3, 2, false)], ReluPlacement.After)
            .WithHead(head, OutputEdgeMode.Jacobian, classes);
        var net = TorchReference.NeuralSheafDefault(spec, 4);
        var ns = SheafConstructor.Build(net, SkipConstruction.Junction);
        var problem = ns.Problem([0.7, -1.3]);
        var sol = DirichletSolver.Solve(problem);
        var sheaf = problem.Sheaf;
        var d = problem.FreeCoboundary(sol.Masks);
        int n = problem.FreeCoordinates.Count, m = sheaf.EdgeDimension;
        var e = sheaf.SmoothEdges.Single();
        var (zv, av) = (sheaf.Vertices[e.Tail], sheaf.Vertices[e.Head]);
        var z = sol.Cochain.Skip(zv.Offset).Take(zv.Dimension).ToArray();
        double[,] jac = new double[classes, classes];
        if (head == OutputHead.Softmax)
        {
            var p = z.Select(v => Math.Exp(v - z.Max())).ToArray();
            double sum = p.Sum();
            for (int i = 0; i < classes; i++) p[i] /= sum;
            for (int i = 0; i < classes; i++)
                for (int j = 0; j < classes; j++) jac[i, j] = (i == j ? p[i] : 0) - (p[i] * p[j]);
        }
        else
        {
            double sg = 1 / (1 + Math.Exp(-z[0]));
            jac[0, 0] = sg * (1 - sg);
        }
        var full = new DenseMatrix(m + classes, n);
        for (int r = 0; r < m; r++)
            for (int c = 0; c < n; c++) full[r, c] = d[r, c];
        for (int i = 0; i < classes; i++)
        {
            full[m + i, problem.FreeIndex(av.Offset + i)] += 1;
            for (int j = 0; j < classes; j++) full[m + i, problem.FreeIndex(zv.Offset + j)] -= jac[i, j];
        }
        var laplacian = full.TransposeThisAndMultiply(full);
        var eig = laplacian.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric).EigenValues.Select(c => c.Real).ToArray();
        var s = PatternSpectrum.Compute(problem, sol.Masks, sol.Cochain);
        output.WriteLine($"{head}: n = {n}, {s.Method}: [{s.LambdaMin:E8}, {s.LambdaMax:E8}]; dense [{eig.Min():E8}, {eig.Max():E8}]");
        Assert.True(s.InverseLanczos);
        Assert.True(Math.Abs(s.LambdaMin - eig.Min()) <= 1e-10 * eig.Min(), $"λ_min {s.LambdaMin} vs {eig.Min()}");
        Assert.True(Math.Abs(s.LambdaMax - eig.Max()) <= 1e-8 * eig.Max(), $"λ_max {s.LambdaMax} vs {eig.Max()}");
        Assert.True(s.LambdaMinRelativeResidual <= 1e-10);
    }
}

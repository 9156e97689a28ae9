using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.Integration;
using ResidualSheaf.Engine.Spectra;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Onnx;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Tests.Heat;
using Xunit.Abstractions;

namespace ResidualSheaf.Tests.Models.Onnx;

/// <summary>
/// Every fixture read from ONNX becomes a sheaf whose harmonic extension is ONNX Runtime's output on the file itself (float64
/// to 1e-12 over 60 inputs; float32 to its precision), with δ_Ω square, lower unitriangular and of determinant 1, and heat runs
/// converging to it.
/// </summary>
public sealed class OnnxSheafVersusRuntimeTests(ITestOutputHelper output)
{
    public static TheoryData<string> Float64Fixtures() => [.. OnnxFixtures.Float64];

    [Theory]
    [MemberData(nameof(Float64Fixtures))]
    public void HarmonicExtensionEqualsOnnxRuntimeAndDeltaOmegaIsUnitriangular(string fixture)
    {
        var net = OnnxNetwork.Load(OnnxFixtures.Path(fixture));
        Assert.False(net.IsFloat32);
        var sheaf = SheafConstructor.Build(net, SkipConstruction.Junction);
        using var ort = OnnxRuntimeReference.Open(OnnxFixtures.Path(fixture));
        var inputs = InputSampler.Normal(60, net.InputDimension, 16, scale: 2.0);
        int active = 0, inactive = 0;
        double worst = 0;
        foreach (var x in inputs)
        {
            var problem = sheaf.Problem(x);
            var sol = DirichletSolver.Solve(problem);
            Assert.Equal(DirichletMethod.ForwardSubstitution, sol.Method);
            var y = sheaf.OutputOf(sol.Cochain);
            var reference = ort.Forward(x);
            Assert.Equal(reference.Length, y.Length);
            for (int i = 0; i < y.Length; i++)
            {
                worst = Math.Max(worst, Math.Abs(y[i] - reference[i]));
                Assert.True(Math.Abs(y[i] - reference[i]) <= 1e-12, $"{fixture} output {i}: sheaf {y[i]} vs ONNX Runtime {reference[i]}");
            }
            Assert.True(sol.Residual <= 1e-12, $"residual {sol.Residual}");
            AssertSquareLowerUnitriangular(problem.FreeCoboundary(sol.Masks).ToDenseMatrix(), fixture);
            var diag = DirichletDiagnostics.Compute(problem, sol.Masks);
            Assert.True(Math.Abs(diag.Determinant!.Value - 1) <= 1e-12, $"det {diag.Determinant}");
            foreach (int j in sheaf.Sheaf.MaskCoordinates) if (sol.Masks.Theta[j] == 1) active++; else inactive++;
        }
        output.WriteLine($"{fixture}: max |sheaf − ONNX Runtime| = {worst:E2} over {inputs.Length} inputs");
        // Both sides of the ReLUs must be exercised, or the comparison proves little.
        Assert.True(active > 0 && inactive > 0, $"active {active}, inactive {inactive}");
    }

    [Fact]
    public void Float32ModelAgreesToSinglePrecision()
    {
        const string fixture = "stack_float32.onnx";
        var net = OnnxNetwork.Load(OnnxFixtures.Path(fixture));
        Assert.True(net.IsFloat32);
        var sheaf = SheafConstructor.Build(net);
        using var ort = OnnxRuntimeReference.Open(OnnxFixtures.Path(fixture));
        Assert.True(ort.IsFloat32);
        double worst = 0, scale = 0;
        foreach (var x in InputSampler.Normal(60, net.InputDimension, 16, scale: 2.0))
        {
            // The float32 model sees the input rounded to float32; so does the sheaf, so only the arithmetic differs.
            var x32 = x.Select(v => (double)(float)v).ToArray();
            var y = sheaf.OutputOf(DirichletSolver.Solve(sheaf.Problem(x32)).Cochain);
            var reference = ort.Forward(x32);
            for (int i = 0; i < y.Length; i++)
            {
                worst = Math.Max(worst, Math.Abs(y[i] - reference[i]));
                scale = Math.Max(scale, Math.Abs(reference[i]));
            }
        }
        output.WriteLine($"{fixture}: max |sheaf (float64) − ONNX Runtime (float32)| = {worst:E2}, largest output {scale:F3}");
        // float32 carries 2⁻²⁴ ≈ 6e-8 relative per operation; a few dozen operations deep stays well inside 1e-5 of the output scale.
        Assert.True(worst <= 1e-5 * Math.Max(1, scale), $"{worst}");
        // ... and the difference is real float32 rounding, not a float64 model in disguise.
        Assert.True(worst > 1e-12, $"{worst}");
    }

    [Theory]
    [MemberData(nameof(Float64Fixtures))]
    public void HeatRunConvergesToTheHarmonicExtension(string fixture)
    {
        var net = OnnxNetwork.Load(OnnxFixtures.Path(fixture));
        var sheaf = SheafConstructor.Build(net);
        var x = InputSampler.Normal(1, net.InputDimension, 7)[0];
        var problem = sheaf.Problem(x);
        var forward = problem.Restrict(DirichletSolver.Solve(problem).Cochain);
        var eq = new HeatEquation(problem);
        var run = HeatSolver.Solve(new HeatProblem(eq, HeatReference.Normal(eq.FreeDimension, 5)) { EndTime = 5000, StopRules = [new DistanceStop(forward, 1e-9)] },
            new OdeFlow(new DormandPrince54()));
        Assert.Equal(HeatStatus.Converged, run.Status);
        using var ort = OnnxRuntimeReference.Open(OnnxFixtures.Path(fixture));
        var y = sheaf.OutputOf(problem.Embed(run.FinalState));
        var reference = ort.Forward(x);
        for (int i = 0; i < y.Length; i++) Assert.True(Math.Abs(y[i] - reference[i]) <= 1e-8, $"{fixture} output {i}: heat {y[i]} vs ONNX Runtime {reference[i]}");
    }

    /// <summary>Checked entry by entry (not through the solver's own structure test): square, zero above the diagonal, ones on it.</summary>
    private static void AssertSquareLowerUnitriangular(MathNet.Numerics.LinearAlgebra.Matrix<double> d, string fixture)
    {
        Assert.True(d.RowCount == d.ColumnCount, $"{fixture}: δ_Ω is {d.RowCount}×{d.ColumnCount}");
        for (int i = 0; i < d.RowCount; i++)
        {
            Assert.True(d[i, i] == 1.0, $"{fixture}: δ_Ω[{i},{i}] = {d[i, i]}");
            for (int j = i + 1; j < d.ColumnCount; j++) Assert.True(d[i, j] == 0.0, $"{fixture}: δ_Ω[{i},{j}] = {d[i, j]} above the diagonal");
        }
    }
}

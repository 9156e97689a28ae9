using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Tests.Sheaves;
using Xunit.Abstractions;

namespace ResidualSheaf.Tests.Heat;

/// <summary>The Krylov piecewise integrator against the dense exact piecewise integrator, and its building blocks.</summary>
public class KrylovPiecewiseIntegratorTests(ITestOutputHelper output)
{
    private static readonly double[] CheckTimes = [5, 20, 100];

    public static TheoryData<string, bool> Cases() => new()
    {
        { "G", true }, { "G", false },
        { "block-after", true }, { "block-after", false },
        { "block-before", true },
        { "stack2", true }, { "stack2", false },
        { "chord", true },
        { "conv", true }, { "conv", false },
    };

    private static NetworkSheaf Build(string name) => name switch
    {
        "G" => SheafConstructor.Build(GoldenNetwork.Create(), SkipConstruction.Junction),
        "block-after" => SheafConstructor.Build(TorchReference.PyTorchDefault(ArchitectureSpec.Residual([new BlockSpec(3, 3, 3, false)], ReluPlacement.After), 42), SkipConstruction.Junction),
        "block-before" => SheafConstructor.Build(TorchReference.PyTorchDefault(ArchitectureSpec.Residual([new BlockSpec(3, 3, 3, false)], ReluPlacement.Before), 42), SkipConstruction.Junction),
        // A convolutional network read from ONNX (Conv + BatchNormalization + ReLU + pools + Gemm; 178 free coordinates).
        "conv" => SheafConstructor.Build(ResidualSheaf.Models.Onnx.OnnxNetwork.Load(ResidualSheaf.Tests.Models.Onnx.DigitsResNetTests.Fixture("conv_bn_pool.onnx"))),
        "chord" => SheafConstructor.Build(TorchReference.PyTorchDefault(ArchitectureSpec.Residual([new BlockSpec(3, 3, 3, false)], ReluPlacement.After), 42), SkipConstruction.Chord),
        _ => SheafConstructor.Build(TorchReference.PyTorchDefault(ArchitectureSpec.Residual([new BlockSpec(3, 4, 3, false), new BlockSpec(3, 4, 3, false)], ReluPlacement.After), 7), SkipConstruction.Junction),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesTheDenseExactIntegrator(string name, bool useInverse)
    {
        var sheaf = Build(name);
        int inputDim = sheaf.Input.Dimension;
        var inputs = name == "G" ? [GoldenNetwork.X] : InputSampler.Normal(2, inputDim, 17);
        int run = 0, events = 0, slides = 0;
        double worst = 0;
        foreach (var x in inputs)
        {
            var p = sheaf.Problem(x);
            var eq = new HeatEquation(p);
            var exact = new ExactPiecewiseIntegrator(eq);
            var krylov = new KrylovPiecewiseIntegrator(eq, maxBasis: 12, tolerance: 1e-12, useInverse: useInverse, checkEvery: 4);
            for (int seed = 0; seed < 4; seed++, run++)
            {
                var c0 = HeatReference.Normal(eq.FreeDimension, 300 * run + seed, scale: 2.0);
                var reference = exact.Run(c0, CheckTimes);
                var res = krylov.Run(c0, CheckTimes);
                Assert.Equal(ExactStatus.Converged, reference.Status);
                Assert.Equal(KrylovStatus.Converged, res.Status);
                Assert.Equal(CheckTimes.Length, res.States.Length);
                for (int k = 0; k < CheckTimes.Length; k++)
                {
                    double d = HeatReference.MaxDiff(res.States[k], reference.States[k]);
                    worst = Math.Max(worst, d);
                    Assert.True(d <= 1e-9, $"{name} run {run}: t = {CheckTimes[k]}: |krylov − exact| = {d:e2}");
                }
                Assert.True(HeatReference.MaxDiff(res.Limit!, reference.Limit!) <= 1e-9);
                Assert.Equal(reference.Events.Select(e => (e.Coordinate, e.Kind)), res.Events.Select(e => (e.Coordinate, e.Kind)));
                for (int e = 0; e < res.Events.Count; e++) Assert.Equal(reference.Events[e].Time, res.Events[e].Time, 1e-8);
                events += res.Events.Count;
                slides += res.Events.Count(e => e.Kind == HeatEventKind.SlideEnter);
            }
        }
        output.WriteLine($"{name} (inverse {useInverse}): {run} runs, {events} events ({slides} sliding episodes), max |krylov − exact| = {worst:e2}");
        Assert.True(events > 0);
    }

    [Fact]
    public void StopsAtTheRequestedDistanceFromTheForwardPass()
    {
        var sheaf = Build("stack2");
        var p = sheaf.Problem(InputSampler.Normal(1, 3, 5)[0]);
        var eq = new HeatEquation(p);
        var forward = p.Restrict(DirichletSolver.Solve(p).Cochain);
        var c0 = HeatReference.Normal(eq.FreeDimension, 11);
        var res = new KrylovPiecewiseIntegrator(eq, maxBasis: 12, tolerance: 1e-12).Run(c0, stopDistance: 1e-8);
        Assert.Equal(KrylovStatus.ReachedDistance, res.Status);
        double d = HeatReference.MaxDiff(res.FinalState, forward);
        Assert.InRange(d, 0.5e-8, 1.0000001e-8);
        // The exact flow at that time is at the same place.
        var exact = new ExactPiecewiseIntegrator(eq).Run(c0, [res.FinalTime]);
        Assert.True(HeatReference.MaxDiff(exact.States[0], res.FinalState) <= 1e-10);
    }

    [Fact]
    public void SweepsInvertTheFreeLaplacianAndLanczosFindsItsExtremes()
    {
        var sheaf = Build("stack2");
        var p = sheaf.Problem(InputSampler.Normal(1, 3, 5)[0]);
        var eq = new HeatEquation(p);
        var sweeps = UnitriangularSweeps.TryCreate(p, out _)!;
        var sol = DirichletSolver.Solve(p);
        var masks = sol.Masks;
        masks.Theta.CopyTo(sweeps.Masks.Theta);
        var l = p.FreeLaplacian(masks);
        int n = eq.FreeDimension;
        var v = HeatReference.Normal(n, 3);
        var x = new double[n];
        sweeps.InverseLaplacian(v, x, new double[sheaf.Sheaf.EdgeDimension], 1.0);
        var back = l * MathNet.Numerics.LinearAlgebra.Double.DenseVector.OfArray(x);
        Assert.True(HeatReference.MaxDiff(back.ToArray(), v) <= 1e-10);
        var c = new double[n];
        sweeps.SolveAffine(c);
        Assert.True(HeatReference.MaxDiff(c, p.Restrict(sol.Cochain)) <= 1e-13);

        var evd = l.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric).EigenValues.Select(z => z.Real).ToArray();
        var op = new FreeLaplacianOperator(eq);
        var modes = new UnitMode[eq.SwitchingCount];
        eq.ModesFromState(p.Restrict(sol.Cochain), modes);
        op.SetModes(modes);
        var ext = op.Extremes(maxIterations: n);
        Assert.Equal(evd.Min(), ext.Min, 1e-9);
        Assert.Equal(evd.Max(), ext.Max, 1e-9);
        var inv = LanczosExtremes.Compute((a, b) => sweeps.InverseLaplacian(a, b, new double[n], 1.0), n, maxIterations: n);
        Assert.Equal(evd.Min(), 1 / inv.Max, 1e-9);
    }
}

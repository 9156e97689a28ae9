using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Tests.Sheaves;
using Xunit.Abstractions;

namespace ResidualSheaf.Tests.Heat;

/// <summary>Starts on a switching surface, the event cap, soft pins and an extra hard pin.</summary>
public class ExactPiecewiseEdgeCaseTests(ITestOutputHelper output)
{
    // MLP [1, 1, 1] with W1 = 1, b1 = 0, W2 = 0, b2 = 0.5: for x the surface forces of z1 are w = x and w + a1.
    private static readonly NetworkSheaf Tiny = SheafConstructor.Build(
        new Mlp([new LinearLayer(1, 1, [1.0], [0.0], "fc1"), new LinearLayer(1, 1, [0.0], [0.5], "fc2")]));

    [Fact]
    public void StartOnAnAttractingSurfaceSlidesAtOnce()
    {
        // x = 1, start (0, −8, 2): w = 1 > 0 > w + a1 = −7 → sliding from t = 0; a1 = −8e^{−t} reaches −1 at ln 8.
        var res = new ExactPiecewiseIntegrator(new HeatEquation(Tiny.Problem([1.0]))).Run([0.0, -8.0, 2.0], [1.0]);
        Assert.Equal(ExactStatus.Converged, res.Status);
        Assert.Equal(HeatEventKind.SlideEnter, res.Events[0].Kind);
        Assert.Equal(0.0, res.Events[0].Time);
        Assert.Equal(HeatEventKind.SlideExit, res.Events[1].Kind);
        Assert.Equal(Math.Log(8), res.Events[1].Time, 1e-13);
        Assert.Equal(2, res.Events.Count);
        Assert.Equal(0.0, res.States[0][0]);
        Assert.Equal(-8 * Math.Exp(-1), res.States[0][1], 1e-14);
    }

    [Fact]
    public void StartOnARepellingSurfaceTakesTheActiveBranch()
    {
        // x = −1, start (0, 3, 2): w = −1 < 0 < w + a1 = 2 → repelling, resolved as active and recorded; the limit is the forward pass.
        var p = Tiny.Problem([-1.0]);
        var res = new ExactPiecewiseIntegrator(new HeatEquation(p)).Run([0.0, 3.0, 2.0]);
        Assert.Equal(ExactStatus.Converged, res.Status);
        Assert.Equal(HeatEventKind.Repelling, res.Events[0].Kind);
        Assert.Equal(UnitMode.Active, res.Events[0].NewMode);
        Assert.Equal(0.0, res.Events[0].Time);
        Assert.True(res.Events.Count >= 2, "z1 must later cross down towards the forward value −1");
        var forward = p.Restrict(DirichletSolver.Solve(p).Cochain);
        Assert.True(HeatReference.MaxDiff(res.Limit!, forward) < 1e-12);
        output.WriteLine($"repelling start: {string.Join(", ", res.Events.Select(e => $"{e.Kind} {e.Name} @ {e.Time:g6}"))}");
    }

    [Fact]
    public void EventCapStopsWithAStatus()
    {
        var p = SheafConstructor.Build(GoldenNetwork.Create()).Problem(GoldenNetwork.X);
        var exact = new ExactPiecewiseIntegrator(new HeatEquation(p));
        var c0 = HeatReference.Normal(p.FreeCoordinates.Count, 101); // three events from this start (see the G runs)
        var full = exact.Run(c0);
        Assert.True(full.Events.Count >= 2);
        var capped = exact.Run(c0, null, double.PositiveInfinity, maxEvents: 1);
        Assert.Equal(ExactStatus.EventLimit, capped.Status);
        Assert.Single(capped.Events);
        Assert.Equal(full.Events[1].Time, capped.FinalTime, 1e-12);
        Assert.Null(capped.Limit);
    }

    [Fact]
    public void SoftPinnedLimitIsAStationaryPointOfTheSoftEnergy()
    {
        var g = SheafConstructor.Build(GoldenNetwork.Create());
        var p = g.Problem(GoldenNetwork.X);
        int outCoord = g.Output.Offset;
        var eq = new HeatEquation(p, 1.0, [new SoftPin(outCoord, 0.2, 3.0)]);
        var res = new ExactPiecewiseIntegrator(eq).Run(HeatReference.Normal(eq.FreeDimension, 11));
        Assert.Equal(ExactStatus.Converged, res.Status);
        Assert.DoesNotContain(UnitMode.Sliding, res.FinalModes);
        var c = res.Limit!;
        double E(double[] f)
        {
            double d = f[p.FreeIndex(outCoord)] - 0.2;
            return HeatReference.Energy(p, f) + 1.5 * d * d;
        }
        double worst = 0;
        for (int k = 0; k < c.Length; k++)
        {
            var plus = (double[])c.Clone();
            var minus = (double[])c.Clone();
            plus[k] += 1e-6;
            minus[k] -= 1e-6;
            worst = Math.Max(worst, Math.Abs((E(plus) - E(minus)) / 2e-6));
        }
        output.WriteLine($"soft pin: output {c[p.FreeIndex(outCoord)]:r} (forward 0.75, target 0.2), max |∇E_fd| at the limit = {worst:e2}, segments {res.Segments}");
        Assert.True(worst < 1e-8, $"gradient at the limit {worst:e2}");
        Assert.InRange(c[p.FreeIndex(outCoord)], 0.2, 0.75);
    }

    [Fact]
    public void PinnedOutputConvergesToTheLeastSquaresSolution()
    {
        // Input and output both hard-pinned (δ_Ω tall): with the true output the residual is zero and the limit is the forward pass.
        var g = SheafConstructor.Build(GoldenNetwork.Create());
        var p = g.Problem(GoldenNetwork.X, [0.75]);
        var eq = new HeatEquation(p);
        var res = new ExactPiecewiseIntegrator(eq).Run(HeatReference.Normal(eq.FreeDimension, 12));
        Assert.Equal(ExactStatus.Converged, res.Status);
        var ls = DirichletSolver.Solve(p);
        Assert.True(ls.MasksConsistent);
        double dist = HeatReference.MaxDiff(res.Limit!, p.Restrict(ls.Cochain));
        output.WriteLine($"pinned output: |limit − LS| = {dist:e2}, LS residual {ls.Residual:e2}, segments {res.Segments}");
        Assert.True(dist < 1e-9);
    }

    [Fact]
    public void SimultaneousRootsOnTwoUnitsAreBothHandled()
    {
        // Two identical hidden units (W1 = [1; 1], b1 = 0, x = 1) from identical starts: both z1 reach 0 at the same instant.
        // Inactive phase: z1_i = 1 − 2e^{−t}, so both cross at ln 2 (a1 = 0 there: w = 1 = w + a1 > 0, a plain crossing).
        var net = new Mlp([new LinearLayer(1, 2, [1.0, 1.0], [0.0, 0.0], "fc1"), new LinearLayer(2, 1, [0.5, 0.5], [0.0], "fc2")]);
        var sheaf = SheafConstructor.Build(net);
        var p = sheaf.Problem([1.0]);
        var eq = new HeatEquation(p);
        var res = new ExactPiecewiseIntegrator(eq).Run([-1.0, -1.0, 0.0, 0.0, 0.0]);
        Assert.Equal(ExactStatus.Converged, res.Status);
        Assert.Equal(2, res.Events.Count(e => e.Kind == HeatEventKind.CrossUp));
        Assert.Equal(res.Events[0].Time, res.Events[1].Time, 1e-12);
        Assert.NotEqual(res.Events[0].Coordinate, res.Events[1].Coordinate);
        Assert.True(res.Events.Count <= 3, string.Join(", ", res.Events.Select(e => $"{e.Kind} {e.Name} @ {e.Time:r}")));
        var forward = p.Restrict(DirichletSolver.Solve(p).Cochain);
        Assert.True(HeatReference.MaxDiff(res.Limit!, forward) < 1e-12);
        output.WriteLine($"simultaneous: {string.Join(", ", res.Events.Select(e => $"{e.Kind} {e.Name} @ {e.Time:r}"))}; segments {res.Segments}");
    }

    [Fact]
    public void PinnedHiddenNeuronTakesItsMaskFromThePin()
    {
        // G with z1[1] hard-pinned to its forward value −1.7: three switching units remain, and the limit is the forward pass.
        var g = SheafConstructor.Build(GoldenNetwork.Create());
        var z1 = g.Sheaf.Vertex("z1");
        var pins = new ResidualSheaf.Engine.Sheaves.PinSet().PinVertex(g.Input, GoldenNetwork.X).Pin(z1.Offset + 1, -1.7);
        var p = new DirichletProblem(g.Sheaf, pins);
        var eq = new HeatEquation(p);
        Assert.Equal(3, eq.SwitchingCount);
        Assert.DoesNotContain(z1.Offset + 1, eq.SwitchingCoordinates);
        var res = new ExactPiecewiseIntegrator(eq).Run(HeatReference.Normal(eq.FreeDimension, 13));
        Assert.Equal(ExactStatus.Converged, res.Status);
        var ls = DirichletSolver.Solve(p);
        Assert.True(ls.Residual < 1e-12);
        Assert.True(HeatReference.MaxDiff(res.Limit!, p.Restrict(ls.Cochain)) < 1e-9);
        Assert.Equal(0.75, res.Limit![p.FreeIndex(g.Output.Offset)], 1e-12);
    }
}

using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.Integration;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Tests.Sheaves;
using Xunit.Abstractions;

namespace ResidualSheaf.Tests.Heat;

/// <summary>Switching-aware RKC and RkcKrylov against the exact piecewise integrator; the row-local surface forces against full gradients.</summary>
public class RkcHeatTests(ITestOutputHelper output)
{
    private static readonly double[] CheckTimes = [5, 20, 100];

    private static NetworkSheaf Build(string name) => name switch
    {
        "G" => SheafConstructor.Build(GoldenNetwork.Create(), SkipConstruction.Junction),
        "block" => SheafConstructor.Build(TorchReference.PyTorchDefault(ArchitectureSpec.Residual([new BlockSpec(3, 3, 3, false)], ReluPlacement.After), 42), SkipConstruction.Junction),
        "chord" => SheafConstructor.Build(TorchReference.PyTorchDefault(ArchitectureSpec.Residual([new BlockSpec(3, 3, 3, false)], ReluPlacement.After), 42), SkipConstruction.Chord),
        "stack4" => SheafConstructor.Build(TorchReference.PyTorchDefault(ArchitectureSpec.Residual(
            Enumerable.Range(0, 4).Select(_ => new BlockSpec(8, 8, 8, false)).ToArray(), ReluPlacement.After), 3), SkipConstruction.Junction),
        _ => SheafConstructor.Build(TorchReference.PyTorchDefault(ArchitectureSpec.Residual([new BlockSpec(3, 4, 3, false), new BlockSpec(3, 4, 3, false)], ReluPlacement.After), 7), SkipConstruction.Junction),
    };

    private static double[] Input(string name, NetworkSheaf sheaf) => name == "G" ? GoldenNetwork.X : InputSampler.Normal(1, sheaf.Input.Dimension, 17)[0];

    [Trait("Category", "Slow")] // measured: among the slowest tests of a full run (./test.sh --quick leaves it out)
    [Theory]
    [InlineData("G")]
    [InlineData("block")]
    [InlineData("stack2")]
    [InlineData("stack4")]
    [InlineData("chord")]
    public void SwitchingAwareRkcAndRkcKrylovFollowTheExactFlow(string name)
    {
        var sheaf = Build(name);
        var p = sheaf.Problem(Input(name, sheaf));
        var eq = new HeatEquation(p);
        int events = 0;
        double worstRkc = 0, worstHybrid = 0;
        for (int seed = 0; seed < 3; seed++)
        {
            var c0 = HeatReference.Normal(eq.FreeDimension, 40 + seed, scale: 2.0);
            var reference = new ExactPiecewiseIntegrator(eq).Run(c0, CheckTimes);
            for (int k = 0; k < CheckTimes.Length; k++)
            {
                var tight = new TestOptions { Rtol = 1e-10, Atol = 1e-12, EndTime = CheckTimes[k], KrylovTolerance = 1e-12 };
                var rkc = TestSolve.Run(eq, c0, tight with { Method = TestMethod.SwitchingAware, Algorithm = new Rkc() });
                var hybrid = TestSolve.Run(eq, c0, tight with { Method = TestMethod.RkcKrylov });
                Assert.Equal(HeatStatus.EndTimeReached, rkc.Status);
                Assert.Equal(HeatStatus.EndTimeReached, hybrid.Status);
                double dRkc = HeatReference.MaxDiff(rkc.FinalState, reference.States[k]), dHybrid = HeatReference.MaxDiff(hybrid.FinalState, reference.States[k]);
                worstRkc = Math.Max(worstRkc, dRkc);
                worstHybrid = Math.Max(worstHybrid, dHybrid);
                Assert.True(dRkc <= 1e-7, $"{name} seed {seed} t = {CheckTimes[k]}: |RKC − exact| = {dRkc:e2}");
                Assert.True(dHybrid <= 1e-7, $"{name} seed {seed} t = {CheckTimes[k]}: |RkcKrylov − exact| = {dHybrid:e2}");
                if (k == CheckTimes.Length - 1)
                {
                    var exactEvents = reference.Events.Where(e => e.Time <= CheckTimes[k]).Select(e => (e.Coordinate, e.Kind)).ToArray();
                    Assert.Equal(exactEvents, rkc.Events.Select(e => (e.Coordinate, e.Kind)));
                    Assert.Equal(exactEvents, hybrid.Events.Select(e => (e.Coordinate, e.Kind)));
                    events += exactEvents.Length;
                    output.WriteLine($"{name} seed {seed} to t = 100: RKC {rkc.Statistics}; RkcKrylov {hybrid.Message}");
                }
            }
        }

        output.WriteLine($"{name}: max |RKC − exact| = {worstRkc:e2}, max |RkcKrylov − exact| = {worstHybrid:e2} at t = 5, 20, 100; {events} events");
        Assert.True(events > 0);
    }

    [Trait("Category", "Slow")] // measured: among the slowest tests of a full run (./test.sh --quick leaves it out)
    [Theory]
    [InlineData("block")]
    [InlineData("stack4")]
    public void RkcKrylovHandsOverAndConvergesToTheForwardPass(string name)
    {
        var sheaf = Build(name);
        var p = sheaf.Problem(Input(name, sheaf));
        var eq = new HeatEquation(p);
        var forward = p.Restrict(DirichletSolver.Solve(p).Cochain);
        var c0 = HeatReference.Normal(eq.FreeDimension, 5, scale: 2.0);
        var options = new TestOptions
        {
            Method = TestMethod.RkcKrylov,
            Rtol = 1e-6,
            Atol = 1e-6,
            KrylovTolerance = 1e-12,
            EndTime = 1e7,
            Target = forward,
            StopDistance = 1e-9,
        };
        var s = TestSolve.Run(eq, c0, options);
        output.WriteLine($"{name}: {s.Status} at t = {s.ConvergenceTime:g8}; {s.Message}; {s.Statistics}");
        Assert.Equal(HeatStatus.Converged, s.Status);
        Assert.Contains("then Krylov", s.Message, StringComparison.Ordinal);
        Assert.True(HeatReference.MaxDiff(s.FinalState, forward) <= 1e-9);

        // The exact flow reaches 1e-9 at nearly the same time (RKC's error at rtol 1e-6 shifts it slightly).
        var exact = TestSolve.Run(eq, c0, new TestOptions { Method = TestMethod.ExactPiecewise, EndTime = 1e7, Target = forward, StopDistance = 1e-9 });
        Assert.Equal(HeatStatus.Converged, exact.Status);
        double rel = Math.Abs(s.ConvergenceTime!.Value - exact.ConvergenceTime!.Value) / exact.ConvergenceTime.Value;
        output.WriteLine($"{name}: exact reaches 1e-9 at t = {exact.ConvergenceTime:g8} (relative difference {rel:e2})");
        Assert.True(rel <= 0.05, $"convergence times {s.ConvergenceTime} vs {exact.ConvergenceTime}");
    }

    [Theory]
    [InlineData("block")]
    [InlineData("stack2")]
    [InlineData("chord")]
    public void RowLocalSurfaceForcesEqualTheFullGradient(string name)
    {
        // Reference: the frozen-mode force at the state with z_j set to 0 and unit j Active / Inactive (a full gradient).
        var sheaf = Build(name);
        var p = sheaf.Problem(Input(name, sheaf));
        int soft = p.FreeCoordinates.First(j => !sheaf.Sheaf.MaskCoordinates.Contains(j));
        var eq = new HeatEquation(p, 0.7, [new SoftPin(soft, 0.3, 1.5)]);
        var rng = new Random(3);
        var f = new double[eq.FreeDimension];
        double worst = 0;
        for (int trial = 0; trial < 20; trial++)
        {
            var y = HeatReference.Normal(eq.FreeDimension, 500 + trial);
            var modes = new UnitMode[eq.SwitchingCount];
            for (int u = 0; u < modes.Length; u++)
            {
                modes[u] = (UnitMode)rng.Next(3);
                if (modes[u] == UnitMode.Sliding) y[eq.SwitchingFreeIndices[u]] = 0;
            }

            for (int u = 0; u < modes.Length; u++)
            {
                eq.SurfaceForces(y, modes, u, out double inactive, out double active);
                var yz = (double[])y.Clone();
                yz[eq.SwitchingFreeIndices[u]] = 0;
                var m = (UnitMode[])modes.Clone();
                m[u] = UnitMode.Inactive;
                eq.Force(yz, m, f);
                double refInactive = f[eq.SwitchingFreeIndices[u]];
                m[u] = UnitMode.Active;
                eq.Force(yz, m, f);
                double refActive = f[eq.SwitchingFreeIndices[u]];
                double d = Math.Max(Math.Abs(inactive - refInactive), Math.Abs(active - refActive));
                worst = Math.Max(worst, d);
                Assert.True(d <= 1e-12 * (1 + Math.Abs(refActive) + Math.Abs(refInactive)), $"{name} unit {u}: ({inactive}, {active}) vs ({refInactive}, {refActive})");
            }
        }

        output.WriteLine($"{name}: max difference {worst:e2}");
    }
}

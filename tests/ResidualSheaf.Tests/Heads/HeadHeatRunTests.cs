using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.Integration;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Graph;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Tests.Heat;
using TorchSharp;
using Xunit.Abstractions;

namespace ResidualSheaf.Tests.Heads;

/// <summary>
/// Heat runs with an output head: from random initial cochains the switching-aware adaptive and stiff integrators (and the authors'
/// Euler) reach the forward pass (TorchSharp's) in jacobian mode (plain runs chatter at the hidden ReLUs' sliding surfaces, head or
/// not); exact and Krylov refuse the head and auto never picks them; identity mode is
/// reported (its limit and its energy rises).
/// </summary>
public class HeadHeatRunTests(ITestOutputHelper output)
{
    /// <summary>Records the largest relative rise of E between consecutive samples.</summary>
    private sealed class RiseRecorder : IHeatObserver
    {
        private double _last = double.NaN;

        public double LargestRise { get; private set; }

        public long Rises { get; private set; }

        public void OnSample(in HeatSample sample)
        {
            double e = sample.Energy;
            if (e > _last + 1e-14 * (1 + _last))
            {
                Rises++;
                LargestRise = Math.Max(LargestRise, (e - _last) / Math.Max(_last, 1e-300));
            }
            _last = e;
        }

        public void OnEvent(HeatEvent e)
        {
        }
    }

    public static TheoryData<string, OutputHead, string> Runs()
    {
        var d = new TheoryData<string, OutputHead, string>();
        foreach (var k in HeadNetworks.Kinds)
            foreach (var h in new[] { OutputHead.Sigmoid, OutputHead.Softmax })
                foreach (var m in new[] { "rodas4", "dp5" })
                    d.Add(k, h, m);
        return d;
    }

    private static HeatAlgorithm Algorithm(string name) => name switch
    {
        "rodas4" => new OdeFlow(new Rodas4()) { Rtol = 1e-10, Atol = 1e-12 },
        "dp5" => new OdeFlow(new DormandPrince54()) { Rtol = 1e-10, Atol = 1e-12 },
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Runs))]
    public void JacobianModeRunsFromRandomCochainsReachTheForwardPass(string kind, OutputHead head, string method)
    {
        var net = HeadNetworks.Network(kind, head);
        var ns = SheafConstructor.Build(net);
        using var t64 = TorchReference.Create(net, torch.ScalarType.Float64);
        for (int trial = 0; trial < 3; trial++)
        {
            var x = InputSampler.Normal(1, net.InputDimension, 40 + trial)[0];
            var p = ns.Problem(x);
            var forward = p.Restrict(DirichletSolver.Solve(p).Cochain);
            var eq = new HeatEquation(p);
            var init = HeatReference.Normal(eq.FreeDimension, 500 + trial, scale: 2.0);
            // Stopped by the distance to the forward-substitution solution, whose output is checked against torch below.
            var problem = new HeatProblem(eq, init) { EndTime = 1e5, StopRules = [new DistanceStop(forward, 1e-10)] };
            var rises = new RiseRecorder();
            var s = HeatSolver.Solve(problem, Algorithm(method), rises);
            Assert.True(s.Status == HeatStatus.Converged, $"{s.Status}: {s.Message}");
            double distance = HeatReference.MaxDiff(s.FinalState, forward);
            var y = ns.OutputOf(p.Embed(s.FinalState));
            double vsTorch = HeatReference.MaxDiff(y, t64.Forward(x));
            output.WriteLine($"{kind} {head} {method} trial {trial}: t = {s.FinalTime:G4}, steps {s.Statistics.Accepted}, " +
                $"distance {distance:E2}, |a_out − torch| {vsTorch:E2}, energy rises {rises.Rises} (largest relative {rises.LargestRise:E2})");
            Assert.True(distance <= 1e-9, $"distance to the forward pass {distance:E3}");
            Assert.True(vsTorch <= 1e-9, $"output vs torch {vsTorch:E3}");
        }
    }

    [Fact]
    public void AuthorsEulerWithHeadReachesTheForwardPass()
    {
        var net = HeadNetworks.Network("mlp", OutputHead.Softmax);
        var ns = SheafConstructor.Build(net);
        var x = InputSampler.Normal(1, net.InputDimension, 4)[0];
        var p = ns.Problem(x);
        var forward = p.Restrict(DirichletSolver.Solve(p).Cochain);
        var eq = new HeatEquation(p);
        var r = AuthorsEuler.Run(eq, HeatReference.Normal(eq.FreeDimension, 8), dt: 0.01, tolerance: 1e-13);
        Assert.True(r.Converged);
        double distance = HeatReference.MaxDiff(r.FinalState, forward);
        output.WriteLine($"authors' Euler, softmax MLP: {r.Steps} steps, distance {distance:E2}");
        Assert.True(distance <= 1e-9, $"distance {distance:E3}");
    }

    [Theory]
    [InlineData(OutputHead.Sigmoid)]
    [InlineData(OutputHead.Softmax)]
    public void IdentityModeIsReported(OutputHead head)
    {
        // Identity mode is not a gradient flow: the forward pass is still a zero of the force (r = 0 and every linear residual 0),
        // so a run that settles must settle there; what is measured is whether it does and how E behaves on the way.
        foreach (var kind in HeadNetworks.Kinds)
        {
            var net = HeadNetworks.Network(kind, head, OutputEdgeMode.Identity);
            var ns = SheafConstructor.Build(net);
            var x = InputSampler.Normal(1, net.InputDimension, 41)[0];
            var p = ns.Problem(x);
            var forward = p.Restrict(DirichletSolver.Solve(p).Cochain);
            var eq = new HeatEquation(p);
            var f = new double[eq.FreeDimension];
            eq.Force(forward, f);
            Assert.True(HeatReference.MaxAbs(f) <= 1e-14);
            long rises = 0;
            double largest = 0, worst = 0;
            for (int trial = 0; trial < 5; trial++)
            {
                var init = HeatReference.Normal(eq.FreeDimension, 700 + trial, scale: 2.0);
                var problem = new HeatProblem(eq, init) { EndTime = 1e5, StopRules = [new ForceStop(1e-12)] };
                var rec = new RiseRecorder();
                var s = HeatSolver.Solve(problem, Algorithm("rodas4"), rec);
                Assert.Equal(HeatStatus.Converged, s.Status);
                worst = Math.Max(worst, HeatReference.MaxDiff(s.FinalState, forward));
                rises += rec.Rises;
                largest = Math.Max(largest, rec.LargestRise);
            }
            output.WriteLine($"identity mode, {kind} {head}: 5 runs, max distance to the forward pass {worst:E2}, " +
                $"samples with E rising {rises}, largest relative rise {largest:E2}");
            Assert.True(worst <= 1e-9, $"identity mode: distance {worst:E3}");
        }
    }

    [Fact]
    public void PiecewiseLinearMethodsRefuseAHeadAndAutoNeverPicksThem()
    {
        var net = HeadNetworks.Network("resnet", OutputHead.Softmax);
        var ns = SheafConstructor.Build(net);
        var p = ns.Problem(InputSampler.Normal(1, net.InputDimension, 1)[0]);
        var eq = new HeatEquation(p);
        var problem = new HeatProblem(eq, new double[eq.FreeDimension]) { StopRules = [new ForceStop(1e-9)] };
        HeatAlgorithm[] refused = [new ExactPiecewiseFlow(), new KrylovPiecewiseFlow(), HandoffFlow.RkcKrylov(1e-8, 1e-10, 1e-10)];
        foreach (var a in refused)
        {
            Assert.Contains("smooth output head", a.Unsupported(problem));
            var e = Assert.Throws<ArgumentException>(() => HeatSolver.Solve(problem, a));
            Assert.Contains("smooth output head", e.Message);
        }
        Assert.Null(new OdeFlow(new Rodas4()).Unsupported(problem));
        var auto = new AutoFlow();
        var chosen = auto.Resolve(eq, p.Embed(new double[eq.FreeDimension]));
        Assert.IsType<Rodas4>(Assert.IsType<OdeFlow>(chosen).Integrator);
        Assert.Equal(HeatStatus.Converged, HeatSolver.Solve(problem, auto).Status);
        // The same network without a head: nothing refused.
        var plain = SheafConstructor.Build(TorchReference.PyTorchDefault(ArchitectureSpec.Mlp(2, 3, 2), 1));
        var plainEq = new HeatEquation(plain.Problem([0.5, -0.5]));
        var plainProblem = new HeatProblem(plainEq, new double[plainEq.FreeDimension]) { StopRules = [new ForceStop(1e-9)] };
        Assert.Null(new ExactPiecewiseFlow().Unsupported(plainProblem));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void AutoPicksNoKrylovForALargeHeadedProblem()
    {
        // Above AutoFlow.LargeProblem free coordinates auto would hand over to Krylov; with a head it stays switching-aware.
        var spec = ArchitectureSpec.Mlp(2, 700, 700, 2).WithHead(OutputHead.Softmax, OutputEdgeMode.Jacobian);
        var net = TorchReference.PyTorchDefault(spec, 1);
        var ns = SheafConstructor.Build(net);
        var eq = new HeatEquation(ns.Problem([0.1, 0.2]));
        Assert.True(AutoFlow.IsLarge(eq.FreeDimension));
        var chosen = new AutoFlow().Resolve(eq, ns.Problem([0.1, 0.2]).PinnedCochain());
        Assert.IsType<OdeFlow>(chosen);
    }
}

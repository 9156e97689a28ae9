// Over 400 lines on purpose: every method of the facade against every other, the exact flow, golden values and closed forms sit
// side by side so a discrepancy between two methods is read in one file.
using ResidualSheaf.Engine;
using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.Integration;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Tests.Sheaves;
using TorchSharp;
using Xunit.Abstractions;

namespace ResidualSheaf.Tests.Heat;

/// <summary>The HeatSolver facade: the four methods against each other, the exact integrator, golden values, TorchSharp and closed forms.</summary>
public class HeatSolverTests(ITestOutputHelper output)
{
    private static readonly NetworkSheaf G = SheafConstructor.Build(GoldenNetwork.Create());

    /// <summary>sheaf-math §5: the forward pass of G in the free order (z1, a1, z2).</summary>
    private static readonly double[] GForward = [1.6, -1.7, -.55, .1, 1.6, 0, 0, .1, .75];

    private const double LambdaStarG = 0.120377155135;

    private static readonly TestOptions Tight = new() { Method = TestMethod.SwitchingAware, Rtol = 1e-10, Atol = 1e-12 };

    [Theory]
    [InlineData("G")]
    [InlineData("block")]
    public void ExactSwitchingAwareAndRodas4AgreeAndConvergeToTheForwardPass(string name)
    {
        INetwork net = name == "G"
            ? GoldenNetwork.Create()
            : TorchReference.PyTorchDefault(ArchitectureSpec.Residual([new BlockSpec(3, 3, 3, false)], ReluPlacement.After), 42);
        var sheaf = SheafConstructor.Build(net, SkipConstruction.Junction);
        var x = name == "G" ? GoldenNetwork.X : InputSampler.Normal(1, 3, 17)[0];
        var p = sheaf.Problem(x);
        var eq = new HeatEquation(p);
        var c0 = HeatReference.Normal(eq.FreeDimension, name == "G" ? 101 : 7);
        foreach (double t in new[] { 5.0, 20.0, 100.0 })
        {
            var exact = TestSolve.Run(eq, c0, new TestOptions { Method = TestMethod.ExactPiecewise, EndTime = t });
            var dp5 = TestSolve.Run(eq, c0, Tight with { EndTime = t });
            var rodas = TestSolve.Run(eq, c0, Tight with { EndTime = t, Algorithm = new Rodas4() });
            var krylov = TestSolve.Run(eq, c0, Tight with { EndTime = t, Method = TestMethod.Krylov });
            foreach (var s in new[] { exact, dp5, rodas, krylov })
            {
                Assert.Equal(HeatStatus.EndTimeReached, s.Status);
                Assert.Equal(t, s.FinalTime);
            }
            double dDp5 = HeatReference.MaxDiff(dp5.FinalState, exact.FinalState), dRodas = HeatReference.MaxDiff(rodas.FinalState, exact.FinalState);
            output.WriteLine($"{name} t = {t}: |DP5 − exact| = {dDp5:e2} (nfev {dp5.Statistics.Nfev}), |Rodas4 − exact| = {dRodas:e2} " +
                             $"(nfev {rodas.Statistics.Nfev}, njev {rodas.Statistics.Njev}), events {exact.Events.Count}");
            Assert.True(dDp5 <= 1e-8, $"t = {t}: DP5 vs exact {dDp5:e2}");
            Assert.True(dRodas <= 1e-8, $"t = {t}: Rodas4 vs exact {dRodas:e2}");
            double dKrylov = HeatReference.MaxDiff(krylov.FinalState, exact.FinalState);
            output.WriteLine($"{name} t = {t}: |Krylov − exact| = {dKrylov:e2} (products {krylov.Statistics.Nfev}, steps {krylov.Statistics.Accepted})");
            Assert.True(dKrylov <= 1e-10, $"t = {t}: Krylov vs exact {dKrylov:e2}");
            Assert.Equal(exact.Events.Select(e => (e.Coordinate, e.Kind)), krylov.Events.Select(e => (e.Coordinate, e.Kind)));
            Assert.All(exact.Events.Zip(krylov.Events), p => Assert.True(Math.Abs(p.First.Time - p.Second.Time) <= 1e-9 * (1 + p.First.Time)));
        }

        // Limits: the forward pass (golden values for G, TorchSharp float64 on the output and the Dirichlet solve for the block).
        var forward = name == "G" ? GForward : p.Restrict(DirichletSolver.Solve(p).Cochain);
        using var torch64 = TorchReference.Create(net, torch.ScalarType.Float64);
        var torchOut = torch64.Forward(x);
        var limit = TestSolve.Run(eq, c0, new TestOptions { Method = TestMethod.ExactPiecewise });
        Assert.Equal(HeatStatus.Converged, limit.Status);
        Assert.NotNull(limit.ExactLimit);
        var finals = new List<(string Method, double[] State)> { ("exact limit", limit.ExactLimit!), ("exact grid end", limit.FinalState) };
        foreach (var (label, o) in new[]
                 {
                     ("DP5", Tight with { Target = forward, StopDistance = 5e-10 }),
                     ("Rodas4", Tight with { Target = forward, StopDistance = 5e-10, Algorithm = new Rodas4() }),
                     ("Krylov", Tight with { Target = forward, StopDistance = 5e-10, Method = TestMethod.Krylov }),
                 })
        {
            var s = TestSolve.Run(eq, c0, o);
            Assert.Equal(HeatStatus.Converged, s.Status);
            finals.Add((label, s.FinalState));
            output.WriteLine($"{name} {label} to 5e-10: t = {s.ConvergenceTime:g6}, {s.Statistics}");
        }
        foreach (var (label, state) in finals)
        {
            double dForward = HeatReference.MaxDiff(state, forward);
            double dTorch = HeatReference.MaxDiff(sheaf.OutputOf(p.Embed(state)), torchOut);
            output.WriteLine($"{name} {label}: |c − forward| = {dForward:e2}, |output − torch float64| = {dTorch:e2}");
            Assert.True(dForward <= 1e-9, $"{label}: {dForward:e2} from the forward pass");
            Assert.True(dTorch <= 1e-9, $"{label}: {dTorch:e2} from TorchSharp");
        }
    }

    [Theory]
    [InlineData(TestMethod.ExactPiecewise, -1)]
    [InlineData(TestMethod.ExactPiecewise, 101)]
    [InlineData(TestMethod.SwitchingAware, -1)]
    [InlineData(TestMethod.SwitchingAware, 101)]
    [InlineData(TestMethod.Krylov, -1)]
    [InlineData(TestMethod.Krylov, 101)]
    public void EnergyStaysBelowTheExponentialBoundAtEverySample(TestMethod method, int seed)
    {
        var p = G.Problem(GoldenNetwork.X);
        var eq = new HeatEquation(p);
        var c0 = seed < 0 ? new double[eq.FreeDimension] : HeatReference.Normal(eq.FreeDimension, seed);
        var rec = new HeatRecorder();
        var s = TestSolve.Run(eq, c0, Tight with { Method = method, Target = GForward, StopDistance = 1e-9 }, rec);
        Assert.Equal(HeatStatus.Converged, s.Status);
        double e0 = HeatReference.Energy(p, c0), worst = 0;
        Assert.Equal(0.0, rec.Samples[0].Time);
        for (int i = 0; i < rec.Samples.Count; i++)
        {
            var (t, state, _, _) = rec.Samples[i];
            if (i > 0) Assert.True(t > rec.Samples[i - 1].Time || (t == rec.Samples[i - 1].Time && method == TestMethod.ExactPiecewise), $"samples out of order at {t}");
            double e = HeatReference.Energy(p, state), bound = e0 * Math.Exp(-2 * LambdaStarG * t);
            Assert.True(e <= bound * (1 + 1e-9), $"E({t}) = {e} above the bound {bound}");
            if (t > 0) worst = Math.Max(worst, e / bound);
        }
        output.WriteLine($"{method} from {(seed < 0 ? "zero" : $"N(0,1) seed {seed}")}: {rec.Samples.Count} samples, max E/bound (t > 0) = {worst:g6}, {s.Statistics}");
    }

    [Fact]
    public void AuthorsEulerThroughTheFacadeKeepsTheGoldenStepCounts()
    {
        var p = G.Problem(GoldenNetwork.X);
        var eq = new HeatEquation(p);
        var o = new TestOptions { Method = TestMethod.AuthorsEuler, EulerSampleEvery = 100 };
        var rec = new HeatRecorder();
        var zeros = TestSolve.Run(eq, new double[eq.FreeDimension], o, rec);
        Assert.Equal(HeatStatus.Converged, zeros.Status);
        Assert.Equal(11719, zeros.Statistics.Accepted);
        Assert.Equal(11719, zeros.Statistics.Nfev);
        Assert.Equal(117.19, zeros.FinalTime, 1e-9);
        Assert.Equal(0.749999999458, zeros.FinalState[p.FreeIndex(G.Output.Offset)], 1e-12);
        Assert.Equal(zeros.FinalTime, rec.Samples[^1].Time);
        Assert.Equal(1 + 117 + 1, rec.Samples.Count); // t = 0, every 100th step, the last
        var ones = TestSolve.Run(eq, Enumerable.Repeat(1.0, eq.FreeDimension).ToArray(), o);
        Assert.Equal(HeatStatus.Converged, ones.Status);
        Assert.Equal(10723, ones.Statistics.Accepted);
        // The authors' reference loop, written out here as an independent reference: identical final states and step counts.
        var c = new double[eq.FreeDimension];
        var f = new double[c.Length];
        int steps = 0;
        double change;
        do
        {
            eq.Force(c, f);
            change = 0;
            for (int i = 0; i < c.Length; i++)
            {
                c[i] += 0.01 * f[i];
                change = Math.Max(change, Math.Abs(0.01 * f[i]));
            }
            steps++;
        }
        while (change >= 1e-12);
        Assert.Equal(steps, zeros.Statistics.Accepted);
        Assert.Equal(c, zeros.FinalState);
        Assert.Equal(c, AuthorsEuler.Run(eq, new double[eq.FreeDimension]).FinalState);
    }

    [Fact]
    public void Tsit5IsOneRegistrationAwayFromTheHeatEquation()
    {
        // The extension demonstration: a new integrator reaches the heat equation through OdeFlow and the registry, no heat code.
        var p = G.Problem(GoldenNetwork.X);
        var eq = new HeatEquation(p);
        Assert.True(OdeAlgorithms.TryCreate("tsit5", out var tsit5));
        Assert.Equal("tsit5", OdeAlgorithms.NameOf(tsit5));
        var problem = new HeatProblem(eq, HeatReference.Normal(eq.FreeDimension, 101)) { StopRules = [new DistanceStop(GForward, 1e-9)] };
        var t = HeatSolver.Solve(problem, new OdeFlow(tsit5));
        var d = HeatSolver.Solve(problem, new OdeFlow(new DormandPrince54()));
        var exact = HeatSolver.Solve(problem with { EndTime = 20, StopRules = [] }, new ExactPiecewiseFlow());
        var t20 = HeatSolver.Solve(problem with { EndTime = 20, StopRules = [] }, new OdeFlow(tsit5) { Rtol = 1e-10, Atol = 1e-12 });
        Assert.Equal(HeatStatus.Converged, t.Status);
        Assert.True(Numerics.MaxAbsDifference(t.FinalState, GForward) <= 1e-9);
        Assert.Equal(d.Events.Select(e => (e.Coordinate, e.Kind)), t.Events.Select(e => (e.Coordinate, e.Kind)));
        Assert.True(Math.Abs(d.ConvergenceTime!.Value - t.ConvergenceTime!.Value) <= 1e-2 * d.ConvergenceTime.Value);
        // Against the exact piecewise flow at t = 20 (a second method, not the code under test).
        Assert.True(Numerics.MaxAbsDifference(t20.FinalState, exact.FinalState) <= 1e-8, $"{Numerics.MaxAbsDifference(t20.FinalState, exact.FinalState):e2}");
        output.WriteLine($"Tsit5: t = {t.ConvergenceTime:g6}, {t.Statistics}; DP5: t = {d.ConvergenceTime:g6}, {d.Statistics}; " +
                         $"‖Tsit5 − exact‖∞ at t = 20: {Numerics.MaxAbsDifference(t20.FinalState, exact.FinalState):e2}");
    }

    [Fact]
    public void WorkToReachTheForwardPassOfGFromZero()
    {
        var p = G.Problem(GoldenNetwork.X);
        var eq = new HeatEquation(p);
        var zero = new double[eq.FreeDimension];
        var stop = new TestOptions { Target = GForward, StopDistance = 1e-9 };
        var runs = new (string Name, TestOptions Options)[]
        {
            ("Plain DP5", stop with { Method = TestMethod.Plain }),
            ("SwitchingAware DP5", stop with { Method = TestMethod.SwitchingAware }),
            ("SwitchingAware BS3", stop with { Method = TestMethod.SwitchingAware, Algorithm = new BogackiShampine32() }),
            ("SwitchingAware Rodas4", stop with { Method = TestMethod.SwitchingAware, Algorithm = new Rodas4() }),
            ("Plain Rodas4", stop with { Method = TestMethod.Plain, Algorithm = new Rodas4() }),
            ("SwitchingAware RKC 1e-6", stop with { Method = TestMethod.SwitchingAware, Algorithm = new Rkc(), Rtol = 1e-6, Atol = 1e-11 }),
            ("RkcKrylov", stop with { Method = TestMethod.RkcKrylov, Rtol = 1e-6, Atol = 1e-6, KrylovTolerance = 1e-12 }),
            ("ExactPiecewise", stop with { Method = TestMethod.ExactPiecewise }),
            ("AuthorsEuler", stop with { Method = TestMethod.AuthorsEuler }),
        };
        var nfev = new Dictionary<string, long>();
        foreach (var (name, o) in runs)
        {
            var s = TestSolve.Run(eq, zero, o);
            Assert.Equal(HeatStatus.Converged, s.Status);
            Assert.True(HeatReference.MaxDiff(s.FinalState, GForward) <= 1e-9);
            nfev[name] = s.Statistics.Nfev;
            output.WriteLine($"{name,-22} t = {s.ConvergenceTime,10:f4}  nfev {s.Statistics.Nfev,6}  accepted {s.Statistics.Accepted,6}  rejected {s.Statistics.Rejected,3}  " +
                             $"njev {s.Statistics.Njev,4}  nlu {s.Statistics.Nlu,4}  eigendecompositions {s.Statistics.Eigendecompositions}  events {s.Events.Count}");
        }
        // The brief asked for ≤ 586 (1/20 of Euler's 11 719). An explicit method cannot reach it here: DP5 is stable only for
        // h·λ_max ≲ 3.3 with λ_max = 4.385 at the final pattern, and the slowest mode (λ = 0.184) needs t ≈ 114, so any DP5 run
        // takes ≥ 114·4.385/3.3 ≈ 152 steps ≈ 900 evaluations. Asserted instead: SwitchingAware DP5 beats Euler by 8×.
        Assert.True(nfev["SwitchingAware DP5"] * 8 <= 11719, $"SwitchingAware DP5 used {nfev["SwitchingAware DP5"]} evaluations");
        Assert.True(nfev["SwitchingAware DP5"] >= 6 * 114 * 4.385 / 3.4, "below the DP5 stability bound: the count is not what it seems");
        // A stabilized method escapes that bound: RkcKrylov (RKC steps, then the Krylov flow, whose M and M⁻¹ products each cost
        // about one force evaluation and are counted in nfev) needs under 1/20 of Euler's evaluations.
        Assert.True(nfev["RkcKrylov"] * 20 <= 11719, $"RkcKrylov used {nfev["RkcKrylov"]} evaluations");
    }

    // MLP [1, 1, 1] with W1 = 1, b1 = 0, W2 = 0, b2 = 0.5, x = 1, start (−1, −8, 2): sliding on z1 = 0 from ln 2 to ln 8
    // (the closed form of ExactPiecewiseIntegratorTests.SlidingIsDetectedHeldAndLeftAsInTheClosedForm).
    private static readonly NetworkSheaf Tiny = SheafConstructor.Build(
        new Mlp([new LinearLayer(1, 1, [1.0], [0.0], "fc1"), new LinearLayer(1, 1, [0.0], [0.5], "fc2")]));

    private static double[] SlidingClosedForm(double t)
    {
        double z2 = 0.5 + 1.5 * Math.Exp(-t);
        double t1 = Math.Log(2), t2 = Math.Log(8);
        if (t <= t1) return [1 - 2 * Math.Exp(-t), -8 * Math.Exp(-t), z2];
        if (t <= t2) return [0, -4 * Math.Exp(-(t - t1)), z2];
        double s = t - t2, mu = -1.5, nu = Math.Sqrt(1.25);
        double ch = Math.Cosh(nu * s), sh = Math.Sinh(nu * s) / nu, em = Math.Exp(mu * s);
        double e11 = em * (ch + sh * (-2 - mu)), e12 = em * sh, e22 = em * (ch + sh * (-1 - mu));
        return [1 - e11 - 2 * e12, 1 - e12 - 2 * e22, z2];
    }

    [Fact]
    public void SlidingIsDetectedHeldAndLeftBySwitchingAwareAndExactButPlainChatters()
    {
        var eq = new HeatEquation(Tiny.Problem([1.0]));
        double[] c0 = [-1.0, -8.0, 2.0];
        var results = new Dictionary<TestMethod, HeatSolution>();
        foreach (var method in new[] { TestMethod.SwitchingAware, TestMethod.ExactPiecewise })
        {
            foreach (double t in new[] { 0.5, 1.5, 3.0, 10.0 })
            {
                var s = TestSolve.Run(eq, c0, new TestOptions { Method = method, EndTime = t });
                Assert.Equal(HeatStatus.EndTimeReached, s.Status);
                double d = HeatReference.MaxDiff(s.FinalState, SlidingClosedForm(t));
                Assert.True(d <= 1e-8, $"{method} at t = {t}: {d:e2} from the closed form");
                if (t == 1.5) Assert.Equal(0.0, s.FinalState[0]); // held exactly on the surface
                results[method] = s;
            }
            var r = results[method];
            Assert.Equal([HeatEventKind.SlideEnter, HeatEventKind.SlideExit], r.Events.Select(e => e.Kind));
            Assert.Equal(UnitMode.Active, r.Events[1].NewMode);
            Assert.True(Math.Abs(r.Events[0].Time - Math.Log(2)) <= 1e-8, $"{method}: entry at {r.Events[0].Time:r}");
            Assert.True(Math.Abs(r.Events[1].Time - Math.Log(8)) <= 1e-8, $"{method}: exit at {r.Events[1].Time:r}");
            Assert.Equal(1, r.Statistics.SlidingEpisodes);
        }
        var sw = results[TestMethod.SwitchingAware];
        Assert.True(HeatReference.MaxDiff(sw.FinalState, results[TestMethod.ExactPiecewise].FinalState) <= 1e-8);
        var plain = TestSolve.Run(eq, c0, new TestOptions { Method = TestMethod.Plain, EndTime = 10, MaxSteps = 200_000 });
        output.WriteLine($"sliding case to t = 10: SwitchingAware DP5 nfev {sw.Statistics.Nfev} ({sw.Statistics.SurfaceEvaluations} surface evaluations), " +
                         $"events {string.Join(", ", sw.Events.Select(e => $"{e.Kind} @ {e.Time:r}"))}; Plain DP5 {plain.Status} nfev {plain.Statistics.Nfev}, " +
                         $"{plain.Events.Count} crossings reported, |plain − exact| = {HeatReference.MaxDiff(plain.FinalState, SlidingClosedForm(plain.FinalTime)):e2}");
        Assert.True(plain.Statistics.Nfev >= 5 * sw.Statistics.Nfev, $"plain {plain.Statistics.Nfev} vs switching-aware {sw.Statistics.Nfev}");
    }

    [Fact]
    public void CrossingsOfPlainAndSwitchingAwareAgreeOnTheLabBlock()
    {
        var net = TorchReference.PyTorchDefault(ArchitectureSpec.Residual([new BlockSpec(3, 3, 3, false)], ReluPlacement.After), 42);
        var p = SheafConstructor.Build(net, SkipConstruction.Junction).Problem(InputSampler.Normal(1, 3, 17)[0]);
        var eq = new HeatEquation(p);
        var c0 = HeatReference.Normal(eq.FreeDimension, 7); // five crossings, no sliding
        var plainRec = new HeatRecorder();
        var plain = TestSolve.Run(eq, c0, new TestOptions { Method = TestMethod.Plain, EndTime = 50 }, plainRec);
        var sw = TestSolve.Run(eq, c0, new TestOptions { Method = TestMethod.SwitchingAware, EndTime = 50 });
        Assert.Equal(HeatStatus.EndTimeReached, plain.Status);
        Assert.Equal(HeatStatus.EndTimeReached, sw.Status);
        Assert.Equal(plainRec.Events, plain.Events);
        Assert.Equal(5, sw.Events.Count);
        Assert.All(sw.Events, e => Assert.True(e.Kind is HeatEventKind.CrossUp or HeatEventKind.CrossDown));
        Assert.Equal(sw.Events.Select(e => (e.Coordinate, e.Kind)), plain.Events.Select(e => (e.Coordinate, e.Kind)));
        for (int i = 0; i < sw.Events.Count; i++)
        {
            double tp = plain.Events[i].Time;
            var sample = plainRec.Samples.Single(s => s.Time == tp);
            output.WriteLine($"{sw.Events[i].Kind} {sw.Events[i].Name}: switching-aware t = {sw.Events[i].Time:r}, plain step [{tp - sample.StepSize:r}, {tp:r}]");
            Assert.InRange(sw.Events[i].Time, tp - sample.StepSize - 1e-6, tp + 1e-6);
        }
    }

    [Fact]
    public void NonFiniteStatesEndTheRunWithAStatusAndTheLastFiniteState()
    {
        var p = G.Problem(GoldenNetwork.X);
        // α = 1e300: the first Euler step gives |c| ~ 1e298, the next one overflows.
        var huge = new HeatEquation(p, alpha: 1e300);
        var c0 = HeatReference.Normal(huge.FreeDimension, 3);
        var euler = TestSolve.Run(huge, c0, new TestOptions { Method = TestMethod.AuthorsEuler });
        Assert.Equal(HeatStatus.NonFiniteState, euler.Status);
        Assert.All(euler.FinalState, v => Assert.True(double.IsFinite(v)));
        Assert.Contains("NaN or infinity", euler.Message);
        output.WriteLine($"Euler, α = 1e300: {euler.Message}");
        var eq = new HeatEquation(p);
        var nan = (double[])c0.Clone();
        nan[2] = double.NaN;
        foreach (TestMethod m in Enum.GetValues<TestMethod>())
        {
            var s = TestSolve.Run(eq, nan, new TestOptions { Method = m });
            Assert.Equal(HeatStatus.NonFiniteState, s.Status);
        }
        // α = 1e300 and |c| ~ 1e10: the force is infinite at t = 0, so every force-based method stops at once.
        var big = c0.Select(v => 1e10 * v).ToArray();
        foreach (var m in new[] { TestMethod.Plain, TestMethod.SwitchingAware, TestMethod.AuthorsEuler })
        {
            var s = TestSolve.Run(huge, big, new TestOptions { Method = m });
            output.WriteLine($"{m}, α = 1e300 from 1e10·N(0,1): {s.Status}: {s.Message}");
            Assert.Equal(HeatStatus.NonFiniteState, s.Status);
            Assert.Equal(0.0, s.FinalTime);
            Assert.Equal(big, s.FinalState);
        }
    }

    [Theory]
    [InlineData(TestMethod.Plain)]
    [InlineData(TestMethod.SwitchingAware)]
    [InlineData(TestMethod.ExactPiecewise)]
    [InlineData(TestMethod.AuthorsEuler)]
    public void StepLimitCancellationAndObserverStopsAreStatuses(TestMethod method)
    {
        var p = G.Problem(GoldenNetwork.X);
        var eq = new HeatEquation(p);
        var c0 = HeatReference.Normal(eq.FreeDimension, 101);
        var o = new TestOptions { Method = method };
        if (method != TestMethod.ExactPiecewise)
        {
            var limited = TestSolve.Run(eq, c0, o with { MaxSteps = 5 });
            Assert.Equal(HeatStatus.StepLimit, limited.Status);
        }
        using var cts = new CancellationTokenSource();
        var cancelled = TestSolve.Run(eq, c0, o with { Cancellation = cts.Token }, new HeatRecorder(cancelAfter: cts));
        Assert.Equal(HeatStatus.Interrupted, cancelled.Status);
        var rec = new HeatRecorder();
        var stopped = TestSolve.Run(eq, c0, o with { ExtraRules = [new SampleCountStop(4)] }, rec);
        Assert.Equal(HeatStatus.StoppedByRule, stopped.Status);
        Assert.Equal(StopReason.Custom, stopped.Reason);
        Assert.Equal(4, rec.Samples.Count);
        Assert.Equal(rec.Samples[^1].Time, stopped.FinalTime);
        Assert.Equal(rec.Samples[^1].State, stopped.FinalState);
        Assert.Null(stopped.ConvergenceTime);
        var capped = TestSolve.Run(eq, c0, o with { MaxEvents = 0 });
        Assert.Equal(HeatStatus.EventLimit, capped.Status);
        var end = TestSolve.Run(eq, c0, o with { EndTime = 2 });
        Assert.Equal(HeatStatus.EndTimeReached, end.Status);
        Assert.Equal(2.0, end.FinalTime, 1e-9);
        output.WriteLine($"{method}: {capped.Message}; {end.Message}");
    }

    [Fact]
    public void StopForceAndPatternIdsAreConsistent()
    {
        var p = G.Problem(GoldenNetwork.X);
        var eq = new HeatEquation(p);
        var c0 = HeatReference.Normal(eq.FreeDimension, 101);
        var force = new double[eq.FreeDimension];
        var modes = new UnitMode[eq.SwitchingCount];
        foreach (TestMethod m in Enum.GetValues<TestMethod>())
        {
            var rec = new HeatRecorder();
            var s = TestSolve.Run(eq, c0, new TestOptions { Method = m, StopForce = 1e-6 }, rec);
            Assert.Equal(HeatStatus.Converged, s.Status);
            eq.Force(s.FinalState, force);
            Assert.True(HeatReference.MaxAbs(force) <= 1e-6 * (1 + 1e-9), $"{m}: |ċ| = {HeatReference.MaxAbs(force):e2}");
            Assert.Equal(rec.Samples[^1].Time, s.ConvergenceTime);
            // Pattern ids: bit k = unit k active. Off the surfaces the frozen modes equal the signs; at an event sample z_j = 0 exactly
            // and the frozen mode (e.g. Inactive after CrossDown) differs from the sign convention, so those samples are skipped.
            foreach (var (t, state, _, id) in rec.Samples.Where(x => eq.SwitchingFreeIndices.All(k => Math.Abs(x.State[k]) > 1e-9)))
            {
                eq.ModesFromState(state, modes);
                Assert.Equal(HeatPattern.Id(modes), id);
            }
            output.WriteLine($"{m} to |ċ| ≤ 1e−6: t = {s.ConvergenceTime:g6}, {s.Statistics}");
        }
    }

    [Fact]
    public void ValidateNamesTheOffendingParameter()
    {
        static void Bad(Action a, string param) => Assert.Equal(param, Assert.Throws<ArgumentException>(a).ParamName);
        var eq = new HeatEquation(G.Problem(GoldenNetwork.X));
        var ok = new HeatProblem(eq, new double[9]);
        ok.Validate();
        Bad(() => (ok with { EndTime = 0 }).Validate(), nameof(HeatProblem.EndTime));
        Bad(() => (ok with { EndTime = -3 }).Validate(), nameof(HeatProblem.EndTime));
        Bad(() => (ok with { EndTime = double.PositiveInfinity }).Validate(), nameof(HeatProblem.EndTime));
        Bad(() => (ok with { MaxSteps = 0 }).Validate(), nameof(HeatProblem.MaxSteps));
        Bad(() => (ok with { MaxEvents = -1 }).Validate(), nameof(HeatProblem.MaxEvents));
        Bad(() => (ok with { StopRules = [new DistanceStop(new double[8], 1e-9)] }).Validate(), nameof(DistanceStop.Target));
        Bad(() => _ = new DistanceStop(new double[9], -1), "tolerance");
        Bad(() => _ = new DistanceStop([double.NaN], 1), "target");
        Bad(() => _ = new ForceStop(-1), "tolerance");
        Bad(() => _ = new ChangeStop(double.NaN), "tolerance");
        Bad(() => _ = new PlateauStop(0, new double[9], 0), "window");
        Bad(() => _ = new HeatProblem(eq, new double[8]), "initial");
        var dp5 = new OdeFlow(new DormandPrince54());
        dp5.Validate();
        Bad(() => (dp5 with { Rtol = -1e-8 }).Validate(), nameof(OdeFlow.Rtol));
        Bad(() => (dp5 with { Rtol = double.NaN }).Validate(), nameof(OdeFlow.Rtol));
        Bad(() => (dp5 with { Atol = -1 }).Validate(), nameof(OdeFlow.Atol));
        Bad(() => new FixedStepEuler(0).Validate(), nameof(FixedStepEuler.Dt));
        Bad(() => new FixedStepEuler(-0.01).Validate(), nameof(FixedStepEuler.Dt));
        Bad(() => new FixedStepEuler { SampleEvery = 0 }.Validate(), nameof(FixedStepEuler.SampleEvery));
        Bad(() => new ExactPiecewiseFlow { SamplesPerDecade = 0 }.Validate(), nameof(ExactPiecewiseFlow.SamplesPerDecade));
        Bad(() => new KrylovPiecewiseFlow { Tolerance = 0 }.Validate(), nameof(KrylovPiecewiseFlow.Tolerance));
        Bad(() => HandoffFlow.RkcKrylov(1e-6, 1e-6, 1e-10, quietSteps: 0).Validate(), nameof(HandoffFlow.QuietSteps));
        Bad(() => new HandoffFlow(dp5 with { FrozenModes = false }, new KrylovPiecewiseFlow()).Validate(), nameof(HandoffFlow.First));
        // Solve checks both and refuses a rule the method cannot apply, saying why.
        Bad(() => HeatSolver.Solve(ok with { StopRules = [new DistanceStop(new double[3], 1)] }, dp5), nameof(DistanceStop.Target));
        var euler = ok with { StopRules = [new ChangeStop(1e-12)] };
        var refused = Assert.Throws<ArgumentException>(() => HeatSolver.Solve(euler, new ExactPiecewiseFlow()));
        Assert.Contains("fixed-step Euler", refused.Message);
        Assert.Equal(HeatStatus.Converged, HeatSolver.Solve(euler, new FixedStepEuler()).Status);
    }

    [Fact]
    public void ExactSamplesFollowTheLogGridAndTheEvents()
    {
        var p = G.Problem(GoldenNetwork.X);
        var eq = new HeatEquation(p);
        var c0 = HeatReference.Normal(eq.FreeDimension, 101);
        var rec = new HeatRecorder();
        var s = TestSolve.Run(eq, c0, new TestOptions { Method = TestMethod.ExactPiecewise, EndTime = 10, ExactSamplesPerDecade = 10 }, rec);
        Assert.Equal(HeatStatus.EndTimeReached, s.Status);
        var times = rec.Samples.Select(x => x.Time).ToArray();
        // 1e−3 … 10: 4 decades · 10 + the end, plus t = 0 and one sample per event.
        Assert.Equal(1 + 40 + 1 + s.Events.Count, times.Length);
        Assert.All(s.Events, e => Assert.Contains(e.Time, times));
        Assert.Equal(s.Events, rec.Events);
        for (int i = 1; i < times.Length; i++) Assert.Equal(times[i] - times[i - 1], rec.Samples[i].StepSize, 1e-15);
        Assert.Equal(s.Statistics.Eigendecompositions, s.Events.Count + 1);
    }

    [Fact]
    public void RunsAllocateNothingPerStep()
    {
        var eq = new HeatEquation(G.Problem(GoldenNetwork.X));
        var zero = new double[eq.FreeDimension];
        foreach (var o in new[]
        {
            new TestOptions { Method = TestMethod.SwitchingAware },
            new TestOptions { Method = TestMethod.Plain },
            new TestOptions { Method = TestMethod.AuthorsEuler, EulerTolerance = 1e-300 },
        })
        {
            // No switch after t = 0 from the zero cochain: a longer run only adds steps, so it must not add allocations.
            // Least of three runs: a JIT tier-up can allocate once on this thread at any time (about 1 KB, seen in CI).
            long Bytes(double end)
            {
                TestSolve.Run(eq, zero, o with { EndTime = end });
                long least = long.MaxValue;
                for (int k = 0; k < 3; k++)
                {
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    TestSolve.Run(eq, zero, o with { EndTime = end });
                    least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
                }

                return least;
            }
            long shortRun = Bytes(10), longRun = Bytes(40);
            output.WriteLine($"{o.Method} {o.Algorithm?.Name ?? ""}: {shortRun} B to t = 10, {longRun} B to t = 40");
            Assert.True(longRun - shortRun <= 256, $"{o.Method}: {longRun - shortRun} extra bytes for the longer run");
        }
        // Rodas4 is not covered: the MathNet managed LU it factorises with allocates per factorisation (measured, printed only).
        var rodas = new TestOptions { Method = TestMethod.SwitchingAware, Algorithm = new Rodas4() };
        TestSolve.Run(eq, zero, rodas with { EndTime = 10 });
        long b0 = GC.GetAllocatedBytesForCurrentThread();
        var r10 = TestSolve.Run(eq, zero, rodas with { EndTime = 10 });
        long b1 = GC.GetAllocatedBytesForCurrentThread();
        var r40 = TestSolve.Run(eq, zero, rodas with { EndTime = 40 });
        long b2 = GC.GetAllocatedBytesForCurrentThread();
        output.WriteLine($"Rodas4: {b1 - b0} B / {r10.Statistics.Nlu} LU to t = 10, {b2 - b1} B / {r40.Statistics.Nlu} LU to t = 40");
    }
}

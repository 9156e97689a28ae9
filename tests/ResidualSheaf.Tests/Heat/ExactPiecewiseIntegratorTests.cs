using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Engine.Spectra;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Tests.Sheaves;
using TorchSharp;
using Xunit.Abstractions;

namespace ResidualSheaf.Tests.Heat;

/// <summary>The exact piecewise integrator against forward passes, TorchSharp, fine RK4 references, the energy bound and a closed form.</summary>
public class ExactPiecewiseIntegratorTests(ITestOutputHelper output)
{
    private static readonly double[] CheckTimes = [5, 20];

    public static TheoryData<string, ReluPlacement> Networks() => new()
    {
        { "G", ReluPlacement.After },
        { "block", ReluPlacement.After },
        { "block", ReluPlacement.Before },
    };

    [Trait("Category", "Slow")] // measured: among the slowest tests of a full run (./test.sh --quick leaves it out)
    [Theory]
    [MemberData(nameof(Networks))]
    public void ConvergesToTheForwardPassAndAgreesWithFineRk4(string name, ReluPlacement placement)
    {
        INetwork net = name == "G"
            ? GoldenNetwork.Create()
            : TorchReference.PyTorchDefault(ArchitectureSpec.Residual([new BlockSpec(3, 3, 3, false)], placement), 42);
        var sheaf = SheafConstructor.Build(net, SkipConstruction.Junction);
        using var torch64 = TorchReference.Create(net, torch.ScalarType.Float64);
        var inputs = name == "G" ? [GoldenNetwork.X] : InputSampler.Normal(2, 3, 17);
        int run = 0;
        foreach (var x in inputs)
        {
            var p = sheaf.Problem(x);
            var eq = new HeatEquation(p);
            var exact = new ExactPiecewiseIntegrator(eq);
            double lambdaStar = MaskSpectrum.Compute(p).LambdaStar;
            if (name == "G") Assert.Equal(0.120377155135, lambdaStar, 1e-10);
            var forward = p.Restrict(DirichletSolver.Solve(p).Cochain);
            var torchOut = torch64.Forward(x);
            for (int seed = 0; seed < 3; seed++, run++)
            {
                var c0 = HeatReference.Normal(eq.FreeDimension, 100 * run + seed);
                // Sampled times for the energy checks, plus the two comparison times.
                var times = Enumerable.Range(0, 801).Select(i => 0.05 * i).ToArray();
                var res = exact.Run(c0, times);
                Assert.Equal(ExactStatus.Converged, res.Status);
                Assert.NotNull(res.Limit);
                double distForward = HeatReference.MaxDiff(res.Limit!, forward);
                var outLimit = sheaf.OutputOf(p.Embed(res.Limit!));
                double distTorch = HeatReference.MaxDiff(outLimit, torchOut);
                Assert.True(distForward <= 1e-9, $"limit vs forward pass {distForward:e2}");
                Assert.True(distTorch <= 1e-9, $"limit output vs TorchSharp {distTorch:e2}");

                // Energy: non-increasing at every sampled time and below E(0) e^{−2αλ_* t} (E from the pre-existing DirichletEnergy).
                double e0 = HeatReference.Energy(p, c0), prev = e0, worstRatio = 0;
                for (int i = 0; i < res.Times.Length; i++)
                {
                    double e = HeatReference.Energy(p, res.States[i]);
                    Assert.True(e <= prev * (1 + 1e-12) + 1e-300, $"E increased at t = {res.Times[i]}: {prev} → {e}");
                    double bound = e0 * Math.Exp(-2 * lambdaStar * res.Times[i]);
                    Assert.True(e <= bound * (1 + 1e-9) + 1e-28, $"E({res.Times[i]}) = {e} above the bound {bound}");
                    if (res.Times[i] > 0) worstRatio = Math.Max(worstRatio, e / bound);
                    prev = e;
                }

                // Event-located RK4 references (written in the test) with h and h/2: their difference certifies their accuracy.
                var refH = HeatReference.EventRk4(p, 1.0, c0, CheckTimes, 2e-3);
                var refH2 = HeatReference.EventRk4(p, 1.0, c0, CheckTimes, 1e-3);
                var atTimes = CheckTimes.Select(t => res.States[Array.IndexOf(res.Times, res.Times.First(s => Math.Abs(s - t) < 1e-12))]).ToArray();
                for (int k = 0; k < CheckTimes.Length; k++)
                {
                    double certified = HeatReference.MaxDiff(refH[k], refH2[k]);
                    double diff = HeatReference.MaxDiff(atTimes[k], refH2[k]);
                    output.WriteLine($"{name}/{placement} run {run}: t = {CheckTimes[k]}: |exact − RK4(h/2)| = {diff:e2}, |RK4(h) − RK4(h/2)| = {certified:e2}");
                    Assert.True(diff <= 2 * certified + 1e-11, $"t = {CheckTimes[k]}: exact vs RK4 {diff:e2}, reference certifies {certified:e2}");
                }
                output.WriteLine($"{name}/{placement} run {run}: segments {res.Segments}, eigendecompositions {res.Eigendecompositions}, events {res.Events.Count} " +
                                 $"({string.Join(", ", res.Events.Select(ev => $"{ev.Kind} {ev.Name} @ {ev.Time:g6}"))}); |limit − forward| = {distForward:e2}, " +
                                 $"|output − torch| = {distTorch:e2}, max E/bound (t > 0) = {worstRatio:g4}, cached patterns {exact.CachedPatterns}");
            }
        }
    }

    [Theory]
    [InlineData(SkipConstruction.Junction, ReluPlacement.After)]
    [InlineData(SkipConstruction.Junction, ReluPlacement.Before)]
    [InlineData(SkipConstruction.Chord, ReluPlacement.After)]
    [InlineData(SkipConstruction.Chord, ReluPlacement.Before)]
    public void EnergyNeverIncreasesOverTwoHundredRandomStarts(SkipConstruction construction, ReluPlacement placement)
    {
        var net = TorchReference.PyTorchDefault(ArchitectureSpec.Residual([new BlockSpec(3, 3, 3, false)], placement), 42);
        var sheaf = SheafConstructor.Build(net, construction);
        var p = sheaf.Problem(InputSampler.Normal(1, 3, 29)[0]);
        var exact = new ExactPiecewiseIntegrator(new HeatEquation(p));
        var times = Enumerable.Range(0, 201).Select(i => 0.15 * i).ToArray();
        int increases = 0, events = 0, slides = 0;
        double worst = 0;
        for (int seed = 0; seed < 200; seed++)
        {
            var res = exact.Run(HeatReference.Normal(p.FreeCoordinates.Count, 1000 + seed), times);
            Assert.Equal(ExactStatus.Converged, res.Status);
            events += res.Events.Count;
            slides += res.Events.Count(e => e.Kind == HeatEventKind.SlideEnter);
            double prev = HeatReference.Energy(p, res.States[0]);
            for (int i = 1; i < res.States.Length; i++)
            {
                double e = HeatReference.Energy(p, res.States[i]);
                if (e > prev * (1 + 1e-12)) increases++;
                worst = Math.Max(worst, (e - prev) / prev);
                prev = e;
            }
        }
        output.WriteLine($"{construction}/{placement}: 200 starts, {increases} energy increases (largest relative change {worst:e2}), {events} events, " +
                         $"{slides} sliding episodes, {exact.CachedPatterns} cached patterns");
        Assert.Equal(0, increases);
    }

    [Fact]
    public void ChordConvergesToItsLeastSquaresSolution()
    {
        var net = TorchReference.PyTorchDefault(ArchitectureSpec.Residual([new BlockSpec(3, 3, 3, false)], ReluPlacement.After), 42);
        var chord = SheafConstructor.Build(net, SkipConstruction.Chord);
        var junction = SheafConstructor.Build(net, SkipConstruction.Junction);
        int run = 0, smooth = 0, kink = 0;
        // Six random cases, plus one found to end in a sliding equilibrium (input 2 of Normal(3, 3, 23), start seed 501).
        var cases = InputSampler.Normal(6, 3, 23).Select((x, i) => (X: x, Seed: 500 + i)).Append((X: InputSampler.Normal(3, 3, 23)[1], Seed: 501));
        foreach (var (x, seed) in cases)
        {
            run++;
            var p = chord.Problem(x);
            var eq = new HeatEquation(p);
            var exact = new ExactPiecewiseIntegrator(eq);
            var res = exact.Run(HeatReference.Normal(eq.FreeDimension, seed), [1.0, 10.0]);
            Assert.Equal(ExactStatus.Converged, res.Status);
            var limit = res.Limit!;
            double fwdGap = HeatReference.MaxDiff(chord.OutputOf(p.Embed(limit)), junction.OutputOf(DirichletSolver.Solve(junction.Problem(x)).Cochain));
            double energy = HeatReference.Energy(p, limit);
            var slidingAtLimit = Enumerable.Range(0, eq.SwitchingCount).Where(u => res.FinalModes[u] == UnitMode.Sliding).ToArray();
            string events = string.Join(", ", res.Events.Select(ev => $"{ev.Kind} {ev.Name} @ {ev.Time:g6}"));
            if (slidingAtLimit.Length == 0)
            {
                // The least-squares solution with consistent masks: the solver's fixed-point iteration from all-active, or, when that
                // cycles, the iteration started from the masks of the flow's limit (must then be consistent).
                smooth++;
                var ls = DirichletSolver.Solve(p);
                bool fromLimitMasks = !ls.MasksConsistent;
                if (fromLimitMasks) ls = DirichletSolver.Solve(p, initialMasks: MaskPattern.From(p.Sheaf, p.Embed(limit)));
                Assert.True(ls.MasksConsistent);
                double dist = HeatReference.MaxDiff(limit, p.Restrict(ls.Cochain));
                output.WriteLine($"chord input {run}: |limit − LS| = {dist:e2}, residual energy {energy:g6} (LS {ls.Energy:g6}), output − forward pass = {fwdGap:g4}, " +
                                 $"LS masks {(fromLimitMasks ? "from the limit" : "from all-active")}, segments {res.Segments}, events: {events}");
                Assert.True(dist <= 1e-9, $"limit vs least squares {dist:e2}");
                Assert.Equal(ls.Energy, energy, 1e-12);
            }
            else
            {
                // The flow ends sliding: the limit sits on the kink z_S = 0 of E. It is the least-squares solution with z_S held at 0
                // (columns S removed; solved here with MathNet QR), and neither side's mask gives a consistent least-squares solution.
                kink++;
                var masks = MaskPattern.From(p.Sheaf, p.Embed(limit));
                var cols = Enumerable.Range(0, eq.FreeDimension).Where(k => !slidingAtLimit.Any(u => eq.SwitchingFreeIndices[u] == k)).ToArray();
                var d = MathNet.Numerics.LinearAlgebra.Double.DenseMatrix.OfMatrix(p.FreeCoboundary(masks));
                var dF = MathNet.Numerics.LinearAlgebra.Double.DenseMatrix.Create(d.RowCount, cols.Length, (i, k) => d[i, cols[k]]);
                var cF = dF.QR().Solve(MathNet.Numerics.LinearAlgebra.Double.DenseVector.OfArray(p.BoundaryTerm(masks)));
                double dist = 0;
                for (int k = 0; k < cols.Length; k++) dist = Math.Max(dist, Math.Abs(cF[k] - limit[cols[k]]));
                foreach (int u in slidingAtLimit)
                {
                    int j = eq.SwitchingCoordinates[u];
                    Assert.Equal(0.0, limit[p.FreeIndex(j)]);
                    foreach (double th in new[] { 0.0, 1.0 })
                    {
                        var m = masks.Clone();
                        m.Theta[j] = th;
                        var side = DirichletSolver.Solve(p, fixedMasks: m);
                        double zj = side.Cochain[j];
                        Assert.True(th == 1 ? zj < 0 : zj >= 0, $"θ = {th}: z = {zj} would be consistent");
                    }
                }
                output.WriteLine($"chord input {run}: limit on the surface {string.Join(", ", slidingAtLimit.Select(u => p.Sheaf.CoordinateName(eq.SwitchingCoordinates[u])))} " +
                                 $"(sliding equilibrium); |limit − constrained LS| = {dist:e2}, residual energy {energy:g6}, output − forward pass = {fwdGap:g4}, " +
                                 $"segments {res.Segments}, events: {events}");
                Assert.True(dist <= 1e-9, $"limit vs constrained least squares {dist:e2}");
            }
        }
        Assert.True(smooth > 0 && kink > 0, $"{smooth} smooth limits, {kink} sliding equilibria");
    }

    [Fact]
    public void SlidingIsDetectedHeldAndLeftAsInTheClosedForm()
    {
        // MLP [1, 1, 1]: u = W1 x + b1 = 1, W2 = 0, b2 = 0.5; start (z1, a1, z2) = (−1, −8, 2).
        // Inactive: z1 = 1 − 2e^{−t}, a1 = −8e^{−t}: z1 hits 0 at ln 2 with w = 1 > 0 > w + a1 = −3 → attracting sliding.
        // Sliding (z1 ≡ 0): a1 = −4e^{−(t − ln 2)} until w + a1 = 0 at ln 8 → leaves active (tangentially: ż1 = 0 there).
        // Active: e = (z1 − 1, a1 − 1), ė = [[−2, 1], [1, −1]] e, e(ln 8) = (−1, −2). z2 = 0.5 + 1.5e^{−t} throughout.
        var mlp = new Mlp([new LinearLayer(1, 1, [1.0], [0.0], "fc1"), new LinearLayer(1, 1, [0.0], [0.5], "fc2")]);
        var sheaf = SheafConstructor.Build(mlp);
        var p = sheaf.Problem([1.0]);
        var eq = new HeatEquation(p);
        var exact = new ExactPiecewiseIntegrator(eq);
        var times = new[] { 0.3, 0.6, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0, 10.0 };
        var res = exact.Run([-1.0, -8.0, 2.0], times);
        Assert.Equal(ExactStatus.Converged, res.Status);
        Assert.Equal(2, res.Events.Count);
        Assert.Equal(HeatEventKind.SlideEnter, res.Events[0].Kind);
        Assert.Equal("z1[0]", res.Events[0].Name);
        Assert.Equal(Math.Log(2), res.Events[0].Time, 1e-14);
        Assert.Equal(HeatEventKind.SlideExit, res.Events[1].Kind);
        Assert.Equal(UnitMode.Active, res.Events[1].NewMode);
        Assert.Equal(Math.Log(8), res.Events[1].Time, 1e-13);
        Assert.Equal(3, res.Segments);
        double worst = 0;
        for (int i = 0; i < times.Length; i++)
        {
            var expected = ClosedForm(times[i]);
            worst = Math.Max(worst, HeatReference.MaxDiff(res.States[i], expected));
            if (times[i] > Math.Log(2) && times[i] < Math.Log(8)) Assert.Equal(0.0, res.States[i][0]); // held exactly on the surface
        }
        output.WriteLine($"sliding: events {string.Join(", ", res.Events.Select(e => $"{e.Kind} {e.Name} @ {e.Time:r}"))}; max |exact − closed form| = {worst:e2}; " +
                         $"segments {res.Segments}, eigendecompositions {res.Eigendecompositions}");
        Assert.True(worst <= 1e-13, $"exact vs closed form {worst:e2}");
        Assert.Equal([1.0, 1.0, 0.5], res.Limit!.Select(v => Math.Round(v, 12)).ToArray());
        // In the active phase z1 stays positive (no further event in the closed form either).
        for (double t = Math.Log(8) + 1e-3; t < 40; t += 0.01) Assert.True(ClosedForm(t)[0] > 0);
    }

    private static double[] ClosedForm(double t)
    {
        double z2 = 0.5 + 1.5 * Math.Exp(-t);
        double t1 = Math.Log(2), t2 = Math.Log(8);
        if (t <= t1) return [1 - 2 * Math.Exp(-t), -8 * Math.Exp(-t), z2];
        if (t <= t2) return [0, -4 * Math.Exp(-(t - t1)), z2];
        // exp(A s) for symmetric 2×2 A = [[−2, 1], [1, −1]]: e^{μs}[cosh(νs) I + sinh(νs)/ν (A − μI)], μ = −3/2, ν = √5/2.
        double s = t - t2, mu = -1.5, nu = Math.Sqrt(1.25);
        double ch = Math.Cosh(nu * s), sh = Math.Sinh(nu * s) / nu, em = Math.Exp(mu * s);
        double e11 = em * (ch + sh * (-2 - mu)), e12 = em * sh, e22 = em * (ch + sh * (-1 - mu));
        double d1 = -1, d2 = -2;
        return [1 + e11 * d1 + e12 * d2, 1 + e12 * d1 + e22 * d2, z2];
    }

    [Fact]
    public void AlphaRescalesTime()
    {
        var p = SheafConstructor.Build(GoldenNetwork.Create()).Problem(GoldenNetwork.X);
        var c0 = HeatReference.Normal(p.FreeCoordinates.Count, 9);
        var slow = new ExactPiecewiseIntegrator(new HeatEquation(p, 0.5)).Run(c0, [2.0, 10.0, 30.0]);
        var fast = new ExactPiecewiseIntegrator(new HeatEquation(p, 1.0)).Run(c0, [1.0, 5.0, 15.0]);
        for (int i = 0; i < 3; i++) Assert.True(HeatReference.MaxDiff(slow.States[i], fast.States[i]) < 1e-12);
        Assert.Equal(fast.Events.Count, slow.Events.Count);
        for (int i = 0; i < fast.Events.Count; i++) Assert.Equal(2 * fast.Events[i].Time, slow.Events[i].Time, 1e-10);
    }

    [Fact]
    public void EndTimeStopsWithTheExactStateAndTheCacheIsReused()
    {
        var p = SheafConstructor.Build(GoldenNetwork.Create()).Problem(GoldenNetwork.X);
        var exact = new ExactPiecewiseIntegrator(new HeatEquation(p));
        var c0 = HeatReference.Normal(p.FreeCoordinates.Count, 10);
        var full = exact.Run(c0, [0.5, 3.0]);
        var cut = exact.Run(c0, [0.5, 3.0], endTime: 3.0);
        Assert.Equal(0, cut.Eigendecompositions); // every pattern was cached by the first run
        Assert.Equal(3.0, cut.FinalTime);
        Assert.True(HeatReference.MaxDiff(cut.FinalState, full.States[1]) < 1e-14);
        Assert.Equal(2, cut.States.Length);
        // Converged only when no switch follows t = 3 (then the limit is known exactly), ReachedEnd otherwise.
        bool later = full.Events.Any(e => e.Time > 3.0);
        Assert.Equal(later ? ExactStatus.ReachedEnd : ExactStatus.Converged, cut.Status);
        var early = exact.Run(c0, [0.0], endTime: 0.0);
        Assert.Equal(full.Events.Count > 0 ? ExactStatus.ReachedEnd : ExactStatus.Converged, early.Status);
        Assert.Equal(c0, early.FinalState);
    }
}

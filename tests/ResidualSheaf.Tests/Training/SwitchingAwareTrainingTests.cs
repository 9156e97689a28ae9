using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.Integration;
using ResidualSheaf.Engine.Training;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Graph;
using Xunit.Abstractions;

namespace ResidualSheaf.Tests.Training;

/// <summary>
/// Switching-aware integration of the joint training flow: the frozen-mode right-hand side and the surface forces against the
/// plain right-hand side (masks from the state's signs), and the integrated trajectory against two independent solutions of the
/// same Filippov system: plain DP5 at rtol 1e−12 (masks recomputed in every call, kinks and all) and the reference Euler scheme,
/// which must converge to it at first order.
/// </summary>
public class SwitchingAwareTrainingTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(TrainingNetworks.Cases), MemberType = typeof(TrainingNetworks))]
    public void FrozenModesOfTheStateGiveThePlainRightHandSide(string kind, OutputHead head, SkipConstruction construction)
    {
        var (flow, state) = TrainingNetworks.Problem(kind, head, construction);
        Assert.True(flow.SupportsFrozenModes);
        var modes = new UnitMode[flow.Units];
        flow.ModesFromState(state, modes);
        var plain = new double[flow.StateLength];
        var frozen = new double[flow.StateLength];
        flow.Derivative(state, plain);
        flow.Derivative(state.AsSpan(), frozen.AsSpan(), modes);
        Assert.Equal(plain, frozen);

        // Frozen modes are not the state's: flip every unit and the z-components move by the ReLU edge's term.
        var flipped = modes.Select(m => m == UnitMode.Active ? UnitMode.Inactive : UnitMode.Active).ToArray();
        flow.Derivative(state.AsSpan(), frozen.AsSpan(), flipped);
        Assert.Contains(Enumerable.Range(0, flow.Units), k => plain[flow.SwitchIndex(k)] != frozen[flow.SwitchIndex(k)]);
    }

    [Theory]
    [MemberData(nameof(TrainingNetworks.Cases), MemberType = typeof(TrainingNetworks))]
    public void SurfaceForcesAreTheTwoSidesOfThePlainFlow(string kind, OutputHead head, SkipConstruction construction)
    {
        // On z_j = 0 the plain flow reads θ_j = 1 (z ≥ 0 is active), so its z_j-component is the active force exactly; just below
        // the surface it reads θ_j = 0, and the component is the inactive force to O(ε). One sample, two units on the surface, one
        // of them sliding: the batched evaluation must give what the plain flow gives for each.
        const double eps = 1e-9;
        var (flow, state) = TrainingNetworks.Problem(kind, head, construction);
        int s = 3, per = flow.UnitsPerSample;
        int u1 = s * per, u2 = s * per + per - 1;
        state[flow.SwitchIndex(u1)] = 0;
        state[flow.SwitchIndex(u2)] = 0;
        var modes = new UnitMode[flow.Units];
        flow.ModesFromState(state, modes);
        modes[u1] = UnitMode.Sliding;
        modes[u2] = UnitMode.Inactive;
        var f0 = new double[per];
        var f1 = new double[per];
        flow.SurfaceForces(state, modes, s, u2, f0, f1);

        var d = new double[flow.StateLength];
        foreach (int unit in new[] { u1, u2 })
        {
            int j = flow.SwitchIndex(unit), u = unit - s * per;
            flow.Derivative(state, d);
            Assert.Equal(d[j], f1[u], 1e-14);
            state[j] = -eps;
            flow.Derivative(state, d);
            state[j] = 0;
            Assert.True(Math.Abs(d[j] - f0[u]) < 10 * eps, $"unit {unit}: inactive force {f0[u]} vs the plain flow below the surface {d[j]}");
            Assert.True(Math.Abs(f1[u] - f0[u]) > 1e-3, "the two sides coincide: the test would not see a swapped mask");
        }
    }

    [Theory]
    [InlineData("mlp", OutputHead.Identity, SkipConstruction.Junction, 0.4, false)]
    [InlineData("resnet", OutputHead.Sigmoid, SkipConstruction.Junction, 0.4, false)]
    [InlineData("resnet", OutputHead.Softmax, SkipConstruction.Chord, 0.4, false)]
    [InlineData("mlp", OutputHead.Identity, SkipConstruction.Junction, 4.0, true)]
    public void TrajectoryIsTheLimitOfEulerAndAgreesWithPlainDp5(string kind, OutputHead head, SkipConstruction construction, double tEnd, bool slides)
    {
        var (flow, state0) = TrainingNetworks.Problem(kind, head, construction, alpha: 1.0, beta: 0.5);
        // Plain DP5 chatters where a unit slides (every step across z_j = 0 has a kink): at rtol 1e−12 it runs out of its million
        // steps, so the sliding case takes it at 1e−8 and a looser bound.
        double plainTol = slides ? 1e-8 : 1e-12, bound = slides ? 1e-5 : 1e-8;
        var plain = Ode.Solve(new OdeProblem((_, y, dy) => flow.Derivative(y, dy), state0, 0, tEnd), new DormandPrince54(),
            new OdeOptions { Rtol = plainTol, Atol = plainTol });
        Assert.Equal(OdeStatus.Success, plain.Status);

        var aware = (double[])state0.Clone();
        var result = new SwitchingAwareTraining(flow, new DormandPrince54(), new OdeOptions { Rtol = 1e-11, Atol = 1e-11 }).Integrate(aware, 0, tEnd);
        Assert.Equal(OdeStatus.Success, result.Status);
        double vsPlain = aware.Zip(plain.FinalState, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"{kind}/{head}/{construction}: switching-aware {result.Statistics.Nfev} f, {result.Statistics.Accepted}/{result.Statistics.Rejected} steps, " +
            $"{result.Switches} switches, {result.SlidingEpisodes} sliding; plain dp5 {plain.Statistics.Nfev} f, {plain.Statistics.Accepted}/{plain.Statistics.Rejected}; max difference {vsPlain:e2}");
        Assert.True(result.Switches > 0, "no switch: the test does not exercise the events");
        // Over t ∈ [0, 4] units of this batch slide (the field points into z_j = 0 from both sides): Filippov's solution there.
        if (slides) Assert.True(result.SlidingEpisodes > 0, "no sliding: the test does not exercise the sliding mode");
        Assert.True(vsPlain < bound, $"switching-aware vs plain dp5: {vsPlain:e3}");

        var errors = new List<double>();
        foreach (int n0 in new[] { 50, 100, 200, 400 })
        {
            int n = (int)Math.Round(n0 * tEnd / 0.4);
            var s = (double[])state0.Clone();
            var euler = new EulerTraining(flow, tEnd / n);
            for (int k = 0; k < n; k++) euler.Step(s);
            errors.Add(s.Zip(aware, (a, b) => Math.Abs(a - b)).Max());
        }
        output.WriteLine($"  Euler errors at dt = {0.4 / 50}, /2, /4, /8: {string.Join(", ", errors.Select(e => e.ToString("e3")))}");
        // First order over the three halvings (a single ratio wanders when a switch falls near a grid point of one dt).
        Assert.InRange(Math.Log2(errors[0] / errors[^1]) / 3, 0.85, 1.15);
    }

    [Theory]
    [InlineData("tsit5")]
    [InlineData("bs3")]
    [InlineData("dop853")]
    [InlineData("rkc")]
    public void EveryAdmittedMethodReachesThePlainSolution(string method)
    {
        const double tEnd = 0.4;
        var (flow, state0) = TrainingNetworks.Problem("resnet", OutputHead.Identity, SkipConstruction.Junction, alpha: 1.0, beta: 0.5);
        var plain = Ode.Solve(new OdeProblem((_, y, dy) => flow.Derivative(y, dy), state0, 0, tEnd), new DormandPrince54(),
            new OdeOptions { Rtol = 1e-12, Atol = 1e-12 });
        var aware = (double[])state0.Clone();
        var result = new SwitchingAwareTraining(flow, OdeAlgorithms.Create(method), new OdeOptions { Rtol = 1e-9, Atol = 1e-9 }).Integrate(aware, 0, tEnd);
        Assert.Equal(OdeStatus.Success, result.Status);
        Assert.True(result.Switches > 0);
        double worst = aware.Zip(plain.FinalState, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"{method}: {result.Statistics.Nfev} f, {result.Switches} switches; max difference from plain dp5 at 1e−12: {worst:e2}");
        Assert.True(worst < 1e-6, $"{method}: {worst:e3}");
    }

    [Fact]
    public void MethodsWithoutDenseOutputOrWithAJacobianAreRefused()
    {
        var (flow, _) = TrainingNetworks.Problem("mlp", OutputHead.Identity);
        var ex = Assert.Throws<ArgumentException>(() => new SwitchingAwareTraining(flow, new Rodas4(), new OdeOptions()));
        Assert.Equal("integrator", ex.ParamName);
    }
}

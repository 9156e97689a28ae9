using System.Numerics;
using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Runner.Hunt;
using ResidualSheaf.Tests.Runner;
using Xunit.Abstractions;

namespace ResidualSheaf.Tests.Heat;

/// <summary>
/// The energy monitor's rounding bound (<see cref="HeatEquation.EnergyRoundingBound"/>) against E evaluated exactly, in rational
/// arithmetic written here from the definition E = ½Σ_e‖F_head c_head − F_tail c_tail − β_e‖², on the states of formerly `real`
/// hunt-stacks cases (deep junction stacks with large weights, where the old floor let rounding count as an increase).
/// </summary>
public sealed class EnergyRoundingBoundTests(ITestOutputHelper output)
{
    /// <summary>
    /// Formerly `real` cases (configs/hunt-stacks.json / hunt-wide.json, master seed 7) whose exact re-runs still rise: 291 inside
    /// one pattern piece at E ≈ 1e−24·E(0). (149, a rise across an unreported mask change, and 206, a rise while sliding, were
    /// missed switches of the exact switch search; see <see cref="RisesAtMissedSwitchesAreGone"/>. Wide 1813, 24 rises of 2e−12 at
    /// switches, was a unit switched up and down at τ = 0 from a closed form that rebuilt its z(0) = 0 as −3.4e−11; its exact
    /// re-run no longer rises: FormerlyRealVerdictTests.)
    /// </summary>
    public static TheoryData<string, long, EnergyIncreaseCause> FormerlyReal => new()
    {
        { "hunt-stacks", 291, EnergyIncreaseCause.IntegrationError },
    };

    /// <summary>
    /// hunt-stacks 149 and 206 rose under the exact integrator because its switch search excluded cells with a concave hump
    /// across 0 (ExponentialSum.CurvatureBound used the convex part of h''): a unit kept its mode after its z had crossed. With
    /// the search fixed their exact re-runs show no rise at all, and with the old cell exclusion they did (the tests before the fix).
    /// </summary>
    [Theory]
    [Trait("Category", "Slow")]
    [InlineData(149L)]
    [InlineData(206L)]
    public void RisesAtMissedSwitchesAreGone(long id)
    {
        var cfg = HuntConfig.Load(Path.Combine(HeatRunTests.ConfigsFolder, "hunt-stacks.json")) with { VerifyCertified = "recheck" };
        var row = CaseRunner.Run(cfg, id, CancellationToken.None);
        output.WriteLine($"hunt-stacks {id}: {row.Verdict}, exact {row.ExactStatus}, increases {row.ExactIncreases}, own errors {row.ExactIntegrationErrors}");
        Assert.Equal(0, row.ExactIncreases);
        Assert.Equal(0, row.ExactIntegrationErrors);
        Assert.NotEqual("real", row.Verdict);
    }

    /// <summary>
    /// On every sample of the exact re-run the computed E is within the bound of the exactly evaluated E of the same state; the
    /// increases the old monitor counted are far above the bound and are rises of the exact E of the computed states: they are
    /// not the rounding of E's evaluation (the bound rightly keeps them), but errors of the computed trajectory.
    /// </summary>
    [Theory]
    [Trait("Category", "Slow")]
    [MemberData(nameof(FormerlyReal))]
    public void TheBoundHoldsOnFormerlyRealCasesAndTheirIncreasesAreNotEvaluationRounding(string config, long id, EnergyIncreaseCause cause)
    {
        var cfg = HuntConfig.Load(Path.Combine(HeatRunTests.ConfigsFolder, config + ".json"));
        var s = CaseRunner.Prepare(cfg, HuntCase.Sample(cfg, id));
        var (problem, _) = CaseRunner.Formulate(cfg, s, tightened: false);
        var recorder = new Recorder();
        var exactProblem = problem with
        {
            EndTime = CaseRunner.ExactHorizon,
            MaxEvents = cfg.VerifyMaxEvents,
            StopRules = [.. problem.StopRules.Where(r => r is not ChangeStop)],
        };
        var sol = HeatSolver.Solve(exactProblem, new ExactPiecewiseFlow(), recorder);

        // The same samples through the old monitor (heuristic floor only) and the new one (with the equation's bound).
        var sheaf = s.Equation.Sheaf;
        double affine = EnergyMonitor.AffineScale(sheaf);
        var old = new EnergyMonitor();
        var bounded = new EnergyMonitor(equation: s.Equation);
        foreach (var (t, e, x) in recorder.Samples)
        {
            old.Add(t, e, x, sheaf.EdgeDimension, affine);
            bounded.Add(t, e, x, sheaf.EdgeDimension, affine);
        }
        var formerly = old.Classify(sol.Events);
        var now = bounded.Classify(sol.Events);
        Assert.NotEmpty(formerly);
        Assert.Equal(formerly, now);
        Assert.Contains(formerly, f => f.Cause == cause);

        var eq = s.Equation.Clone();
        double worstRatio = 0;
        foreach (var (_, e, x) in recorder.Samples)
        {
            double b = eq.EnergyRoundingBound(x);
            double err = Math.Abs(ExactEnergyError(s.Problem, x, e));
            Assert.True(err <= b, $"|Ê − E| = {err:E3} exceeds the bound {b:E3}");
            worstRatio = Math.Max(worstRatio, err / b);
        }
        double e00 = recorder.Samples[0].E;
        foreach (var inc in formerly)
        {
            int k = recorder.Samples.FindIndex(q => q.T == inc.T1);
            var (_, e0, x0) = recorder.Samples[k - 1];
            var (_, e1, x1) = recorder.Samples[k];
            double rise = e1 - e0, b0 = eq.EnergyRoundingBound(x0), b1 = eq.EnergyRoundingBound(x1);
            double exactRise = rise - ExactEnergyError(s.Problem, x1, e1) + ExactEnergyError(s.Problem, x0, e0);
            output.WriteLine($"{config} {id}: {inc.Cause} at t = {inc.T1:G6}: E₀ = {e0:E3} ({e0 / e00:E2} of E(0)), rise {rise:E3} " +
                             $"({rise / e0:E2} relative), B₀ + B₁ = {b0 + b1:E3}, exact rise of the computed states {exactRise:E3}, mask changes {MaskFlips(s.Problem, x0, x1)}");
            Assert.True(rise > b0 + b1);
            Assert.True(exactRise > 0.5 * rise);
        }
        output.WriteLine($"{config} {id}: {recorder.Samples.Count} samples, largest |Ê − E| / bound {worstRatio:E2}");
    }

    /// <summary>The hunt's verdict on 291: a rise inside one piece of the exact run is set aside, not counted as `real`.</summary>
    [Fact]
    [Trait("Category", "Slow")]
    public void ExactRunRisesInsideOnePieceAreNotCountedAsReal()
    {
        var cfg = HuntConfig.Load(Path.Combine(HeatRunTests.ConfigsFolder, "hunt-stacks.json")) with { VerifyCertified = "recheck" };
        var row = CaseRunner.Run(cfg, 291, CancellationToken.None);
        Assert.Equal("unverified-non-convergence", row.Verdict);
        Assert.Equal(0, row.ExactIncreases);
        Assert.True(row.ExactIntegrationErrors >= 1);
    }

    [Fact]
    public void ARiseCountsExactlyWhenAboveTheLargerOfTheHeuristicAndTheBound()
    {
        // Formerly-real case 291 at its limit (the forward pass, E at rounding level). The monitor's floor for a rise between two
        // evaluations at this state is max(heuristic, B + B); here the heuristic is the larger (2.1e−23 against 2B = 6.3e−24).
        var (eq, x0) = SmallProblem(0);
        double e0 = eq.Energy(x0), b0 = eq.EnergyRoundingBound(x0);
        int edge = eq.Sheaf.EdgeDimension;
        double heuristic = EnergyMonitor.RoundingFloor(edge, x0.Max(Math.Abs), e0);
        Assert.True(double.IsFinite(b0) && b0 > 0);
        // Rises of r on the same state: counted exactly when r > max(heuristic at the new E, B + B), on a grid around the floor.
        int counted = 0, quiet = 0;
        for (double r = 1e-3 * Math.Max(heuristic, 2 * b0); r < 1e3 * Math.Max(heuristic, 2 * b0); r *= 1.07)
        {
            var m = new EnergyMonitor(relativeThreshold: 0, equation: eq);
            m.Add(0, e0, x0, edge, 0);
            m.Add(1, e0 + r, x0, edge, 0);
            bool expected = r > Math.Max(EnergyMonitor.RoundingFloor(edge, x0.Max(Math.Abs), e0 + r), 2 * b0);
            Assert.Equal(expected ? 1 : 0, m.Classify([]).Count);
            if (expected) counted++;
            else quiet++;
        }
        Assert.True(counted > 0 && quiet > 0);
        // A true rise of the state (moved away from the limit): counted.
        var x1 = x0.Select((v, i) => v + 1e-6 * Math.Cos(i)).ToArray();
        double e1 = eq.Energy(x1);
        Assert.True(e1 > e0 + b0 + eq.EnergyRoundingBound(x1));
        var moved = new EnergyMonitor(relativeThreshold: 0, equation: eq);
        moved.Add(0, e0, x0, edge, 0);
        moved.Add(1, e1, x1, edge, 0);
        Assert.Single(moved.Classify([]));
    }

    [Fact]
    public void TheBoundCoversTheComputedEnergyOnRandomStates()
    {
        var (eq, x0) = SmallProblem(1e-3);
        var rng = new Random(3);
        for (int trial = 0; trial < 200; trial++)
        {
            var x = x0.Select(v => v + Math.Pow(10, rng.Next(-12, 2)) * (rng.NextDouble() - 0.5)).ToArray();
            double e = eq.Energy(x), b = eq.EnergyRoundingBound(x);
            double err = Math.Abs(ExactEnergyError(eq.Problem, x, e));
            Assert.True(err <= b, $"trial {trial}: |Ê − E| = {err:E3} > bound {b:E3}");
            // Not vacuous: within a few orders of magnitude of the typical error ε·‖r‖·‖|δ||c|‖.
            Assert.True(b < 1e-10 * (1 + e), $"trial {trial}: bound {b:E3} at E = {e:E3}");
        }
    }

    private static (HeatEquation Equation, double[] State) SmallProblem(double move)
    {
        var cfg = HuntConfig.Load(Path.Combine(HeatRunTests.ConfigsFolder, "hunt-stacks.json")) with { VerifyCertified = "recheck" };
        var s = CaseRunner.Prepare(cfg, HuntCase.Sample(cfg, 291));
        // The static solve (the limit), moved by `move`.
        return (s.Equation, s.Target.Select((v, i) => v + move * Math.Sin(i)).ToArray());
    }

    /// <summary>Ê − E(x) exactly (E in rational arithmetic from the sheaf's restriction maps, masks from the state), as a double.</summary>
    private static double ExactEnergyError(DirichletProblem problem, double[] free, double computed)
    {
        var sheaf = problem.Sheaf;
        var c = problem.PinnedCochain();
        for (int i = 0; i < free.Length; i++) c[problem.FreeCoordinates[i]] = free[i];
        var masks = MaskPattern.From(sheaf, c);
        // Every double is an integer multiple of 2^−1074: scaled by 2^S (S ≥ 1074) it is an exact integer.
        const int S = 1100;
        BigInteger sum = BigInteger.Zero;
        foreach (var e in sheaf.Edges)
        {
            var r = new BigInteger[e.Dimension];
            for (int i = 0; i < r.Length; i++) r[i] = -(Scaled(e.Affine?[i] ?? 0, S) << S);
            foreach (var (map, vertex, sign) in new[] { (e.HeadMap, sheaf.Vertices[e.Head], 1), (e.TailMap, sheaf.Vertices[e.Tail], -1) })
                foreach (var (row, col, v) in map.Entries(masks))
                    r[row] += sign * Scaled(v, S) * Scaled(c[vertex.Offset + col], S);
            foreach (var ri in r) sum += ri * ri;
        }
        // E = sum / 2^(4S + 1); Ê·2^(4S + 1) is exact.
        var diff = (Scaled(computed, S) << (3 * S + 1)) - sum;
        return ToDouble(diff, 4 * S + 1);
    }

    private static int MaskFlips(DirichletProblem problem, double[] x0, double[] x1)
    {
        var c0 = problem.PinnedCochain();
        var c1 = problem.PinnedCochain();
        for (int i = 0; i < x0.Length; i++) (c0[problem.FreeCoordinates[i]], c1[problem.FreeCoordinates[i]]) = (x0[i], x1[i]);
        var m0 = MaskPattern.From(problem.Sheaf, c0).Theta.ToArray();
        var m1 = MaskPattern.From(problem.Sheaf, c1).Theta.ToArray();
        return problem.Sheaf.MaskCoordinates.Count(j => m0[j] != m1[j]);
    }

    private static BigInteger Scaled(double x, int s)
    {
        if (x == 0) return BigInteger.Zero;
        long bits = BitConverter.DoubleToInt64Bits(x);
        int exp = (int)((bits >> 52) & 0x7FF);
        long mant = bits & 0xFFFFFFFFFFFFFL;
        if (exp == 0) exp = 1; else mant |= 1L << 52;
        var m = new BigInteger(mant) << (exp - 1075 + s);
        return x < 0 ? -m : m;
    }

    private static double ToDouble(BigInteger v, int shift)
    {
        if (v.IsZero) return 0;
        int sign = v.Sign;
        var a = BigInteger.Abs(v);
        long bitLength = (long)a.GetBitLength();
        int drop = (int)Math.Max(0, bitLength - 62);
        return sign * Math.ScaleB((double)(long)(a >> drop), drop - shift);
    }

    private sealed class Recorder : IHeatObserver
    {
        public List<(double T, double E, double[] X)> Samples { get; } = [];

        public void OnSample(in HeatSample sample) => Samples.Add((sample.Time, sample.Energy, sample.State.ToArray()));

        public void OnEvent(HeatEvent e) { }
    }
}

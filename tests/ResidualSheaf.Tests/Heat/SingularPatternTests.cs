using ResidualSheaf.Engine;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Runner.Hunt;
using ResidualSheaf.Tests.Runner;
using Xunit.Abstractions;

namespace ResidualSheaf.Tests.Heat;

/// <summary>
/// The exact flow on a pattern whose α L(σ)[F,F] is singular to machine precision (hunt-stacks case 59: an 8-block chord stack
/// with large weights, where the rounded λ_min came out at −4.3e−14 and the exact re-run threw).
/// </summary>
public class SingularPatternTests(ITestOutputHelper output)
{
    [Fact]
    public void RoundedZeroEigenvaluesBecomeNullModesAndNegativeOnesAreRefused()
    {
        double[] lambda = [-4.3e-14, 2e-15, 3.0, 1e3];
        Assert.Equal(2, ExactPiecewiseIntegrator.NullModes(lambda, 64 * 2.220446049250313e-16 * 1e3, [UnitMode.Active]));
        Assert.Equal([0.0, 0.0, 3.0, 1e3], lambda);
        double[] bad = [-1e-6, 1.0];
        Assert.Throws<InvalidOperationException>(() => ExactPiecewiseIntegrator.NullModes(bad, 64 * 2.220446049250313e-16, [UnitMode.Active]));
    }

    [Fact]
    public void HuntStacksCase59CrossesItsSingularPatternAsATightenedRunDoes()
    {
        var cfg = HuntConfig.Load(Path.Combine(HeatRunTests.ConfigsFolder, "hunt-stacks.json"));
        var s = CaseRunner.Prepare(cfg, HuntCase.Sample(cfg, 59));
        // Threw "α L(σ)[F,F] has a non-positive eigenvalue −4.3e−14" before null modes were handled.
        var exact = new ExactPiecewiseIntegrator(s.Equation).Run(s.Initial, null, Later, cfg.VerifyMaxEvents);
        var trajectory = exact.Trajectory!;
        int first = Enumerable.Range(0, trajectory.PieceCount).First(k => trajectory.PieceNullModes(k) > 0);
        double t0 = trajectory.PieceStart(first);
        double t1 = first + 1 < trajectory.PieceCount ? trajectory.PieceStart(first + 1) : 2 * t0 + 1;
        output.WriteLine($"case 59: n = {s.Equation.FreeDimension}, {exact.Events.Count} events to t = {Later}; piece {first} " +
            $"({trajectory.PieceNullModes(first)} null modes) on [{t0:g6}, {t1:g6}]");
        foreach (double t in new[] { t0 + 0.5 * (t1 - t0), Later })
            Compare(cfg, s, trajectory, t);
    }

    // After the flow has left the singular pattern (and switched a few more times).
    private const double Later = 1.0;

    private void Compare(HuntConfig cfg, CaseSetup s, ExactTrajectory trajectory, double t)
    {

        // A second method: switching-aware Rodas4 at the verification tolerances from the same start, to a time on that piece.
        var (problem, algorithm) = CaseRunner.Formulate(cfg, s, tightened: true);
        var tight = HeatSolver.Solve(problem with { EndTime = t, StopRules = [], MaxSteps = 1_000_000 }, algorithm, null, CancellationToken.None);
        Assert.Equal(HeatStatus.EndTimeReached, tight.Status);
        var at = new double[s.Equation.FreeDimension];
        trajectory.StateAt(t, at);
        double gap = Numerics.MaxAbsDifference(at, tight.FinalState) / (1 + Numerics.MaxAbs(at));
        output.WriteLine($"at t = {t:g6}: relative gap exact vs tightened {gap:g3}; energy {s.Equation.Energy(at):g6} vs {s.Equation.Energy(tight.FinalState):g6}");
        Assert.True(gap < 1e-6, $"exact and tightened states differ by {gap:g3} (relative) at t = {t:g6}");
    }
}

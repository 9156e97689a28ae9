using ResidualSheaf.Engine.Integration;
using Xunit.Abstractions;

namespace ResidualSheaf.Tests.Integration;

/// <summary>Van der Pol (μ = 1000) and Robertson with the Rosenbrock method.</summary>
public class StiffTests(ITestOutputHelper output)
{
    private static OdeProblem VdP(double tEnd, bool withJacobian) =>
        new(TestProblems.VanDerPol(1000), [2.0, 0.0], 0, tEnd)
        {
            IsAutonomous = true,
            Jacobian = withJacobian ? TestProblems.VanDerPolJacobian(1000) : null,
        };

    [Fact]
    public void VanDerPolStiffMethodTakesFarFewerStepsThanDp5()
    {
        var options = new OdeOptions { Rtol = 1e-6, Atol = 1e-6, SaveEveryStep = false };
        OdeSolution stiff = Ode.Solve(VdP(3000, withJacobian: true), new Rodas4(), options);
        Assert.Equal(OdeStatus.Success, stiff.Status);
        OdeSolution stiffFd = Ode.Solve(VdP(3000, withJacobian: false), new Rodas4(), options);
        Assert.Equal(OdeStatus.Success, stiffFd.Status);

        // DP5 over a tenth of the span (stability-limited to h ≈ 3.3/|λ| on the slow manifold).
        OdeSolution dp5 = Ode.Solve(VdP(300, withJacobian: false), new DormandPrince54(), options);
        Assert.Equal(OdeStatus.Success, dp5.Status);
        output.WriteLine($"vdP mu=1000 tol 1e-6: Rodas4 [0,3000] analytic J: {stiff.Statistics}");
        output.WriteLine($"vdP mu=1000 tol 1e-6: Rodas4 [0,3000] FD J:       {stiffFd.Statistics}");
        output.WriteLine($"vdP mu=1000 tol 1e-6: DP5    [0,300]:             {dp5.Statistics}");

        OdeSolution stiff300 = Ode.Solve(VdP(300, withJacobian: true), new Rodas4(), options with { Rtol = 1e-8, Atol = 1e-8 });
        Assert.True(Math.Abs(stiff300.FinalState[0] - dp5.FinalState[0]) < 1e-4, $"{stiff300.FinalState[0]} vs {dp5.FinalState[0]}");
        Assert.True(stiff.Statistics.Accepted * 20 < dp5.Statistics.Accepted, "the stiff method must take far fewer steps, on ten times the span");
        Assert.InRange(stiff.FinalState[0], -2.1, 2.1);
        Assert.InRange(Math.Abs(stiff.FinalState[0] - stiffFd.FinalState[0]), 0, 1e-3);
    }

    [Fact]
    public void RobertsonConservesMassTo1e12()
    {
        long calls = 0;
        var problem = new OdeProblem(
            (t, y, dy) =>
            {
                calls++;
                TestProblems.Robertson(t, y, dy);
            },
            [1.0, 0, 0],
            0,
            1e5)
        {
            IsAutonomous = true,
        };
        OdeSolution sol = Ode.Solve(problem, new Rodas4(), new OdeOptions { Rtol = 1e-6, AtolVector = [1e-8, 1e-12, 1e-8] });
        Assert.Equal(OdeStatus.Success, sol.Status);
        double worst = sol.States.Max(y => Math.Abs(y[0] + y[1] + y[2] - 1));
        output.WriteLine($"Robertson to 1e5: {sol.Statistics}, max |sum-1| = {worst:E2}, y(1e5) = {string.Join(", ", sol.FinalState.Select(v => v.ToString("E6")))}");
        Assert.True(worst <= 1e-12, $"mass defect {worst}");
        Assert.Equal(calls, sol.Statistics.Nfev);
        Assert.True(sol.Statistics.Nfev < 5000 && sol.Statistics.Njev < 1000);
        Assert.All(sol.FinalState, v => Assert.InRange(v, 0, 1));
    }

    [Fact]
    public void RobertsonToBigTimeWithScipyScalingIsCheap()
    {
        // SciPy's stiff test: y0 = (1e4, 0, 0) scaling, [0, 1e8], rtol = atol = 1e-6: < 5000 f-evals, < 200 Jacobians (SciPy's bar for f-evals).
        var problem = new OdeProblem(
            (t, y, dy) =>
            {
                double r1 = 0.04 * y[0], r2 = 1e4 * 1e-4 * y[1] * y[2], r3 = 3e7 * 1e-4 * y[1] * y[1];
                dy[0] = -r1 + r2;
                dy[1] = r1 - r2 - r3;
                dy[2] = r3;
            },
            [1e4, 0, 0],
            0,
            1e8)
        {
            IsAutonomous = true,
        };
        OdeSolution sol = Ode.Solve(problem, new Rodas4(), new OdeOptions { Rtol = 1e-6, Atol = 1e-6, SaveEveryStep = false });
        output.WriteLine($"Robertson (scaled) to 1e8: {sol.Statistics}");
        Assert.Equal(OdeStatus.Success, sol.Status);
        Assert.True(sol.Statistics.Nfev < 5000, $"nfev {sol.Statistics.Nfev}");
        Assert.True(Math.Abs(sol.FinalState.Sum() - 1e4) < 1e-6);
    }
}

using ResidualSheaf.Engine.Integration;
using Xunit.Abstractions;

namespace ResidualSheaf.Tests.Integration;

/// <summary>RKC on diffusion: against the closed-form semi-discrete heat solution, against DP5, its stage growth and its work.</summary>
public class RkcTests(ITestOutputHelper output)
{
    /// <summary>u_t = u_xx on (0, 1), u = 0 at both ends, n interior points: L = tridiag(1, −2, 1)/dx², eigenvalues −(4/dx²) sin²(kπdx/2).</summary>
    private static OdeRhs Diffusion(int n)
    {
        double inv = (n + 1.0) * (n + 1.0);
        return (t, y, dy) =>
        {
            for (int i = 0; i < n; i++)
            {
                double left = i > 0 ? y[i - 1] : 0, right = i < n - 1 ? y[i + 1] : 0;
                dy[i] = (left - (2 * y[i]) + right) * inv;
            }
        };
    }

    /// <summary>u(0) = Σ_k a_k sin(kπx_i) with a_k = 1/k² (k ≤ 20): each sine is an eigenvector, so u(t) is known exactly.</summary>
    private static double[] DiffusionExact(int n, double t)
    {
        double dx = 1.0 / (n + 1);
        var u = new double[n];
        for (int k = 1; k <= 20; k++)
        {
            double s = Math.Sin(k * Math.PI * dx / 2);
            double decay = Math.Exp(-4 / (dx * dx) * s * s * t);
            for (int i = 0; i < n; i++)
            {
                u[i] += decay / (k * k) * Math.Sin(k * Math.PI * (i + 1) * dx);
            }
        }

        return u;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void StiffDiffusionMatchesTheClosedFormWithFarFewerEvaluationsThanDp5(bool givenRadius)
    {
        const int n = 199; // ρ = 4/dx² ≈ 1.6e5
        double rho = 4.0 * (n + 1) * (n + 1);
        var problem = new OdeProblem(Diffusion(n), DiffusionExact(n, 0), 0, 0.05)
        {
            SpectralRadius = givenRadius ? (t, y) => rho : null,
        };
        var options = new OdeOptions { Rtol = 1e-7, Atol = 1e-9, SaveEveryStep = false };
        var rkc = Ode.Solve(problem, new Rkc(), options);
        var dp5 = Ode.Solve(problem, new DormandPrince54(), options);
        Assert.Equal(OdeStatus.Success, rkc.Status);
        Assert.Equal(OdeStatus.Success, dp5.Status);
        var exact = DiffusionExact(n, 0.05);
        double err = TestProblems.MaxAbsDiff(rkc.FinalState, exact), errDp5 = TestProblems.MaxAbsDiff(dp5.FinalState, exact);
        output.WriteLine($"ρ {(givenRadius ? "given" : "estimated")}: RKC error {err:e2}, {rkc.Statistics}; DP5 error {errDp5:e2}, {dp5.Statistics}");
        Assert.True(err <= 2e-6, $"RKC error {err:e2}");

        // DP5 is held to h ≤ 3.3/ρ by stability; RKC pays √(hρ) stages per step instead.
        Assert.True(rkc.Statistics.Nfev * 5 < dp5.Statistics.Nfev, $"RKC {rkc.Statistics.Nfev} vs DP5 {dp5.Statistics.Nfev} evaluations");
    }

    [Trait("Category", "Slow")] // measured: among the slowest tests of a full run (./test.sh --quick leaves it out)
    [Fact]
    public void NonlinearReactionDiffusionAgreesWithTightDp5()
    {
        // u_t = u_xx + u(1 − u)(u − 0.3) (bistable front): nonlinear, with a Jacobian whose spectrum stays near the negative axis.
        const int n = 100;
        var lin = Diffusion(n);
        OdeRhs rhs = (t, y, dy) =>
        {
            lin(t, y, dy);
            for (int i = 0; i < n; i++)
            {
                dy[i] += 20 * y[i] * (1 - y[i]) * (y[i] - 0.3);
            }
        };
        var y0 = new double[n];
        for (int i = 0; i < n; i++)
        {
            y0[i] = i < n / 3 ? 1 : 0;
        }

        var problem = new OdeProblem(rhs, y0, 0, 0.5);
        var rkc = Ode.Solve(problem, new Rkc(), new OdeOptions { Rtol = 1e-8, Atol = 1e-10, SaveEveryStep = false });
        var reference = Ode.Solve(problem, new Dop853(), new OdeOptions { Rtol = 1e-12, Atol = 1e-14, SaveEveryStep = false });
        Assert.Equal(OdeStatus.Success, rkc.Status);
        Assert.Equal(OdeStatus.Success, reference.Status);
        double err = TestProblems.MaxAbsDiff(rkc.FinalState, reference.FinalState);
        output.WriteLine($"RKC vs DOP853 (1e-12): {err:e2}; RKC {rkc.Statistics}; DOP853 {reference.Statistics}");
        Assert.True(err <= 1e-6, $"RKC vs DOP853 {err:e2}");
    }

    [Fact]
    public void StagesGrowLikeTheSquareRootOfTheStiffness()
    {
        // y' = −λ(y − 1) for growing λ: RKC's stage count per unit time scales like √λ, so evaluations grow ~√ (DP5: ~linearly).
        var evaluations = new List<double>();
        var lambdas = new[] { 1e2, 1e4, 1e6 };
        foreach (double lambda in lambdas)
        {
            double l = lambda;
            var problem = new OdeProblem((t, y, dy) => dy[0] = -l * (y[0] - 1) + Math.Cos(t), [0.0], 0, 10);
            var sol = Ode.Solve(problem, new Rkc(), new OdeOptions { Rtol = 1e-6, Atol = 1e-9, SaveEveryStep = false });
            Assert.Equal(OdeStatus.Success, sol.Status);
            // The slow solution is y ≈ 1 + cos(t)/λ: check it at the end.
            double expected = 1 + ((l * Math.Cos(10) + Math.Sin(10)) / ((l * l) + 1));
            Assert.True(Math.Abs(sol.FinalState[0] - expected) <= 1e-5, $"λ = {l}: {sol.FinalState[0]} vs {expected}");
            evaluations.Add(sol.Statistics.Nfev);
        }

        double slope = TestProblems.LogLogSlope(lambdas, evaluations);
        output.WriteLine($"evaluations {string.Join(", ", evaluations)}; slope in λ {slope:F3}");
        Assert.InRange(slope, 0.2, 0.6);
    }

    [Fact]
    public void StepsDoNotAllocate()
    {
        const int n = 64;
        var problem = new OdeProblem(Diffusion(n), DiffusionExact(n, 0), 0, 1e9)
        {
            Events = [new EventFunction((t, y) => 10 - y[0])],
        };
        var integrator = new OdeIntegrator(problem, new Rkc(), new OdeOptions { Rtol = 1e-8, Atol = 1e-12, SaveEveryStep = false, MaxSteps = long.MaxValue });
        for (int i = 0; i < 200; i++)
        {
            Assert.True(integrator.Step());
        }

        long allocated = long.MaxValue;
        for (int round = 0; round < 5 && allocated != 0; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 200; i++)
            {
                integrator.Step();
            }

            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(OdeStatus.Running, integrator.Status);
        Assert.Equal(0, allocated);
    }
}

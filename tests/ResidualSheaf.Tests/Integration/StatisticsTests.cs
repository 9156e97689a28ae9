using ResidualSheaf.Engine.Integration;

namespace ResidualSheaf.Tests.Integration;

/// <summary>Statistics are exact: counted calls equal the reported counters, with the same meaning for every method.</summary>
public class StatisticsTests
{
    private sealed class Counted
    {
        public long Rhs { get; private set; }

        public long Jac { get; private set; }

        public void F(double t, ReadOnlySpan<double> y, Span<double> dy)
        {
            Rhs++;
            TestProblems.Arenstorf(t, y, dy);
        }

        public void J(double t, ReadOnlySpan<double> y, double[,] jac)
        {
            Jac++;
            Span<double> f0 = stackalloc double[4];
            Span<double> f1 = stackalloc double[4];
            Span<double> yp = stackalloc double[4];
            TestProblems.Arenstorf(t, y, f0);
            for (int j = 0; j < 4; j++)
            {
                y.CopyTo(yp);
                yp[j] += 1e-7;
                TestProblems.Arenstorf(t, yp, f1);
                for (int i = 0; i < 4; i++)
                {
                    jac[i, j] = (f1[i] - f0[i]) / 1e-7;
                }
            }
        }
    }

    private static (OdeSolution Sol, Counted C) Run(OdeAlgorithm alg, bool dense = false, bool jacobian = false, bool autonomous = true, OdeOptions? options = null)
    {
        var c = new Counted();
        var problem = new OdeProblem(c.F, TestProblems.ArenstorfY0, 0, 4)
        {
            IsAutonomous = autonomous,
            Jacobian = jacobian ? c.J : null,
        };
        OdeSolution sol = Ode.Solve(problem, alg, options ?? new OdeOptions { Rtol = 1e-7, Atol = 1e-7, Dense = dense });
        Assert.Equal(OdeStatus.Success, sol.Status);
        Assert.Equal(c.Rhs, sol.Statistics.Nfev);
        Assert.Equal(c.Jac, jacobian ? sol.Statistics.Njev : 0);
        return (sol, c);
    }

    [Theory]
    [InlineData("BS3", 3)]
    [InlineData("DP5", 6)]
    [InlineData("DOP853", 12)]
    public void ExplicitAdaptiveCountsFollowTheStageCount(string method, int perAttempt)
    {
        OdeAlgorithm alg = method switch { "BS3" => new BogackiShampine32(), "DP5" => new DormandPrince54(), _ => new Dop853() };
        OdeStatistics s = Run(alg).Sol.Statistics;

        // f(t0, y0) + one evaluation for the initial step heuristic + FSAL stages per attempt.
        Assert.Equal(2 + (perAttempt * (s.Accepted + s.Rejected)), s.Nfev);
        Assert.Equal(0, s.Njev);
        Assert.Equal(0, s.Nlu);
        Assert.Equal(0, s.Events);

        // Dense output of DOP853 costs 3 extra evaluations per accepted step; the others are free.
        OdeStatistics d = Run(alg, dense: true).Sol.Statistics;
        Assert.Equal(s.Accepted, d.Accepted);
        Assert.Equal(s.Nfev + (method == "DOP853" ? 3 * s.Accepted : 0), d.Nfev);
    }

    [Fact]
    public void FixedStepCounts()
    {
        var opts = new OdeOptions { SaveEveryStep = false };
        OdeStatistics euler = Run(new ExplicitEuler(0.01), options: opts).Sol.Statistics;
        Assert.Equal(400, euler.Accepted);
        Assert.Equal(400, euler.Nfev);
        OdeStatistics rk4 = Run(new RungeKutta4(0.01), options: opts).Sol.Statistics;
        Assert.Equal(400, rk4.Accepted);
        Assert.Equal(1600, rk4.Nfev);
        Assert.Equal(0, rk4.Rejected);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(false, false)]
    [InlineData(true, false)]
    public void RosenbrockCountsJacobiansAndFactorisations(bool analyticJacobian, bool autonomous)
    {
        (OdeSolution sol, Counted c) = Run(new Rodas4(), jacobian: analyticJacobian, autonomous: autonomous);
        OdeStatistics s = sol.Statistics;
        long attempts = s.Accepted + s.Rejected;

        // One Jacobian per accepted step (reused after a rejection), one LU per attempt.
        Assert.Equal(s.Accepted, s.Njev);
        Assert.Equal(attempts, s.Nlu);

        // f(t_n, y_n) per accepted step + initial-step heuristic + 5 stage evaluations per attempt
        // + n per finite-difference Jacobian + 1 per ∂f/∂t difference (non-autonomous problems).
        long fd = analyticJacobian ? 0 : 4 * s.Njev;
        long ft = autonomous ? 0 : s.Njev;
        Assert.Equal(s.Accepted + 1 + (5 * attempts) + fd + ft, s.Nfev);
        Assert.Equal(analyticJacobian ? s.Njev : 0, c.Jac);
    }

    [Fact]
    public void EventCountMatchesReportedEvents()
    {
        var problem = new OdeProblem((t, y, dy) => dy[0] = Math.Cos(t), [0.0], 0, 20)
        {
            Events = [new EventFunction((t, y) => y[0]), new EventFunction((t, y) => y[0] - 0.5, EventDirection.Rising)],
        };
        OdeSolution sol = Ode.Solve(problem, new DormandPrince54());
        Assert.Equal(sol.Events.Count, sol.Statistics.Events);
        Assert.Equal(6 + 4, sol.Events.Count);
        Assert.True(sol.Events.Zip(sol.Events.Skip(1)).All(p => p.First.Time <= p.Second.Time));
    }
}

using ResidualSheaf.Engine.Integration;
using Xunit.Abstractions;

namespace ResidualSheaf.Tests.Integration;

/// <summary>Event location: roots, directions, simultaneous/step-end roots, restarts, hysteresis and Zeno.</summary>
public class EventTests(ITestOutputHelper output)
{
    private static OdeProblem Oscillator(double tEnd, params EventFunction[] events) =>
        new((t, y, dy) =>
        {
            dy[0] = y[1];
            dy[1] = -y[0];
        }, [0.0, 1.0], 0, tEnd)
        {
            IsAutonomous = true,
            Events = events,
        };

    [Theory]
    [InlineData("DOP853")]
    [InlineData("DP5")]
    public void ZerosOfSineAreLocatedTo1e12(string method)
    {
        // y = sin t from y'' = -y; the root at t0 = 0 must not be reported.
        OdeProblem problem = Oscillator(20, new EventFunction((t, y) => y[0]));
        OdeAlgorithm alg = method == "DP5" ? new DormandPrince54() : new Dop853();
        OdeSolution sol = Ode.Solve(problem, alg, new OdeOptions { Rtol = 1e-14, Atol = 1e-14 });
        Assert.Equal(OdeStatus.Success, sol.Status);
        Assert.Equal(6, sol.Events.Count);
        double worst = 0;
        for (int k = 1; k <= 6; k++)
        {
            OdeEvent e = sol.Events[k - 1];
            worst = Math.Max(worst, Math.Abs(e.Time - (k * Math.PI)));
            Assert.Equal(k % 2 == 1 ? EventDirection.Falling : EventDirection.Rising, e.Direction);
            Assert.Equal(0, e.Index);
        }

        output.WriteLine($"{method}: max |t_k - k pi| = {worst:E2}; {sol.Statistics}");
        Assert.True(worst <= 1e-12, $"worst {worst}");
        Assert.Equal(6, sol.Statistics.Events);
    }

    [Fact]
    public void TimeOnlySwitchingFunctionIsLocatedToRootFinderAccuracy()
    {
        OdeProblem problem = Oscillator(20, new EventFunction((t, y) => Math.Sin(t)));
        OdeSolution sol = Ode.Solve(problem, new DormandPrince54(), new OdeOptions { Rtol = 1e-4, Atol = 1e-4 });
        Assert.Equal(6, sol.Events.Count);
        for (int k = 1; k <= 6; k++)
        {
            Assert.True(Math.Abs(sol.Events[k - 1].Time - (k * Math.PI)) <= 1e-12);
        }
    }

    [Fact]
    public void DirectionFilterAndStopAction()
    {
        OdeSolution rising = Ode.Solve(Oscillator(20, new EventFunction((t, y) => y[0], EventDirection.Rising)), new Dop853(), new OdeOptions { Rtol = 1e-12, Atol = 1e-12 });
        Assert.Equal([2 * Math.PI, 4 * Math.PI, 6 * Math.PI], rising.Events.Select(e => Math.Round(e.Time, 9)).ToArray(), (a, b) => Math.Abs(a - Math.Round(b, 9)) < 1e-9);

        OdeSolution stopped = Ode.Solve(Oscillator(20, new EventFunction((t, y) => y[0], EventDirection.Falling, EventAction.Stop)), new Dop853(), new OdeOptions { Rtol = 1e-12, Atol = 1e-12 });
        Assert.Equal(OdeStatus.StoppedByEvent, stopped.Status);
        Assert.Single(stopped.Events);
        Assert.Equal(Math.PI, stopped.FinalTime, 1e-10);
        Assert.Equal(Math.PI, stopped.Times[^1], 1e-10);
        Assert.Equal(-1.0, stopped.FinalState[1], 1e-10);
    }

    [Fact]
    public void TwoRootsInOneStepAreBothReportedInTimeOrder()
    {
        // y' = 0 and a single step over [0, 10]: both roots of (t-3)(t-3.5) and the root of t-7 fall in one step.
        var problem = new OdeProblem((t, y, dy) => dy[0] = 0, [1.0], 0, 10)
        {
            Events =
            [
                new EventFunction((t, y) => t - 7),
                new EventFunction((t, y) => (t - 3.2) * (t - 4.7)),
            ],
        };
        OdeSolution sol = Ode.Solve(problem, new DormandPrince54(), new OdeOptions { FirstStep = 10 });
        Assert.Equal(1, sol.Statistics.Accepted);
        Assert.Equal([3.2, 4.7, 7.0], sol.Events.Select(e => e.Time).ToArray(), (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.Equal([1, 1, 0], sol.Events.Select(e => e.Index).ToArray());
        Assert.Equal([EventDirection.Falling, EventDirection.Rising, EventDirection.Rising], sol.Events.Select(e => e.Direction).ToArray());
    }

    [Theory]
    [InlineData(EventAction.Restart)]
    [InlineData(EventAction.Record)]
    public void ManyRootsInOneWindowAreEachLocatedInTimeOrder(EventAction action)
    {
        // y' = 1 with one step over [0, 1] (MaxStep and FirstStep 1, fixed), so that the first sample window holds a dozen roots:
        // 60 functions y − c_k, two pairs of them closer than the root tolerance (one group each), and one function with its root
        // on the window's sample point. Restarts refine only the earliest changes of a window; recording refines them all; both
        // must give every root once, at c_k, in time order (the closed form).
        var rng = new Random(7);
        var roots = Enumerable.Range(0, 56).Select(_ => 0.02 + (0.96 * rng.NextDouble())).ToList();
        roots.AddRange([0.3, 0.3 + 1e-15, 0.7, 0.7 + 1e-15]);
        roots.Add(0.1);
        var events = roots.Select(c => new EventFunction((t, y) => y[0] - c, EventDirection.Rising, action, action == EventAction.Restart ? (t, y, k, d) => true : null)).ToArray();
        var problem = new OdeProblem((t, y, dy) => dy[0] = 1, [0.0], 0, 1) { IsAutonomous = true, Events = events };
        OdeSolution sol = Ode.Solve(problem, new DormandPrince54(), new OdeOptions { FirstStep = 1, Adaptive = false, SaveEventStates = false });
        Assert.Equal(OdeStatus.Success, sol.Status);
        Assert.Equal(roots.Count, sol.Events.Count);
        Assert.Equal(roots.Count, sol.Events.Select(e => e.Index).Distinct().Count());
        double worst = 0;
        for (int i = 0; i < sol.Events.Count; i++)
        {
            var e = sol.Events[i];
            worst = Math.Max(worst, Math.Abs(e.Time - roots[e.Index]));
            if (i > 0) Assert.True(e.Time >= sol.Events[i - 1].Time, $"event {i} at {e.Time} before event {i - 1} at {sol.Events[i - 1].Time}");
        }
        Assert.True(worst < 1e-13, $"largest root error {worst:e3}");
    }

    [Fact]
    public void RootExactlyAtStepEndIsReportedOnce()
    {
        // RK4 with dt = 0.25 on y' = 1: y - 1 is exactly 0 at the step end t = 1; simultaneous second function 2y - 2.
        var problem = new OdeProblem((t, y, dy) => dy[0] = 1, [0.0], 0, 2)
        {
            Events = [new EventFunction((t, y) => y[0] - 1), new EventFunction((t, y) => (2 * y[0]) - 2)],
        };
        OdeSolution sol = Ode.Solve(problem, new RungeKutta4(0.25));
        Assert.Equal(2, sol.Events.Count);
        Assert.All(sol.Events, e => Assert.Equal(1.0, e.Time));
        Assert.Equal([0, 1], sol.Events.Select(e => e.Index).ToArray());
    }

    [Fact]
    public void NaNInSwitchingFunctionGivesStatus()
    {
        OdeProblem problem = Oscillator(20, new EventFunction((t, y) => t > 5 ? double.NaN : 1.0));
        OdeSolution sol = Ode.Solve(problem, new DormandPrince54());
        Assert.Equal(OdeStatus.NonFiniteState, sol.Status);
        Assert.True(sol.FailureTime > 4 && sol.FailureTime < 20);
    }

    private static double[] BounceTimes(double h0, double g, double e, int count)
    {
        var times = new double[count];
        double t1 = Math.Sqrt(2 * h0 / g), v = g * t1;
        times[0] = t1;
        for (int k = 1; k < count; k++)
        {
            v *= e;
            times[k] = times[k - 1] + (2 * v / g);
        }

        return times;
    }

    private static OdeProblem Ball(double tEnd, double h0, double g, double e) =>
        new((t, y, dy) =>
        {
            dy[0] = y[1];
            dy[1] = -g;
        }, [h0, 0.0], 0, tEnd)
        {
            IsAutonomous = true,
            Events =
            [
                new EventFunction((t, y) => y[0], EventDirection.Falling, EventAction.Restart, (t, y, index, dir) =>
                {
                    y[0] = 0;
                    y[1] = -e * y[1];
                    return true;
                }),
            ],
        };

    [Theory]
    [InlineData("DP5")]
    [InlineData("DOP853")]
    [InlineData("BS3")]
    [InlineData("Rodas4")]
    public void BouncingBallMatchesClosedFormBounceTimes(string method)
    {
        const double g = 9.81, h0 = 10, e = 0.8;
        OdeAlgorithm alg = method switch { "DP5" => new DormandPrince54(), "DOP853" => new Dop853(), "BS3" => new BogackiShampine32(), _ => new Rodas4() };
        OdeSolution sol = Ode.Solve(Ball(12, h0, g, e), alg, new OdeOptions { Rtol = 1e-10, Atol = 1e-10 });
        Assert.Equal(OdeStatus.Success, sol.Status);
        double[] exact = BounceTimes(h0, g, e, 20).Where(t => t <= 12).ToArray();
        Assert.Equal(exact.Length, sol.Events.Count);
        double worst = 0;
        for (int k = 0; k < exact.Length; k++)
        {
            worst = Math.Max(worst, Math.Abs(sol.Events[k].Time - exact[k]));
        }

        output.WriteLine($"{method}: {exact.Length} bounces, max time error {worst:E2}; {sol.Statistics}");
        Assert.True(worst < 1e-9, $"worst {worst}");
    }

    [Fact]
    public void ZenoBallHitsTheEventCapInsteadOfHanging()
    {
        // Bounce times accumulate at t* = t1 (1 + 2e/(1-e)) ≈ 15.7: an event cap must end the run with status Zeno.
        OdeSolution sol = Ode.Solve(Ball(30, 10, 9.81, 0.8), new DormandPrince54(), new OdeOptions { Rtol = 1e-10, Atol = 1e-10, MaxEvents = 40 });
        Assert.Equal(OdeStatus.Zeno, sol.Status);
        Assert.Equal(41, sol.Events.Count);
        double tStar = Math.Sqrt(2 * 10 / 9.81) * (1 + (2 * 0.8 / 0.2));
        Assert.True(sol.FinalTime < tStar);
    }

    [Fact]
    public void PiecewiseLinearSwitchWithHysteresis()
    {
        // y' = -sign(y) + 0.5 with the sign held in a frozen mode: from y = 1 the solution reaches 0 at t = 2,
        // then the flow on both sides points towards 0 (-0.5 above, +1.5 below): attracting sliding, y ≡ 0 afterwards.
        int mode = 1; // +1: y > 0 branch, -1: y < 0 branch, 0: sliding (y' = 0)
        var problem = new OdeProblem((t, y, dy) => dy[0] = mode == 0 ? 0 : -mode + 0.5, [1.0], 0, 5)
        {
            Events =
            [
                new EventFunction((t, y) => mode == 0 ? 1 : y[0], EventDirection.Both, EventAction.Restart, (t, y, i, d) =>
                {
                    double above = -1 + 0.5, below = 1 + 0.5;
                    mode = above < 0 && below > 0 ? 0 : (d == EventDirection.Falling ? -1 : 1);
                    y[0] = 0;
                    return true;
                }),
            ],
        };
        OdeSolution sol = Ode.Solve(problem, new DormandPrince54(), new OdeOptions { Rtol = 1e-8, Atol = 1e-8 });
        Assert.Equal(OdeStatus.Success, sol.Status);
        Assert.Single(sol.Events);
        Assert.Equal(2.0, sol.Events[0].Time, 1e-12);
        Assert.Equal(0.0, sol.FinalState[0]);
        Assert.True(sol.Statistics.Nfev < 60, $"nfev {sol.Statistics.Nfev}");
    }
    [Fact]
    public void RestartAtAnExactStepEndFiresOncePerCrossing()
    {
        // Sawtooth: y' = 1, reset to 0 whenever y reaches 1. With RK4 and dt = 0.25 each root is exactly at a step end.
        var problem = new OdeProblem((t, y, dy) => dy[0] = 1, [0.0], 0, 3.5)
        {
            Events =
            [
                new EventFunction((t, y) => y[0] - 1, EventDirection.Rising, EventAction.Restart, (t, y, i, d) =>
                {
                    y[0] = 0;
                    return true;
                }),
            ],
        };
        OdeSolution sol = Ode.Solve(problem, new RungeKutta4(0.25), new OdeOptions { Dense = true });
        Assert.Equal(OdeStatus.Success, sol.Status);
        Assert.Equal([1.0, 2.0, 3.0], sol.Events.Select(e => e.Time).ToArray());
        Assert.Equal(0.5, sol.FinalState[0], 1e-14);

        // Saved points hold both sides of each reset; the dense output is right-continuous at the resets.
        Assert.Equal(2, sol.Times.Count(t => t == 2.0));
        Assert.Equal(0.0, sol.Evaluate(2.0)[0], 1e-14);
        Assert.Equal(0.75, sol.Evaluate(1.75)[0], 1e-14);
    }

    [Fact]
    public void EventsWhenIntegratingBackwardsFollowTheIntegrationDirection()
    {
        // y = sin t integrated from 10 down to 0: zeros at 3π, 2π, π in that order; near 3π (backwards) sin goes from - to +.
        var problem = new OdeProblem((t, y, dy) =>
        {
            dy[0] = y[1];
            dy[1] = -y[0];
        }, [Math.Sin(10), Math.Cos(10)], 10, 0.5)
        {
            Events = [new EventFunction((t, y) => y[0])],
        };
        OdeSolution sol = Ode.Solve(problem, new Dop853(), new OdeOptions { Rtol = 1e-12, Atol = 1e-12 });
        Assert.Equal([3 * Math.PI, 2 * Math.PI, Math.PI], sol.Events.Select(e => e.Time).ToArray(), (a, b) => Math.Abs(a - b) < 1e-9);
        Assert.Equal(EventDirection.Rising, sol.Events[0].Direction);
        Assert.Equal(EventDirection.Falling, sol.Events[1].Direction);
    }
}

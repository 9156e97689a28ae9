// Over 400 lines on purpose: the whole evidence for one new method (tableau, order, dense output, reference problems against DP5
// and DOP853, events, allocation) in one file, the model for the next method added.
using ResidualSheaf.Engine.Integration;
using Xunit.Abstractions;

namespace ResidualSheaf.Tests.Integration;

/// <summary>
/// Tsitouras 5(4): the tableau against the order conditions, measured orders against closed forms, work and accuracy against DP5
/// on the reference problems (closed forms or DOP853 at 1e-13 as references), allocation, events and the method registry.
/// </summary>
public class Tsit5Tests(ITestOutputHelper output)
{
    // The 7-stage tableau with the FSAL row (c7 = 1, a7j = b_j) made explicit.
    private static readonly double[] C7 = [.. Tsit5.C, 1.0];
    private static readonly double[][] A7 = [.. Tsit5.A, Tsit5.B];
    private static readonly double[] B7 = [.. Tsit5.B, 0.0];

    private static double[] Mul(double[][] a, double[] v) =>
        [.. a.Select(row => row.Select((aij, j) => aij * v[j]).Sum())];

    private static double[] Pow(double[] c, int k) => [.. c.Select(x => Math.Pow(x, k))];

    private static double[] Times(double[] x, double[] y) => [.. x.Select((xi, i) => xi * y[i])];

    private static double Dot(double[] b, double[] v) => b.Select((bi, i) => bi * v[i]).Sum();

    /// <summary>The elementary weights Φ(τ) and the values 1/γ(τ) of all 17 rooted trees of order ≤ 5 (Butcher), for weights <paramref name="b"/>.</summary>
    private static (string Tree, int Order, double Phi, double Exact)[] Conditions(double[] b)
    {
        double[] c = C7, c2 = Pow(c, 2), c3 = Pow(c, 3), c4 = Pow(c, 4);
        double[] ac = Mul(A7, c), ac2 = Mul(A7, c2), ac3 = Mul(A7, c3), aac = Mul(A7, ac), aac2 = Mul(A7, ac2);
        double[] acac = Mul(A7, Times(c, ac)), aaac = Mul(A7, aac);
        double[] ones = [.. c.Select(_ => 1.0)];
        return
        [
            ("1", 1, Dot(b, ones), 1),
            ("c", 2, Dot(b, c), 1.0 / 2),
            ("c²", 3, Dot(b, c2), 1.0 / 3),
            ("Ac", 3, Dot(b, ac), 1.0 / 6),
            ("c³", 4, Dot(b, c3), 1.0 / 4),
            ("c·Ac", 4, Dot(b, Times(c, ac)), 1.0 / 8),
            ("Ac²", 4, Dot(b, ac2), 1.0 / 12),
            ("AAc", 4, Dot(b, aac), 1.0 / 24),
            ("c⁴", 5, Dot(b, c4), 1.0 / 5),
            ("c²·Ac", 5, Dot(b, Times(c2, ac)), 1.0 / 10),
            ("c·Ac²", 5, Dot(b, Times(c, ac2)), 1.0 / 15),
            ("c·AAc", 5, Dot(b, Times(c, aac)), 1.0 / 30),
            ("(Ac)²", 5, Dot(b, Times(ac, ac)), 1.0 / 20),
            ("Ac³", 5, Dot(b, ac3), 1.0 / 20),
            ("A(c·Ac)", 5, Dot(b, acac), 1.0 / 40),
            ("AAc²", 5, Dot(b, aac2), 1.0 / 60),
            ("AAAc", 5, Dot(b, aaac), 1.0 / 120),
        ];
    }

    [Fact]
    public void TableauIsConsistentAndFifthOrderWithAFourthOrderEmbeddedPair()
    {
        for (int s = 0; s < A7.Length; s++)
        {
            Assert.Equal(C7[s], A7[s].Sum(), 1e-14);
        }

        Assert.Equal(Tsit5.B.Length, Tsit5.A.Length);
        Assert.Equal(7, Tsit5.E.Length);
        foreach ((string tree, int order, double phi, double exact) in Conditions(B7))
        {
            Assert.True(Math.Abs(phi - exact) <= 1e-14, $"b, tree {tree} (order {order}): {phi:R} vs {exact:R}");
        }

        // E = b̂ − b: the embedded weights satisfy every condition up to order 4 and miss some of order 5 (a genuine 4th-order pair).
        double[] bHat = [.. B7.Select((bi, i) => bi + Tsit5.E[i])];
        double worst5 = 0;
        foreach ((string tree, int order, double phi, double exact) in Conditions(bHat))
        {
            if (order <= 4)
            {
                Assert.True(Math.Abs(phi - exact) <= 1e-14, $"b̂, tree {tree} (order {order}): {phi:R} vs {exact:R}");
            }
            else
            {
                worst5 = Math.Max(worst5, Math.Abs(phi - exact));
            }
        }

        output.WriteLine($"embedded pair: largest order-5 defect {worst5:E2}");
        Assert.True(worst5 > 1e-4, $"order-5 defect of b̂ {worst5}");
    }

    [Fact]
    public void DenseWeightsReproduceTheStepAndAreFourthOrderForEveryTheta()
    {
        double[] Weights(double th) =>
            [.. Enumerable.Range(0, 7).Select(j => Enumerable.Range(0, 4).Sum(m => Tsit5.R[m][j] * Math.Pow(th, m + 1)))];

        double[] atOne = Weights(1);
        for (int j = 0; j < 7; j++)
        {
            Assert.Equal(B7[j], atOne[j], 1e-13);
        }

        foreach (double th in new[] { 0.1, 0.25, 0.5, 0.7, 0.9, 1.0 })
        {
            // Continuous order conditions Σ b_j(θ) Φ_j(τ) = θ^ρ(τ)/γ(τ) for the 8 trees of order ≤ 4.
            foreach ((string tree, int order, double phi, double exact) in Conditions(Weights(th)).Where(x => x.Order <= 4))
            {
                double target = exact * Math.Pow(th, order);
                Assert.True(Math.Abs(phi - target) <= 1e-12, $"θ = {th}, tree {tree}: {phi:R} vs {target:R}");
            }
        }
    }

    private static OdeSolution ExpSin(OdeAlgorithm alg, OdeOptions options) =>
        Ode.Solve(new OdeProblem(TestProblems.ExpSin, [1.0], 0, 2.0), alg, options);

    [Fact]
    public void MeasuredOrderIsFiveAgainstTheClosedForm()
    {
        var hs = new List<double>();
        var errs = new List<double>();
        foreach (int n in new[] { 10, 20, 40, 80 })
        {
            double h = 2.0 / n;
            OdeSolution sol = ExpSin(new Tsit5(), new OdeOptions { Adaptive = false, FirstStep = h });
            Assert.Equal(OdeStatus.Success, sol.Status);
            Assert.Equal(n + 1, sol.Times.Count);
            Assert.Equal(6 * n + 1, sol.Statistics.Nfev);
            double err = 0;
            for (int i = 0; i < sol.Times.Count; i++)
            {
                err = Math.Max(err, Math.Abs(sol.States[i][0] - TestProblems.ExpSinExact(sol.Times[i])));
            }

            hs.Add(h);
            errs.Add(err);
        }

        // Tsitouras minimised the h^5 error coefficients, so the h^6 terms still show at coarse steps (the pairwise slopes fall
        // towards 5 as h shrinks); the finest pair is the asymptotic check, the least-squares slope a looser one.
        double slope = TestProblems.LogLogSlope(hs, errs);
        double finest = Math.Log(errs[^2] / errs[^1]) / Math.Log(hs[^2] / hs[^1]);
        output.WriteLine($"Tsit5: errors {string.Join(", ", errs.Select(e => e.ToString("E2")))} slope {slope:F3}, finest pair {finest:F3}");
        Assert.InRange(slope, 4.7, 5.5);
        Assert.InRange(finest, 4.7, 5.3);
    }

    [Fact]
    public void DenseOutputConvergesAtFifthOrderAtStepMidpoints()
    {
        // Local interpolation error O(h^5) of the 4th-order interpolant plus the global O(h^5): the midpoint error is O(h^5).
        var hs = new List<double>();
        var errs = new List<double>();
        foreach (int n in new[] { 10, 20, 40, 80 })
        {
            double h = 2.0 / n;
            OdeSolution sol = ExpSin(new Tsit5(), new OdeOptions { Adaptive = false, FirstStep = h, Dense = true });
            Assert.Equal(n, sol.Segments.Count);
            double err = 0;
            for (double t = h / 2; t < 2.0; t += h)
            {
                err = Math.Max(err, Math.Abs(sol.Evaluate(t)[0] - TestProblems.ExpSinExact(t)));
            }

            // Each segment's interpolant ends on the state its step reached (b_j(1) = b_j).
            var end = new double[1];
            for (int i = 1; i < sol.Times.Count; i++)
            {
                sol.Segments[i - 1].Evaluate(sol.Times[i], end);
                Assert.Equal(sol.States[i][0], end[0], 1e-13);
            }

            hs.Add(h);
            errs.Add(err);
        }

        double slope = TestProblems.LogLogSlope(hs, errs);
        output.WriteLine($"Tsit5 dense: errors {string.Join(", ", errs.Select(e => e.ToString("E2")))} slope {slope:F3}");
        Assert.InRange(slope, 4.5, 5.5);
    }

    private static OdeSolution Arenstorf(OdeAlgorithm alg, double tol, out long calls)
    {
        long count = 0;
        var problem = new OdeProblem(
            (t, y, dy) =>
            {
                count++;
                TestProblems.Arenstorf(t, y, dy);
            },
            TestProblems.ArenstorfY0,
            0,
            TestProblems.ArenstorfPeriod);
        OdeSolution sol = Ode.Solve(problem, alg, new OdeOptions { Rtol = tol, Atol = tol, SaveEveryStep = false });
        calls = count;
        return sol;
    }

    /// <summary>
    /// One period of the Arenstorf orbit (the closed-form reference: the orbit returns to y0). Tsit5 must be as accurate as DP5 at
    /// the same tolerance for comparable work, with exact statistics (6 evaluations per attempt + 2 for the start).
    /// </summary>
    [Theory]
    [InlineData(1e-6)]
    [InlineData(1e-8)]
    [InlineData(1e-10)]
    [InlineData(1e-12)]
    public void ArenstorfOrbitClosesLikeDp5ForComparableWork(double tol)
    {
        OdeSolution ts = Arenstorf(new Tsit5(), tol, out long tsCalls);
        OdeSolution dp = Arenstorf(new DormandPrince54(), tol, out _);
        Assert.Equal(OdeStatus.Success, ts.Status);
        Assert.Equal(OdeStatus.Success, dp.Status);
        double tsErr = TestProblems.MaxAbsDiff(ts.FinalState, TestProblems.ArenstorfY0);
        double dpErr = TestProblems.MaxAbsDiff(dp.FinalState, TestProblems.ArenstorfY0);
        OdeStatistics s = ts.Statistics, d = dp.Statistics;
        output.WriteLine($"tol={tol:E0}: Tsit5 accepted={s.Accepted} rejected={s.Rejected} nfev={s.Nfev} err={tsErr:E2} | " +
                         $"DP5 accepted={d.Accepted} rejected={d.Rejected} nfev={d.Nfev} err={dpErr:E2}");
        Assert.Equal(tsCalls, s.Nfev);
        Assert.Equal((6 * (s.Accepted + s.Rejected)) + 2, s.Nfev);
        Assert.InRange(s.Nfev, 0.5 * d.Nfev, 1.5 * d.Nfev);
        Assert.True(tsErr <= 3 * dpErr, $"Tsit5 error {tsErr} vs DP5 {dpErr}");
    }

    /// <summary>Van der Pol (μ = 1, non-stiff) to t = 20 against DOP853 at rtol = atol = 1e-13.</summary>
    [Theory]
    [InlineData(1e-7)]
    [InlineData(1e-10)]
    public void VanDerPolMatchesDop853Reference(double tol)
    {
        var problem = new OdeProblem(TestProblems.VanDerPol(1), [2.0, 0.0], 0, 20) { IsAutonomous = true };
        OdeSolution reference = Ode.Solve(problem, new Dop853(), new OdeOptions { Rtol = 1e-13, Atol = 1e-13, SaveEveryStep = false });
        OdeSolution ts = Ode.Solve(problem, new Tsit5(), new OdeOptions { Rtol = tol, Atol = tol, SaveEveryStep = false });
        OdeSolution dp = Ode.Solve(problem, new DormandPrince54(), new OdeOptions { Rtol = tol, Atol = tol, SaveEveryStep = false });
        Assert.Equal(OdeStatus.Success, reference.Status);
        Assert.Equal(OdeStatus.Success, ts.Status);
        double tsErr = TestProblems.MaxAbsDiff(ts.FinalState, reference.FinalState);
        double dpErr = TestProblems.MaxAbsDiff(dp.FinalState, reference.FinalState);
        output.WriteLine($"tol={tol:E0}: Tsit5 err={tsErr:E2} {ts.Statistics} | DP5 err={dpErr:E2} {dp.Statistics}");
        Assert.True(tsErr <= 1e3 * tol, $"Tsit5 error {tsErr}");
        Assert.True(tsErr <= 3 * dpErr, $"Tsit5 error {tsErr} vs DP5 {dpErr}");
    }

    [Fact]
    public void StepsDoNotAllocate()
    {
        var problem = new OdeProblem(
            (t, y, dy) =>
            {
                dy[0] = y[1];
                dy[1] = -Math.Sin(y[0]);
                dy[2] = y[3];
                dy[3] = -y[2] - (0.1 * y[2] * y[2] * y[2]);
            },
            [1.0, 0.0, 0.5, 0.2],
            0,
            1e7)
        {
            // Watched (interpolated and sampled every step) but never fires.
            Events = [new EventFunction((t, y) => 10 - y[0])],
        };
        var integrator = new OdeIntegrator(problem, new Tsit5(), new OdeOptions { Rtol = 1e-8, Atol = 1e-8, SaveEveryStep = false });
        for (int i = 0; i < 500; i++)
        {
            Assert.True(integrator.Step());
        }

        // As in AllocationTests: JIT tier-up may allocate once in some round; a per-step allocation shows in every round.
        long allocated = long.MaxValue;
        for (int round = 0; round < 5 && allocated != 0; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 2000; i++)
            {
                integrator.Step();
            }

            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(OdeStatus.Running, integrator.Status);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void LargeDecoupledSystemIsAccurateThroughTheVectorPaths()
    {
        // n = 1001 exercises the SIMD Axpy and the vectorised interpolant (an event samples the whole state each step).
        const int n = 1001;
        var lambda = new double[n];
        var y0 = new double[n];
        for (int i = 0; i < n; i++)
        {
            lambda[i] = 0.1 + (i / (double)(n - 1));
            y0[i] = 1 + (0.001 * i);
        }

        var problem = new OdeProblem(
            (t, y, dy) =>
            {
                for (int i = 0; i < y.Length; i++)
                {
                    dy[i] = -lambda[i] * y[i];
                }
            },
            y0,
            0,
            2)
        {
            // y_0 = exp(-0.1 t) crosses 0.9 once, at t = 10 ln(1/0.9).
            Events = [new EventFunction((t, y) => y[0] - 0.9)],
        };
        var integrator = new OdeIntegrator(problem, new Tsit5(), new OdeOptions { Rtol = 1e-9, Atol = 1e-12, SaveEveryStep = false, SaveEventStates = false });
        Assert.True(integrator.Step());
        Assert.True(integrator.Step());
        long before = GC.GetAllocatedBytesForCurrentThread();
        while (integrator.Step())
        {
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(OdeStatus.Success, integrator.Status);

        // The final-state copy (n doubles) and the one event record (without its state); nothing per step.
        Assert.True(allocated <= (8 * n) + 400, $"allocated {allocated}");
        double worst = 0;
        for (int i = 0; i < n; i++)
        {
            worst = Math.Max(worst, Math.Abs(integrator.State[i] - (y0[i] * Math.Exp(-2 * lambda[i]))) / y0[i]);
        }

        OdeEvent e = Assert.Single(integrator.Solution.Events);
        double tExact = 10 * Math.Log(1 / 0.9);
        output.WriteLine($"n = {n}: worst relative error {worst:E2}, event error {Math.Abs(e.Time - tExact):E2}, {integrator.Statistics}");
        Assert.True(worst < 1e-7, $"worst {worst}");
        Assert.True(Math.Abs(e.Time - tExact) < 1e-8, $"event at {e.Time:R}, exact {tExact:R}");
    }

    /// <summary>Zeros of sin t (from y'' = −y) at a loose and a tight tolerance: Tsit5 locates them as precisely as DP5.</summary>
    [Theory]
    [InlineData(1e-6)]
    [InlineData(1e-9)]
    [InlineData(1e-14)]
    public void EventsAreLocatedAsPreciselyAsWithDp5(double tol)
    {
        double Worst(OdeAlgorithm alg, out OdeStatistics stats)
        {
            var problem = new OdeProblem(
                (t, y, dy) =>
                {
                    dy[0] = y[1];
                    dy[1] = -y[0];
                },
                [0.0, 1.0],
                0,
                20)
            {
                IsAutonomous = true,
                Events = [new EventFunction((t, y) => y[0])],
            };
            OdeSolution sol = Ode.Solve(problem, alg, new OdeOptions { Rtol = tol, Atol = tol });
            Assert.Equal(OdeStatus.Success, sol.Status);
            Assert.Equal(6, sol.Events.Count);
            double worst = 0;
            for (int k = 1; k <= 6; k++)
            {
                OdeEvent e = sol.Events[k - 1];
                Assert.Equal(k % 2 == 1 ? EventDirection.Falling : EventDirection.Rising, e.Direction);
                worst = Math.Max(worst, Math.Abs(e.Time - (k * Math.PI)));
            }

            stats = sol.Statistics;
            return worst;
        }

        double ts = Worst(new Tsit5(), out OdeStatistics tsStats);
        double dp = Worst(new DormandPrince54(), out OdeStatistics dpStats);
        output.WriteLine($"tol={tol:E0}: max |t_k − kπ| Tsit5 {ts:E2} ({tsStats}) | DP5 {dp:E2} ({dpStats})");
        Assert.True(ts <= Math.Max(3 * dp, 1e-12), $"Tsit5 {ts} vs DP5 {dp}");
        Assert.True(ts <= 100 * tol, $"Tsit5 {ts}");
    }

    [Fact]
    public void BouncingBallRestartsAtTheClosedFormBounceTimes()
    {
        const double g = 9.81, h0 = 10, e = 0.8;
        var problem = new OdeProblem(
            (t, y, dy) =>
            {
                dy[0] = y[1];
                dy[1] = -g;
            },
            [h0, 0.0],
            0,
            12)
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
        OdeSolution sol = Ode.Solve(problem, new Tsit5(), new OdeOptions { Rtol = 1e-10, Atol = 1e-10 });
        Assert.Equal(OdeStatus.Success, sol.Status);
        var exact = new List<double>();
        double tk = Math.Sqrt(2 * h0 / g), v = g * tk;
        while (tk <= 12)
        {
            exact.Add(tk);
            v *= e;
            tk += 2 * v / g;
        }

        Assert.Equal(exact.Count, sol.Events.Count);
        double worst = exact.Select((t, k) => Math.Abs(sol.Events[k].Time - t)).Max();
        output.WriteLine($"Tsit5: {exact.Count} bounces, max time error {worst:E2}; {sol.Statistics}");
        Assert.True(worst < 1e-9, $"worst {worst}");
    }

    [Fact]
    public void RegistryCreatesEveryMethodByConfigName()
    {
        Assert.Equal(["dp5", "bs3", "dop853", "rodas4", "rkc", "tsit5"], OdeAlgorithms.Names);
        (string Name, Type Type)[] expected =
        [
            ("dp5", typeof(DormandPrince54)), ("bs3", typeof(BogackiShampine32)), ("dop853", typeof(Dop853)),
            ("rodas4", typeof(Rodas4)), ("rkc", typeof(Rkc)), ("tsit5", typeof(Tsit5)),
        ];
        foreach ((string name, Type type) in expected)
        {
            Assert.True(OdeAlgorithms.TryCreate(name, out OdeAlgorithm? a));
            Assert.IsType(type, a);
            Assert.NotSame(a, OdeAlgorithms.Create(name));
        }

        Assert.False(OdeAlgorithms.TryCreate("Tsit5", out OdeAlgorithm? none));
        Assert.Null(none);
        Assert.False(OdeAlgorithms.TryCreate("auto", out _));
        ArgumentException ex = Assert.Throws<ArgumentException>(() => OdeAlgorithms.Create("rk45"));
        Assert.Equal("name", ex.ParamName);
    }
}

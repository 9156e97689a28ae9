using ResidualSheaf.Engine.Integration;

namespace ResidualSheaf.Tests.Integration;

/// <summary>Bad inputs, failure statuses, lazy stepping, saveat, dense output, stop rule, backward integration.</summary>
public class ApiAndInputTests
{
    private static void Decay(double t, ReadOnlySpan<double> y, Span<double> dy) => dy[0] = -y[0];

    private static OdeProblem DecayProblem(double t0 = 0, double tEnd = 5) => new(Decay, [1.0], t0, tEnd);

    [Fact]
    public void BadProblemsThrowNamingTheArgument()
    {
        Assert.Equal("y0", Assert.Throws<ArgumentException>(() => new OdeProblem(Decay, [double.NaN], 0, 1)).ParamName);
        Assert.Equal("y0", Assert.Throws<ArgumentException>(() => new OdeProblem(Decay, [double.PositiveInfinity], 0, 1)).ParamName);
        Assert.Equal("tEnd", Assert.Throws<ArgumentException>(() => new OdeProblem(Decay, [1.0], 1, 1)).ParamName);
        Assert.Equal("dt", Assert.Throws<ArgumentException>(() => new ExplicitEuler(0)).ParamName);
        Assert.Equal("dt", Assert.Throws<ArgumentException>(() => new RungeKutta4(-1)).ParamName);
    }

    public static TheoryData<string, OdeOptions> BadOptions() => new()
    {
        { "Rtol", new OdeOptions { Rtol = 0 } },
        { "Rtol", new OdeOptions { Rtol = -1e-6 } },
        { "Rtol", new OdeOptions { Rtol = double.NaN } },
        { "Atol", new OdeOptions { Atol = 0 } },
        { "Atol", new OdeOptions { Atol = double.PositiveInfinity } },
        { "AtolVector", new OdeOptions { AtolVector = [1e-6, 1e-6] } },
        { "RtolVector", new OdeOptions { RtolVector = [-1.0] } },
        { "MaxStep", new OdeOptions { MaxStep = 0 } },
        { "MaxStep", new OdeOptions { MaxStep = -1 } },
        { "FirstStep", new OdeOptions { FirstStep = 0 } },
        { "FirstStep", new OdeOptions { Adaptive = false } },
        { "MaxSteps", new OdeOptions { MaxSteps = 0 } },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void BadOptionsThrowNamingTheOption(string name, OdeOptions options)
    {
        ArgumentException ex = Assert.Throws<ArgumentException>(() => Ode.Solve(DecayProblem(), new DormandPrince54(), options));
        Assert.Equal(name, ex.ParamName);
    }

    public static TheoryData<string> AllMethods() => ["Euler", "RK4", "BS3", "DP5", "DOP853", "Rodas4"];

    private static OdeAlgorithm Make(string name) => name switch
    {
        "Euler" => new ExplicitEuler(0.01),
        "RK4" => new RungeKutta4(0.01),
        "BS3" => new BogackiShampine32(),
        "DP5" => new DormandPrince54(),
        "DOP853" => new Dop853(),
        _ => new Rodas4(),
    };

    [Theory]
    [MemberData(nameof(AllMethods))]
    public void NaNRightHandSideGivesStatusNotHang(string method)
    {
        var always = new OdeProblem((t, y, dy) => dy[0] = double.NaN, [1.0], 0, 1);
        Assert.Equal(OdeStatus.NonFiniteState, Ode.Solve(always, Make(method)).Status);

        var later = new OdeProblem((t, y, dy) => dy[0] = t > 0.5 ? double.NaN : -y[0], [1.0], 0, 1);
        OdeSolution sol = Ode.Solve(later, Make(method));
        Assert.Equal(OdeStatus.NonFiniteState, sol.Status);
        Assert.InRange(sol.FailureTime, 0.3, 0.51);
        Assert.True(sol.Statistics.Nfev < 10_000);
    }

    [Fact]
    public void BlowUpGivesStepSizeUnderflowWithTime()
    {
        // y' = y², y(0) = 1 blows up at t = 1.
        var problem = new OdeProblem((t, y, dy) => dy[0] = y[0] * y[0], [1.0], 0, 2);
        OdeSolution sol = Ode.Solve(problem, new DormandPrince54());
        Assert.True(sol.Status is OdeStatus.StepSizeUnderflow or OdeStatus.NonFiniteState, sol.Status.ToString());
        Assert.InRange(sol.FailureTime, 0.99, 1.01);
    }

    [Fact]
    public void StepLimitAndCancellationReturnStatuses()
    {
        OdeSolution limited = Ode.Solve(DecayProblem(0, 1000), new DormandPrince54(), new OdeOptions { MaxSteps = 5 });
        Assert.Equal(OdeStatus.StepLimit, limited.Status);
        Assert.Equal(5, limited.Statistics.Accepted + limited.Statistics.Rejected);

        using var cts = new CancellationTokenSource();
        cts.Cancel();
        OdeSolution cancelled = Ode.Solve(DecayProblem(), new DormandPrince54(), new OdeOptions { CancellationToken = cts.Token });
        Assert.Equal(OdeStatus.Cancelled, cancelled.Status);
    }

    [Fact]
    public void LazyStepsCanBeStoppedAndResumed()
    {
        var integrator = new OdeIntegrator(DecayProblem(), new DormandPrince54(), new OdeOptions { Rtol = 1e-8, Atol = 1e-8 });
        List<double> times = integrator.Steps().Take(5).Select(s => s.Time).ToList();
        Assert.Equal(5, times.Count);
        Assert.Equal(OdeStatus.Running, integrator.Status);
        Assert.Equal(times[^1], integrator.Time);
        Assert.True(times.Zip(times.Skip(1)).All(p => p.Second > p.First));
        while (integrator.Step())
        {
        }

        Assert.Equal(OdeStatus.Success, integrator.Status);
        Assert.Equal(5.0, integrator.Time);
        Assert.Equal(Math.Exp(-5), integrator.State[0], 1e-7);
        Assert.Equal(integrator.Statistics.Accepted + 1, integrator.Solution.Times.Count);
    }

    [Theory]
    [MemberData(nameof(AllMethods))]
    public void SaveAtAndDenseOutputMatchTheExactSolution(string method)
    {
        double[] saveAt = [0, 0.3, 1.1, 2.5, 4.99, 5];
        OdeSolution sol = Ode.Solve(DecayProblem(), Make(method), new OdeOptions { Rtol = 1e-9, Atol = 1e-9, SaveAt = saveAt, Dense = true });
        Assert.Equal(OdeStatus.Success, sol.Status);
        Assert.Equal(saveAt, sol.Times);
        double tol = method == "Euler" ? 2e-2 : method == "RK4" ? 1e-8 : 1e-6;
        for (int i = 0; i < saveAt.Length; i++)
        {
            Assert.Equal(Math.Exp(-saveAt[i]), sol.States[i][0], tol);
        }

        for (double t = 0; t <= 5; t += 0.37)
        {
            Assert.Equal(Math.Exp(-t), sol.Evaluate(t)[0], tol);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => sol.Evaluate(6.0));
    }

    [Fact]
    public void EulerStopRuleEndsWithConverged()
    {
        OdeSolution sol = Ode.Solve(DecayProblem(0, 1000), new ExplicitEuler(0.01, stopTolerance: 1e-6));
        Assert.Equal(OdeStatus.Converged, sol.Status);
        Assert.True(sol.FinalTime < 1000);

        // Step n changes y by dt·y_{n-1} = 0.01·0.99^(n-1): the rule max|Δy| < 1e-6 first holds when 0.99^(n-1) < 1e-4.
        int n = (int)Math.Ceiling(Math.Log(1e-4) / Math.Log(0.99)) + 1;
        Assert.Equal(n, sol.Statistics.Accepted);
    }

    [Fact]
    public void BackwardIntegrationAndPerComponentTolerances()
    {
        var problem = new OdeProblem((t, y, dy) =>
        {
            dy[0] = y[0];
            dy[1] = -2 * y[1];
        }, [Math.E, Math.Exp(-2)], 1, 0);
        OdeSolution sol = Ode.Solve(problem, new DormandPrince54(), new OdeOptions { RtolVector = [1e-10, 1e-6], AtolVector = [1e-12, 1e-8], Dense = true });
        Assert.Equal(OdeStatus.Success, sol.Status);
        Assert.Equal(0.0, sol.FinalTime);
        Assert.Equal(1.0, sol.FinalState[0], 1e-9);
        Assert.Equal(1.0, sol.FinalState[1], 1e-5);
        Assert.Equal(Math.Exp(0.5), sol.Evaluate(0.5)[0], 1e-8);
    }
}

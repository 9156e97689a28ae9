using ResidualSheaf.Engine.Integration;
using Xunit.Abstractions;

namespace ResidualSheaf.Tests.Integration;

/// <summary>Measured order of convergence (fixed steps; error at t = 2 of y' = y cos t against exp(sin t)).</summary>
public class OrderTests(ITestOutputHelper output)
{
    private const double TEnd = 2.0;

    private static double ErrorAtEnd(OdeAlgorithm alg, double h)
    {
        var problem = new OdeProblem(TestProblems.ExpSin, [1.0], 0, TEnd);
        var options = new OdeOptions { Adaptive = false, FirstStep = h };
        OdeSolution sol = Ode.Solve(problem, alg, options);
        Assert.Equal(OdeStatus.Success, sol.Status);
        Assert.Equal(TEnd, sol.FinalTime);
        Assert.Equal((int)Math.Round(TEnd / h) + 1, sol.Times.Count);

        // Global error: max over all step points (robust against a sign change of the error at one time).
        double err = 0;
        for (int i = 0; i < sol.Times.Count; i++)
        {
            err = Math.Max(err, Math.Abs(sol.States[i][0] - TestProblems.ExpSinExact(sol.Times[i])));
        }

        return err;
    }

    /// <summary>Method, theoretical order, numbers of steps on [0, 2] (chosen in the asymptotic range, above round-off).</summary>
    public static TheoryData<string, int, int[]> Methods() => new()
    {
        { "Euler", 1, [200, 400, 800, 1600] },
        { "RK4", 4, [20, 40, 80, 160] },
        { "BS3", 3, [20, 40, 80, 160] },
        { "DP5", 5, [10, 20, 40, 80] },
        { "DOP853", 8, [4, 5, 6, 8] },
        { "Rodas4", 4, [30, 60, 120, 240] },
        { "RKC", 2, [40, 80, 160, 320] },
    };

    private static OdeAlgorithm Make(string name, double h) => name switch
    {
        "Euler" => new ExplicitEuler(h),
        "RK4" => new RungeKutta4(h),
        "BS3" => new BogackiShampine32(),
        "DP5" => new DormandPrince54(),
        "DOP853" => new Dop853(),
        "Rodas4" => new Rodas4(),
        "RKC" => new Rkc(),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Methods))]
    public void MeasuredOrderMatchesTheory(string name, int order, int[] steps)
    {
        var hs = new List<double>();
        var errs = new List<double>();
        foreach (int n in steps)
        {
            double h = TEnd / n;
            hs.Add(h);
            errs.Add(ErrorAtEnd(Make(name, h), h));
        }

        double slope = TestProblems.LogLogSlope(hs, errs);
        output.WriteLine($"{name}: errors {string.Join(", ", errs.Select(e => e.ToString("E2")))} slope {slope:F3}");
        Assert.InRange(slope, order - 0.3, order + 0.3);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void DenseOutputConvergesAtStepMidpoints(string name, int order, int[] steps)
    {
        // Local interpolation error is O(h^(p*+1)) with p* ≥ min(p, dense order); the global error adds O(h^p):
        // the max error over midpoints must converge at least like h^min(p, p*+1) with p* = 3 (Hermite/Rodas), 4 (DP5), 7 (DOP853).
        int pDense = name switch { "DP5" => 4, "DOP853" => 7, _ => 3 };
        int expected = Math.Min(order, pDense + 1);
        var hs = new List<double>();
        var errs = new List<double>();
        foreach (int n in steps)
        {
            double h = TEnd / n;
            var problem = new OdeProblem(TestProblems.ExpSin, [1.0], 0, TEnd);
            OdeSolution sol = Ode.Solve(problem, Make(name, h), new OdeOptions { Adaptive = false, FirstStep = h, Dense = true });
            double err = 0;
            for (double t = h / 2; t < TEnd; t += h)
            {
                err = Math.Max(err, Math.Abs(sol.Evaluate(t)[0] - TestProblems.ExpSinExact(t)));
            }

            hs.Add(h);
            errs.Add(err);
        }

        double slope = TestProblems.LogLogSlope(hs, errs);
        output.WriteLine($"{name} dense: errors {string.Join(", ", errs.Select(e => e.ToString("E2")))} slope {slope:F3}");
        Assert.True(slope > expected - 0.5, $"dense slope {slope}");
    }
}

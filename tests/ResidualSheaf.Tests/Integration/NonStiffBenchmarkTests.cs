using ResidualSheaf.Engine.Integration;
using Xunit.Abstractions;

namespace ResidualSheaf.Tests.Integration;

/// <summary>Arenstorf orbit and the non-normal linear system y' = A y.</summary>
public class NonStiffBenchmarkTests(ITestOutputHelper output)
{
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

    [Fact]
    public void Dop853ReturnsToInitialPointAfterOnePeriod()
    {
        OdeSolution sol = Arenstorf(new Dop853(), 1e-12, out _);
        Assert.Equal(OdeStatus.Success, sol.Status);
        double err = TestProblems.MaxAbsDiff(sol.FinalState, TestProblems.ArenstorfY0);
        output.WriteLine($"DOP853 rtol=atol=1e-12: |y(T) - y0|inf = {err:E2}, {sol.Statistics}");
        Assert.True(err <= 1e-9, $"err {err}");
    }

    /// <summary>SciPy 1.10 figures (integration-notes §5) at rtol = atol = tol: accepted steps and f-evaluations within 10 % (issue 3).</summary>
    [Theory]
    [InlineData("DP5", 1e-6, 132, 1004)]
    [InlineData("DP5", 1e-8, 320, 2114)]
    [InlineData("DP5", 1e-10, 794, 4772)]
    [InlineData("DP5", 1e-12, 1997, 11990)]
    [InlineData("DOP853", 1e-6, 66, 1070)]
    [InlineData("DOP853", 1e-8, 106, 1778)]
    [InlineData("DOP853", 1e-10, 176, 2870)]
    [InlineData("DOP853", 1e-12, 298, 4286)]
    public void WorkIsCloseToPublishedFigures(string method, double tol, int refSteps, int refNfev)
    {
        OdeAlgorithm alg = method == "DP5" ? new DormandPrince54() : new Dop853();
        OdeSolution sol = Arenstorf(alg, tol, out long calls);
        Assert.Equal(OdeStatus.Success, sol.Status);
        double err = TestProblems.MaxAbsDiff(sol.FinalState, TestProblems.ArenstorfY0);
        OdeStatistics s = sol.Statistics;
        output.WriteLine($"{method} tol={tol:E0}: accepted={s.Accepted} rejected={s.Rejected} nfev={s.Nfev} err={err:E2} (SciPy: {refSteps} steps, {refNfev} nfev)");
        Assert.Equal(calls, s.Nfev);
        Assert.InRange(s.Accepted, 0.9 * refSteps, 1.1 * refSteps);
        Assert.InRange(s.Nfev, 0.9 * refNfev, 1.1 * refNfev);
    }

    /// <summary>A non-normal 6×6 matrix: stable diagonal, large strictly upper part, a small lower perturbation.</summary>
    private static double[,] NonNormal()
    {
        var a = new double[6, 6];
        for (int i = 0; i < 6; i++)
        {
            a[i, i] = -0.5 * (i + 1);
            for (int j = i + 1; j < 6; j++)
            {
                a[i, j] = 2.0 + (0.3 * (j - i));
            }

            if (i > 0)
            {
                a[i, i - 1] = 0.1;
            }
        }

        return a;
    }

    private static double[,] MatMul(double[,] x, double[,] y)
    {
        int n = x.GetLength(0);
        var r = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int k = 0; k < n; k++)
                {
                    s += x[i, k] * y[k, j];
                }

                r[i, j] = s;
            }
        }

        return r;
    }

    /// <summary>Reference exp(A t) by scaling and squaring with a 30-term Taylor series (independent of the integrators).</summary>
    private static double[,] Expm(double[,] a, double t)
    {
        int n = a.GetLength(0);
        double norm = 0;
        for (int i = 0; i < n; i++)
        {
            double row = 0;
            for (int j = 0; j < n; j++)
            {
                row += Math.Abs(a[i, j] * t);
            }

            norm = Math.Max(norm, row);
        }

        int s = Math.Max(0, (int)Math.Ceiling(Math.Log2(norm / 0.25)));
        double scale = t / Math.Pow(2, s);
        var x = new double[n, n];
        var term = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            x[i, i] = 1;
            term[i, i] = 1;
        }

        var aScaled = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                aScaled[i, j] = a[i, j] * scale;
            }
        }

        for (int k = 1; k <= 30; k++)
        {
            term = MatMul(term, aScaled);
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    term[i, j] /= k;
                    x[i, j] += term[i, j];
                }
            }
        }

        for (int k = 0; k < s; k++)
        {
            x = MatMul(x, x);
        }

        return x;
    }

    [Theory]
    [InlineData("DOP853")]
    [InlineData("DP5")]
    [InlineData("Rodas4")]
    public void LinearNonNormalSystemMatchesMatrixExponential(string method)
    {
        double[,] a = NonNormal();
        double[] y0 = [1, -1, 0.5, 2, -0.3, 0.7];
        const double tEnd = 3.0;
        double[,] e = Expm(a, tEnd);
        var exact = new double[6];
        for (int i = 0; i < 6; i++)
        {
            for (int j = 0; j < 6; j++)
            {
                exact[i] += e[i, j] * y0[j];
            }
        }

        var problem = new OdeProblem(
            (t, y, dy) =>
            {
                for (int i = 0; i < 6; i++)
                {
                    double s = 0;
                    for (int j = 0; j < 6; j++)
                    {
                        s += a[i, j] * y[j];
                    }

                    dy[i] = s;
                }
            },
            y0,
            0,
            tEnd)
        {
            IsAutonomous = true,
            Jacobian = (t, y, jac) => Array.Copy(a, jac, a.Length),
        };
        OdeAlgorithm alg = method switch { "DOP853" => new Dop853(), "DP5" => new DormandPrince54(), _ => new Rodas4() };
        OdeSolution sol = Ode.Solve(problem, alg, new OdeOptions { Rtol = 1e-12, Atol = 1e-14, SaveEveryStep = false });
        Assert.Equal(OdeStatus.Success, sol.Status);
        double norm = exact.Max(Math.Abs);
        double rel = TestProblems.MaxAbsDiff(sol.FinalState, exact) / norm;
        output.WriteLine($"{method}: relative error {rel:E2}, {sol.Statistics}");
        Assert.True(rel <= 1e-10, $"relative error {rel}");
    }
}

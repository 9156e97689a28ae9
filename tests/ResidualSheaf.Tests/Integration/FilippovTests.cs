using ResidualSheaf.Engine.Integration;
using Xunit.Abstractions;

namespace ResidualSheaf.Tests.Integration;

/// <summary>
/// The closed-form Filippov problem of integration-notes §1: c1' = −s(c1−c2) + 0.5, c2' = s(c1−c2) − 0.4, s = 1[c1 &gt; 1.5], c(0) = (2, 0).
/// The caller keeps a frozen mode (Active / Inactive / Sliding) and handles crossing, sliding and exit through the event API.
/// </summary>
public class FilippovTests(ITestOutputHelper output)
{
    private enum Mode
    {
        Active,
        Inactive,
        Sliding,
    }

    private sealed class Controller
    {
        public Mode Mode { get; set; } = Mode.Active;

        public long Calls { get; private set; }

        public List<(double Time, Mode Mode)> Transitions { get; } = [];

        /// <summary>c1' on the active side (s = 1).</summary>
        public static double ActiveC1(ReadOnlySpan<double> c) => -(c[0] - c[1]) + 0.5;

        /// <summary>c1' on the inactive side (s = 0).</summary>
        public static double InactiveC1(ReadOnlySpan<double> c) => 0.5;

        public void Rhs(double t, ReadOnlySpan<double> c, Span<double> dc)
        {
            Calls++;
            switch (Mode)
            {
                case Mode.Active:
                    dc[0] = -(c[0] - c[1]) + 0.5;
                    dc[1] = (c[0] - c[1]) - 0.4;
                    break;
                case Mode.Inactive:
                    dc[0] = 0.5;
                    dc[1] = -0.4;
                    break;
                default:
                    // Filippov convex combination θ f_active + (1−θ) f_inactive with θ chosen so that c1' = 0.
                    double fa = ActiveC1(c), fi = InactiveC1(c);
                    double theta = fi / (fi - fa);
                    dc[0] = 0;
                    dc[1] = (theta * ((c[0] - c[1]) - 0.4)) + ((1 - theta) * -0.4);
                    break;
            }
        }

        private bool Classify(double t, Span<double> c)
        {
            c[0] = 1.5; // on the surface exactly
            double fa = ActiveC1(c), fi = InactiveC1(c);
            Mode = fa < 0 && fi > 0 ? Mode.Sliding : (fa >= 0 && fi >= 0 ? Mode.Active : (fa <= 0 && fi <= 0 ? Mode.Inactive : Mode.Active));
            Transitions.Add((t, Mode));
            return true;
        }

        public EventFunction[] Events() =>
        [
            // 0: the switching surface c1 = 1.5 (not watched while sliding).
            new EventFunction((t, c) => Mode == Mode.Sliding ? 1 : c[0] - 1.5, EventDirection.Both, EventAction.Restart, (t, c, i, d) => Classify(t, c)),

            // 1: sliding ends upwards when the active-side velocity reaches 0.
            new EventFunction((t, c) => Mode == Mode.Sliding ? ActiveC1(c) : -1, EventDirection.Rising, EventAction.Restart, (t, c, i, d) =>
            {
                Mode = Mode.Active;
                Transitions.Add((t, Mode));
                return true;
            }),

            // 2: sliding ends downwards when the inactive-side velocity reaches 0.
            new EventFunction((t, c) => Mode == Mode.Sliding ? InactiveC1(c) : 1, EventDirection.Falling, EventAction.Restart, (t, c, i, d) =>
            {
                Mode = Mode.Inactive;
                Transitions.Add((t, Mode));
                return true;
            }),
        ];
    }

    /// <summary>Sliding start: before it c1 + c2 = 2 + 0.1 t and c1 − c2 = 0.45 + 1.55 e^{−2t}; c1 = 1.5 ⇔ 0.1 t + 1.55 e^{−2t} = 0.55.</summary>
    private static double SlidingStart()
    {
        double t = 0.5;
        for (int i = 0; i < 50; i++)
        {
            double f = (0.1 * t) + (1.55 * Math.Exp(-2 * t)) - 0.55;
            double df = 0.1 - (3.1 * Math.Exp(-2 * t));
            t -= f / df;
        }

        return t;
    }

    [Theory]
    [InlineData(1e-6, 300)]
    [InlineData(1e-10, 1000)]
    public void SlidingIsHandledThroughTheEventApi(double tol, int maxNfev)
    {
        var ctl = new Controller();
        var problem = new OdeProblem(ctl.Rhs, [2.0, 0.0], 0, 8) { IsAutonomous = true, Events = ctl.Events() };
        OdeSolution sol = Ode.Solve(problem, new DormandPrince54(), new OdeOptions { Rtol = tol, Atol = tol });
        Assert.Equal(OdeStatus.Success, sol.Status);

        double ts = SlidingStart();
        Assert.Equal(0.573061067444, ts, 1e-11);
        double d8 = 0.45 + (0.05 * Math.Exp(-6)); // c1 − c2 after the exit at t = 5 with c = (1.5, 1)
        double[] exact = [(2.8 + d8) / 2, (2.8 - d8) / 2];

        Assert.Equal(2, sol.Events.Count);
        Assert.Equal([Mode.Sliding, Mode.Active], ctl.Transitions.Select(x => x.Mode).ToArray());
        double errTs = Math.Abs(sol.Events[0].Time - ts), errTe = Math.Abs(sol.Events[1].Time - 5.0);
        double errC = TestProblems.MaxAbsDiff(sol.FinalState, exact);
        output.WriteLine($"tol {tol:E0}: nfev={sol.Statistics.Nfev} (calls {ctl.Calls}), |t_s err|={errTs:E2}, |t_e err|={errTe:E2}, |c(8) err|={errC:E2}, c(8)=({sol.FinalState[0]:F8}, {sol.FinalState[1]:F8}); {sol.Statistics}");
        Assert.Equal(ctl.Calls, sol.Statistics.Nfev);
        Assert.True(errTs < 100 * tol, $"t_s error {errTs}");
        Assert.True(errTe < 100 * tol, $"t_e error {errTe}");
        Assert.True(errC < 100 * tol, $"c(8) error {errC}");
        Assert.Equal(1.62506197, sol.FinalState[0], 1e-6);
        Assert.Equal(1.17493803, sol.FinalState[1], 1e-6);
        Assert.True(sol.Statistics.Nfev < maxNfev, $"nfev {sol.Statistics.Nfev}");
    }
}

using ResidualSheaf.Engine.Integration;

namespace ResidualSheaf.Tests.Integration;

/// <summary>Standard test problems with call counters.</summary>
internal static class TestProblems
{
    public const double ArenstorfPeriod = 17.0652165601579625588917206249;
    public static readonly double[] ArenstorfY0 = [0.994, 0, 0, -2.00158510637908252240537862224];

    public static void Arenstorf(double t, ReadOnlySpan<double> y, Span<double> dy)
    {
        const double mu = 0.012277471;
        const double mup = 1 - mu;
        double r1 = Math.Pow(((y[0] + mu) * (y[0] + mu)) + (y[1] * y[1]), 1.5);
        double r2 = Math.Pow(((y[0] - mup) * (y[0] - mup)) + (y[1] * y[1]), 1.5);
        dy[0] = y[2];
        dy[1] = y[3];
        dy[2] = y[0] + (2 * y[3]) - (mup * (y[0] + mu) / r1) - (mu * (y[0] - mup) / r2);
        dy[3] = y[1] - (2 * y[2]) - (mup * y[1] / r1) - (mu * y[1] / r2);
    }

    public static OdeRhs VanDerPol(double mu) => (t, y, dy) =>
    {
        dy[0] = y[1];
        dy[1] = (mu * (1 - (y[0] * y[0])) * y[1]) - y[0];
    };

    public static OdeJacobian VanDerPolJacobian(double mu) => (t, y, j) =>
    {
        j[0, 0] = 0;
        j[0, 1] = 1;
        j[1, 0] = (-2 * mu * y[0] * y[1]) - 1;
        j[1, 1] = mu * (1 - (y[0] * y[0]));
    };

    public static void Robertson(double t, ReadOnlySpan<double> y, Span<double> dy)
    {
        double r1 = 0.04 * y[0], r2 = 1e4 * y[1] * y[2], r3 = 3e7 * y[1] * y[1];
        dy[0] = -r1 + r2;
        dy[1] = r1 - r2 - r3;
        dy[2] = r3;
    }

    /// <summary>y' = y cos t, y(0) = 1: y = exp(sin t).</summary>
    public static void ExpSin(double t, ReadOnlySpan<double> y, Span<double> dy) => dy[0] = y[0] * Math.Cos(t);

    public static double ExpSinExact(double t) => Math.Exp(Math.Sin(t));

    public static double MaxAbsDiff(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double m = 0;
        for (int i = 0; i < a.Length; i++)
        {
            m = Math.Max(m, Math.Abs(a[i] - b[i]));
        }

        return m;
    }

    /// <summary>Least-squares slope of log(err) against log(h).</summary>
    public static double LogLogSlope(IReadOnlyList<double> h, IReadOnlyList<double> err)
    {
        int n = h.Count;
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (int i = 0; i < n; i++)
        {
            double x = Math.Log(h[i]), y = Math.Log(err[i]);
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
        }

        return ((n * sxy) - (sx * sy)) / ((n * sxx) - (sx * sx));
    }
}

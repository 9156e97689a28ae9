using ResidualSheaf.Engine;
using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Sheaves;

namespace ResidualSheaf.Tests.Heat;

/// <summary>
/// Independent references for the heat flow, written with the pre-existing Coboundary / DirichletEnergy code only (never the
/// Heat namespace): the right-hand side with masks from the state, and classical RK4 with a fixed tiny step.
/// </summary>
internal static class HeatReference
{
    /// <summary>N(0, 1) numbers from a seeded System.Random (Box–Muller).</summary>
    public static double[] Normal(int n, int seed, double scale = 1.0)
    {
        var rng = new Random(seed);
        var v = new double[n];
        for (int i = 0; i < n; i++)
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            v[i] = scale * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }
        return v;
    }

    /// <summary>−α∇E on the free coordinates of the global cochain c (zero on pins), masks from c.</summary>
    public static void Rhs(DirichletProblem p, double alpha, double[] c, double[] dc, MaskPattern masks, double[] r, double[] g)
    {
        var sheaf = p.Sheaf;
        masks.UpdateFrom(sheaf, c);
        Coboundary.Apply(sheaf, c, masks, r);
        Array.Clear(g);
        Coboundary.TransposeMultiplyAdd(sheaf, r, masks, g);
        Array.Clear(dc);
        foreach (int j in p.FreeCoordinates) dc[j] = -alpha * g[j];
    }

    /// <summary>Classical RK4 with step h from the free state <paramref name="free0"/>; returns the free states at <paramref name="times"/> (multiples of h).</summary>
    public static double[][] Rk4(DirichletProblem p, double alpha, double[] free0, double[] times, double h)
    {
        var sheaf = p.Sheaf;
        int n = sheaf.TotalDimension;
        var c = p.Embed(free0);
        var masks = new MaskPattern(n);
        var r = new double[sheaf.EdgeDimension];
        var g = new double[n];
        double[] k1 = new double[n], k2 = new double[n], k3 = new double[n], k4 = new double[n], tmp = new double[n];
        var result = new double[times.Length][];
        long step = 0;
        for (int ti = 0; ti < times.Length; ti++)
        {
            long target = (long)Math.Round(times[ti] / h);
            for (; step < target; step++)
            {
                Rhs(p, alpha, c, k1, masks, r, g);
                for (int i = 0; i < n; i++) tmp[i] = c[i] + 0.5 * h * k1[i];
                Rhs(p, alpha, tmp, k2, masks, r, g);
                for (int i = 0; i < n; i++) tmp[i] = c[i] + 0.5 * h * k2[i];
                Rhs(p, alpha, tmp, k3, masks, r, g);
                for (int i = 0; i < n; i++) tmp[i] = c[i] + h * k3[i];
                Rhs(p, alpha, tmp, k4, masks, r, g);
                for (int i = 0; i < n; i++) c[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
            }
            result[ti] = p.Restrict(c);
        }
        return result;
    }

    /// <summary>
    /// Event-located RK4 (test-only reference, written independently of the Heat namespace): masks frozen inside each step, a step
    /// that changes a unit's side is cut by bisection on the sub-step length (to ~1e−15), the unit is put on its surface and
    /// reclassified from its two surface forces (inactive w, active w + a): w &gt; 0 &gt; w + a slides (z held at 0, ż = 0) until w
    /// or w + a reaches 0. Global error O(h⁴) between switches. Returns free states at <paramref name="times"/>.
    /// </summary>
    public static double[][] EventRk4(DirichletProblem p, double alpha, double[] free0, double[] times, double h)
    {
        var sheaf = p.Sheaf;
        int n = sheaf.TotalDimension;
        var units = sheaf.MaskCoordinates.Where(j => p.FreeIndex(j) >= 0).ToArray();
        var c = p.Embed(free0);
        var theta = MaskPattern.From(sheaf, c); // pinned masks from the pins; free ones overwritten below
        var sliding = new bool[n];
        foreach (int j in units) theta.Theta[j] = c[j] >= 0 ? 1 : 0;
        var masks = theta;
        var r = new double[sheaf.EdgeDimension];
        var g = new double[n];
        double[] k1 = new double[n], k2 = new double[n], k3 = new double[n], k4 = new double[n], tmp = new double[n], trial = new double[n];
        var result = new double[times.Length][];
        double t = 0;
        const double band = 1e-13;

        void F(double[] x, double[] dx)
        {
            foreach (int j in units) if (sliding[j]) x[j] = 0;
            Coboundary.Apply(sheaf, x, masks, r);
            Array.Clear(g);
            Coboundary.TransposeMultiplyAdd(sheaf, r, masks, g);
            Array.Clear(dx);
            foreach (int j in p.FreeCoordinates) if (!sliding[j]) dx[j] = -alpha * g[j];
        }

        void Step(double[] x, double s, double[] y)
        {
            F(x, k1);
            for (int i = 0; i < n; i++) tmp[i] = x[i] + 0.5 * s * k1[i];
            F(tmp, k2);
            for (int i = 0; i < n; i++) tmp[i] = x[i] + 0.5 * s * k2[i];
            F(tmp, k3);
            for (int i = 0; i < n; i++) tmp[i] = x[i] + s * k3[i];
            F(tmp, k4);
            for (int i = 0; i < n; i++) y[i] = x[i] + s / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
        }

        // The z_j force with θ_j = 0 and θ_j = 1 at x with z_j := 0.
        (double W, double WA) SurfaceForces(double[] x, int j)
        {
            var y = (double[])x.Clone();
            y[j] = 0;
            double saved = theta.Theta[j];
            bool wasSliding = sliding[j];
            sliding[j] = false;
            var dx = new double[n];
            theta.Theta[j] = 0;
            F(y, dx);
            double w = dx[j];
            theta.Theta[j] = 1;
            F(y, dx);
            double wa = dx[j];
            theta.Theta[j] = saved;
            sliding[j] = wasSliding;
            return (w, wa);
        }

        void Classify(int j)
        {
            var (w, wa) = SurfaceForces(c, j);
            c[j] = 0;
            sliding[j] = w > 0 && wa < 0;
            theta.Theta[j] = sliding[j] ? 0 : (w < 0 && wa > 0) || (w >= 0 && wa >= 0) ? 1 : 0;
        }

        // Index of the first unit whose side is violated at x, or −1.
        int Violated(double[] x)
        {
            foreach (int j in units)
            {
                if (sliding[j])
                {
                    var (w, wa) = SurfaceForces(x, j);
                    if (w <= 0 || wa >= 0) return j;
                }
                else if (theta.Theta[j] == 1 ? x[j] < -band : x[j] > band) return j;
            }
            return -1;
        }

        foreach (int j in units)
            if (c[j] == 0) Classify(j);
        for (int ti = 0; ti < times.Length; ti++)
        {
            while (t < times[ti])
            {
                double s = Math.Min(h, times[ti] - t);
                if (times[ti] - t - s < 1e-12 * h) s = times[ti] - t;
                Step(c, s, trial);
                if (Violated(trial) < 0)
                {
                    Array.Copy(trial, c, n);
                    t = s >= times[ti] - t ? times[ti] : t + s;
                    continue;
                }
                double lo = 0, hi = s;
                while (hi - lo > 1e-15 * Math.Max(1, t))
                {
                    double mid = 0.5 * (lo + hi);
                    Step(c, mid, trial);
                    if (Violated(trial) < 0) lo = mid; else hi = mid;
                }
                Step(c, hi, trial);
                int u = Violated(trial);
                Array.Copy(trial, c, n);
                t += hi;
                if (u < 0) continue;
                if (sliding[u])
                {
                    var (w, _) = SurfaceForces(c, u);
                    sliding[u] = false;
                    theta.Theta[u] = w <= 0 ? 0 : 1;
                    c[u] = 0;
                }
                else Classify(u);
            }
            result[ti] = p.Restrict(c);
        }
        return result;
    }

    /// <summary>E of a free state with masks from the state (pre-existing DirichletEnergy).</summary>
    public static double Energy(DirichletProblem p, double[] free) => DirichletEnergy.Evaluate(p.Sheaf, p.Embed(free));

    /// <summary>max_i |a_i − b_i|.</summary>
    public static double MaxDiff(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double m = 0;
        for (int i = 0; i < a.Length; i++) m = Math.Max(m, Math.Abs(a[i] - b[i]));
        return m;
    }

    /// <summary>max_i |x_i|.</summary>
    public static double MaxAbs(ReadOnlySpan<double> x) => Numerics.MaxAbs(x);
}

namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// Root location for h(τ) = s·(g* + Σ_k a_k e^{−λ_k τ}) on τ ≥ 0: Descartes' rule of signs for exponential sums, a geometric
/// bracketing grid, and Brent's method.
/// </summary>
public static class ExponentialSum
{
    /// <summary>Grid ratio of the geometric bracketing grid.</summary>
    public const double GridRatio = 1.15;

    /// <summary>h(τ).</summary>
    public static double Evaluate(double sign, double gStar, ReadOnlySpan<double> a, ReadOnlySpan<double> lambda, double tau)
    {
        double s = gStar;
        for (int k = 0; k < a.Length; k++)
            if (a[k] != 0) s += a[k] * Math.Exp(-lambda[k] * tau);
        return sign * s;
    }

    /// <summary>
    /// Sign changes of (g*, merged a ordered by increasing λ); λ values in the same group (<paramref name="groupStart"/>, ascending,
    /// with a final sentinel = length) are merged. Zero sign changes ⇒ no real root.
    /// </summary>
    public static int SignChanges(double gStar, ReadOnlySpan<double> a, ReadOnlySpan<int> groupStart, double zero)
    {
        int changes = 0;
        int last = Math.Abs(gStar) > zero ? Math.Sign(gStar) : 0;
        for (int g = 0; g + 1 < groupStart.Length; g++)
        {
            double sum = 0;
            for (int k = groupStart[g]; k < groupStart[g + 1]; k++) sum += a[k];
            if (Math.Abs(sum) <= zero) continue;
            int s = Math.Sign(sum);
            if (last != 0 && s != last) changes++;
            last = s;
        }
        return changes;
    }

    /// <summary>
    /// The earliest τ in [0, <paramref name="horizon"/>] where h rises from negative to ≥ 0, or +∞. A function that starts inside
    /// the band |h| ≤ 1e−12·(1 + |g*| + Σ|a_k|) (hysteresis after an event) is only watched once it has left the band downwards;
    /// if it leaves upwards the event is immediate.
    /// </summary>
    public static double EarliestRise(double sign, double gStar, ReadOnlySpan<double> a, ReadOnlySpan<double> lambda,
        ReadOnlySpan<int> groupStart, double horizon)
    {
        double sumAbs = 0;
        foreach (double v in a) sumAbs += Math.Abs(v);
        double band = 1e-12 * (1 + Math.Abs(gStar) + sumAbs);
        if (SignChanges(gStar, a, groupStart, 1e-300) == 0 && -band > Evaluate(sign, gStar, a, lambda, 0)) return double.PositiveInfinity;
        double lmin = lambda[0], lmax = lambda[^1];
        // Beyond tauFar the transient is below band/2 and h ≈ s·g*.
        double tauFar = (Math.Log(Math.Max(2 * sumAbs / band, 1.0)) + 1) / lmin;
        double tau0 = 1e-10 / lmax;
        double h0 = Evaluate(sign, gStar, a, lambda, 0);
        // Most functions are far below their surface: one monotone bound over the whole horizon excludes them without the grid.
        if (h0 < -band && UpperBound(sign, gStar, a, lambda, 0, horizon) < 0) return double.PositiveInfinity;
        double ta = 0, ha = h0;
        double t = tau0;
        if (h0 >= -band)
        {
            bool left = false;
            // Still inside the band at the horizon: no rise before it.
            for (; t <= tauFar * GridRatio && t <= horizon * GridRatio; t *= GridRatio)
            {
                double v = Evaluate(sign, gStar, a, lambda, t);
                if (v < -band) { ta = t; ha = v; left = true; t *= GridRatio; break; }
                if (v > band)
                    return h0 < 0 ? Brent(sign, gStar, a, lambda, 0, h0, t, v) : 0.0;
            }
            if (!left) return double.PositiveInfinity;
        }
        int grow = 0;
        while (ta < horizon && ta <= tauFar)
        {
            double v = Evaluate(sign, gStar, a, lambda, t);
            if (grow > 0 && !(v < 0 && Excluded(sign, gStar, a, lambda, ta, ha, t, v, band)))
            {
                // A long cell the bounds do not exclude at once is searched as grid cells, so that roots are bracketed as before.
                grow = 0;
                t = ta * GridRatio;
                continue;
            }
            if (grow == 0)
            {
                // A grid cell with both ends negative is excluded rigorously by a monotone upper bound, or subdivided.
                int budget = RefineBudget;
                double r = Refine(sign, gStar, a, lambda, ta, ha, t, v, 0, band, ref budget);
                if (!double.IsPositiveInfinity(r)) return r;
            }
            ta = t;
            ha = v;
            // Far from its surface a function is excluded cell after cell: the cells grow (ratio 1.15^(2^k)) while that lasts.
            grow = Math.Min(grow + 1, MaxGrowth);
            t = ta * Math.Pow(GridRatio, 1 << grow);
        }
        return double.PositiveInfinity;
    }

    /// <summary>Largest k of the grown cells' ratio 1.15^(2^k) (k = 5: about 88).</summary>
    private const int MaxGrowth = 5;

    /// <summary>The exclusions <see cref="Refine"/> makes without subdividing, for a cell with h(lo), h(hi) &lt; 0.</summary>
    private static bool Excluded(double sign, double gStar, ReadOnlySpan<double> a, ReadOnlySpan<double> lambda,
        double lo, double hlo, double hi, double hhi, double band)
    {
        if (Math.Max(hlo, hhi) + CurvatureBound(sign, a, lambda, lo, hi) * (hi - lo) * (hi - lo) / 8 < 0) return true;
        double upper = UpperBound(sign, gStar, a, lambda, lo, hi);
        return upper < 0 || upper <= band;
    }

    /// <summary>
    /// Upper bound of h on [lo, hi]: every term s·a_k e^{−λ_k τ} is monotone in τ, so its maximum is at one end of the interval.
    /// </summary>
    public static double UpperBound(double sign, double gStar, ReadOnlySpan<double> a, ReadOnlySpan<double> lambda, double lo, double hi)
    {
        double u = sign * gStar;
        for (int k = 0; k < a.Length; k++)
        {
            double b = sign * a[k];
            if (b == 0) continue;
            u += b > 0 ? b * Math.Exp(-lambda[k] * lo) : b * Math.Exp(-lambda[k] * hi);
        }
        return u;
    }

    /// <summary>
    /// Upper bound of max(0, −h'') on [lo, hi] (each term −s·a_k λ_k² e^{−λ_k τ} is monotone, largest at lo when positive). With
    /// it, h ≤ max(h(lo), h(hi)) + bound·w²/8: h minus its chord is ∫G·(−h'') with the Green's function G ≥ 0, ∫G ≤ w²/8, so only
    /// the concave part of h can lift it above its chord. (The convex part, s·a_k &gt; 0, bounds h from below, not from above: using
    /// it here excluded cells in which a concave hump crossed zero, and the exact integrator missed those switches.)
    /// </summary>
    public static double CurvatureBound(double sign, ReadOnlySpan<double> a, ReadOnlySpan<double> lambda, double lo, double hi)
    {
        double u = 0;
        for (int k = 0; k < a.Length; k++)
        {
            double b = -sign * a[k] * lambda[k] * lambda[k];
            if (b > 0) u += b * Math.Exp(-lambda[k] * lo);
        }
        return u;
    }

    /// <summary>Evaluations one grid cell's subdivision may spend before its remaining subcells are treated as grazes.</summary>
    public const int RefineBudget = 4096;

    /// <summary>
    /// The earliest rise in [lo, hi] given h(lo) &lt; 0: Brent when h(hi) ≥ 0; otherwise excluded by <see cref="UpperBound"/> or
    /// bisected (left half first) until excluded, found, or below resolution (a tangency that does not change the side). A cell
    /// whose upper bound stays inside the rounding band cannot rise by more than rounding and is a graze, not a switch: without
    /// that, a switching function that creeps up to its surface from below (h → 0⁻) is bisected on both halves at every level.
    /// The budget bounds what is left of that search.
    /// </summary>
    private static double Refine(double sign, double gStar, ReadOnlySpan<double> a, ReadOnlySpan<double> lambda,
        double lo, double hlo, double hi, double hhi, int depth, double band, ref int budget)
    {
        if (hhi >= 0) return Brent(sign, gStar, a, lambda, lo, hlo, hi, hhi);
        if (Excluded(sign, gStar, a, lambda, lo, hlo, hi, hhi, band)) return double.PositiveInfinity;
        if (depth >= 48 || hi - lo <= 8 * 2.220446049250313e-16 * hi || --budget < 0) return double.PositiveInfinity;
        double mid = 0.5 * (lo + hi);
        double hm = Evaluate(sign, gStar, a, lambda, mid);
        if (hm >= 0) return Brent(sign, gStar, a, lambda, lo, hlo, mid, hm);
        double r = Refine(sign, gStar, a, lambda, lo, hlo, mid, hm, depth + 1, band, ref budget);
        return double.IsPositiveInfinity(r) ? Refine(sign, gStar, a, lambda, mid, hm, hi, hhi, depth + 1, band, ref budget) : r;
    }

    /// <summary>Brent's method on [lo, hi] with h(lo) &lt; 0 ≤ h(hi), to about machine precision in τ.</summary>
    public static double Brent(double sign, double gStar, ReadOnlySpan<double> coef, ReadOnlySpan<double> lambda,
        double lo, double flo, double hi, double fhi)
    {
        double a = lo, b = hi, fa = flo, fb = fhi;
        if (fb == 0) return b;
        double c = a, fc = fa, d = b - a, e = d;
        for (int iter = 0; iter < 200; iter++)
        {
            if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) { c = a; fc = fa; d = b - a; e = d; }
            if (Math.Abs(fc) < Math.Abs(fb)) { a = b; b = c; c = a; fa = fb; fb = fc; fc = fa; }
            double tol = 2 * double.Epsilon + 2 * 2.220446049250313e-16 * Math.Abs(b);
            double m = 0.5 * (c - b);
            if (Math.Abs(m) <= tol || fb == 0) break;
            if (Math.Abs(e) >= tol && Math.Abs(fa) > Math.Abs(fb))
            {
                double s = fb / fa, p, q;
                if (a == c) { p = 2 * m * s; q = 1 - s; }
                else
                {
                    double qq = fa / fc, r = fb / fc;
                    p = s * (2 * m * qq * (qq - r) - (b - a) * (r - 1));
                    q = (qq - 1) * (r - 1) * (s - 1);
                }
                if (p > 0) q = -q; else p = -p;
                if (2 * p < Math.Min(3 * m * q - Math.Abs(tol * q), Math.Abs(e * q))) { e = d; d = p / q; }
                else { d = m; e = m; }
            }
            else { d = m; e = m; }
            a = b;
            fa = fb;
            b += Math.Abs(d) > tol ? d : (m > 0 ? tol : -tol);
            fb = Evaluate(sign, gStar, coef, lambda, b);
        }
        // Return the end of the final bracket on the non-negative side, so the event is never placed before the crossing.
        return fb >= 0 ? b : c;
    }
}

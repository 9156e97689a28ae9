namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// Eigen-decomposition of a small symmetric tridiagonal matrix (the Lanczos matrix T_m) by the implicit QL method with Wilkinson
/// shifts, on caller-owned arrays, so the Krylov integrator's stepping loop allocates nothing.
/// </summary>
internal static class TridiagonalEigen
{
    /// <summary>
    /// On entry <paramref name="d"/>[0..n) is the diagonal and <paramref name="e"/>[0..n−1) the sub-diagonal (destroyed). On exit
    /// d holds the eigenvalues in ascending order and <paramref name="z"/>[i·n + k] component i of eigenvector k. Returns false if
    /// the iteration did not converge (never seen for Lanczos matrices; callers treat it as a failed step).
    /// </summary>
    public static bool Decompose(Span<double> d, Span<double> e, Span<double> z, int n)
    {
        z[..(n * n)].Clear();
        for (int i = 0; i < n; i++) z[i * n + i] = 1.0;
        if (n == 0) return true;
        e[n - 1] = 0.0;
        for (int l = 0; l < n; l++)
        {
            int iter = 0, m;
            do
            {
                for (m = l; m < n - 1; m++)
                {
                    double dd = Math.Abs(d[m]) + Math.Abs(d[m + 1]);
                    if (Math.Abs(e[m]) <= 2.220446049250313e-16 * dd) break;
                }
                if (m != l)
                {
                    if (iter++ == 60) return false;
                    double g = (d[l + 1] - d[l]) / (2.0 * e[l]);
                    double r = Hypot(g, 1.0);
                    g = d[m] - d[l] + e[l] / (g + (g >= 0 ? Math.Abs(r) : -Math.Abs(r)));
                    double s = 1.0, c = 1.0, p = 0.0;
                    int i;
                    for (i = m - 1; i >= l; i--)
                    {
                        double f = s * e[i], b = c * e[i];
                        e[i + 1] = r = Hypot(f, g);
                        if (r == 0.0)
                        {
                            d[i + 1] -= p;
                            e[m] = 0.0;
                            break;
                        }
                        s = f / r;
                        c = g / r;
                        g = d[i + 1] - p;
                        r = (d[i] - g) * s + 2.0 * c * b;
                        d[i + 1] = g + (p = s * r);
                        g = c * r - b;
                        for (int k = 0; k < n; k++)
                        {
                            f = z[k * n + i + 1];
                            z[k * n + i + 1] = s * z[k * n + i] + c * f;
                            z[k * n + i] = c * z[k * n + i] - s * f;
                        }
                    }
                    if (r == 0.0 && i >= l) continue;
                    d[l] -= p;
                    e[l] = g;
                    e[m] = 0.0;
                }
            } while (m != l);
        }
        // Selection sort (n is a few dozen): ascending eigenvalues, columns swapped with them.
        for (int i = 0; i < n - 1; i++)
        {
            int k = i;
            for (int j = i + 1; j < n; j++) if (d[j] < d[k]) k = j;
            if (k == i) continue;
            (d[i], d[k]) = (d[k], d[i]);
            for (int r = 0; r < n; r++) (z[r * n + i], z[r * n + k]) = (z[r * n + k], z[r * n + i]);
        }
        return true;
    }

    private static double Hypot(double a, double b)
    {
        double x = Math.Abs(a), y = Math.Abs(b);
        if (x < y) (x, y) = (y, x);
        if (x == 0) return 0;
        double q = y / x;
        return x * Math.Sqrt(1 + q * q);
    }
}

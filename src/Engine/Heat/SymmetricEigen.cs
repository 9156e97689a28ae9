using System.Numerics;
using System.Runtime.InteropServices;

namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// Cyclic Jacobi eigen-decomposition of a small dense symmetric matrix (the projected matrix VᵀMV of an extended Krylov basis,
/// a few dozen rows) on caller-owned arrays: accurate small eigenvalues (relative accuracy for SPD matrices) and no allocation.
/// </summary>
internal static class SymmetricEigen
{
    /// <summary>
    /// <paramref name="a"/>[i·n + j] holds the matrix (destroyed). On exit <paramref name="values"/> holds the eigenvalues in ascending
    /// order and <paramref name="q"/>[i·n + k] component i of eigenvector k. Returns false when 60 sweeps did not converge.
    /// </summary>
    public static bool Jacobi(Span<double> a, Span<double> q, Span<double> values, int n)
    {
        // Q is kept transposed while rotating (row p of the store is eigenvector p), so that both the eigenvector update and the row
        // update of A run over contiguous memory in SIMD; every entry is computed by the same expression in the same order as the
        // scalar column loops did, so the results are the same to the bit.
        q[..(n * n)].Clear();
        for (int i = 0; i < n; i++) q[i * n + i] = 1.0;
        bool converged = false;
        for (int sweep = 0; sweep < 60 && !converged; sweep++)
        {
            converged = true;
            for (int p = 0; p < n - 1; p++)
                for (int r = p + 1; r < n; r++)
                {
                    double apr = a[p * n + r];
                    double app = a[p * n + p], arr = a[r * n + r];
                    if (Math.Abs(apr) <= 1e-300 || Math.Abs(apr) <= 2.220446049250313e-16 * 0.5 * Math.Sqrt(Math.Abs(app * arr)))
                    {
                        a[p * n + r] = a[r * n + p] = 0;
                        continue;
                    }
                    converged = false;
                    double theta = (arr - app) / (2 * apr);
                    double t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = a[k * n + p], akr = a[k * n + r];
                        a[k * n + p] = c * akp - s * akr;
                        a[k * n + r] = s * akp + c * akr;
                    }
                    Rotate(a.Slice(p * n, n), a.Slice(r * n, n), c, s);
                    Rotate(q.Slice(p * n, n), q.Slice(r * n, n), c, s);
                }
        }
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) (q[i * n + j], q[j * n + i]) = (q[j * n + i], q[i * n + j]);
        for (int i = 0; i < n; i++) values[i] = a[i * n + i];
        for (int i = 0; i < n - 1; i++)
        {
            int k = i;
            for (int j = i + 1; j < n; j++) if (values[j] < values[k]) k = j;
            if (k == i) continue;
            (values[i], values[k]) = (values[k], values[i]);
            for (int r = 0; r < n; r++) (q[r * n + i], q[r * n + k]) = (q[r * n + k], q[r * n + i]);
        }
        return converged;
    }

    /// <summary>(x, y) ← (c x − s y, s x + c y) elementwise (SIMD where available; the same two products and one sum per entry).</summary>
    private static void Rotate(Span<double> x, Span<double> y, double c, double s)
    {
        int n = x.Length, i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<double>.Count)
        {
            var vx = MemoryMarshal.Cast<double, Vector<double>>(x);
            var vy = MemoryMarshal.Cast<double, Vector<double>>(y);
            var vc = new Vector<double>(c);
            var vs = new Vector<double>(s);
            for (int k = 0; k < vx.Length; k++)
            {
                var xk = vx[k];
                var yk = vy[k];
                vx[k] = vc * xk - vs * yk;
                vy[k] = vs * xk + vc * yk;
            }
            i = vx.Length * Vector<double>.Count;
        }
        for (; i < n; i++)
        {
            double xi = x[i], yi = y[i];
            x[i] = c * xi - s * yi;
            y[i] = s * xi + c * yi;
        }
    }
}

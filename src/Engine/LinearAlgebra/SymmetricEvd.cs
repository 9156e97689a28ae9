using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MathNet.Numerics;

namespace ResidualSheaf.Engine.LinearAlgebra;

/// <summary>
/// Symmetric eigendecomposition with the numbers of MathNet's managed provider (<c>Evd(Symmetricity.Symmetric)</c>: Householder
/// tridiagonalisation, tred2, then the implicit QL iteration, tql2, and the sort), bit for bit, in a third of the time. The same
/// floating-point operations, element by element and in the same order; only independent work is reordered: element-wise updates
/// (the rank-2 update, the Householder accumulation, the QL rotations of the eigenvector columns) are done with SIMD — a product is
/// rounded before it is added, no FMA, as in the scalar code — and each dot product, still summed term by term in increasing index,
/// is interleaved with three others, which hides the latency of its chain of additions. The exact piecewise integrator takes one of
/// these per visited pattern, and on deep stacks they were a fifth of a hunt's time.
/// </summary>
internal static class SymmetricEvd
{
    /// <summary>
    /// Decomposes the symmetric n×n matrix <paramref name="matrix"/> (column-major; only read). On exit <paramref name="values"/>
    /// holds the eigenvalues in ascending order and <paramref name="vectors"/> (column-major) the eigenvectors, column k for value k:
    /// MathNet's <c>EigenValues</c> (real parts) and <c>EigenVectors.Values</c>.
    /// </summary>
    public static void Decompose(ReadOnlySpan<double> matrix, int n, double[] vectors, double[] values)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(values);
        if (matrix.Length != n * n || vectors.Length != n * n || values.Length != n)
            throw new ArgumentException("SymmetricEvd.Decompose: matrix and vectors must be n×n, values of length n.");
        if (n == 0) return;
        matrix.CopyTo(vectors);
        var e = new double[n];
        for (int i = 0; i < n; i++) values[i] = vectors[(i * n) + n - 1];
        Tridiagonalize(vectors, values, e, n);
        Diagonalize(vectors, values, e, n);
    }

    /// <summary>
    /// <see cref="Decompose"/> on caller-owned storage, for hot paths: <paramref name="vectors"/> of at least n×n entries (the first
    /// n×n are used, column-major), <paramref name="values"/> and <paramref name="work"/> of at least n. The same numbers, no
    /// allocation; false (instead of an exception) when the QL iteration does not converge.
    /// </summary>
    public static bool TryDecompose(ReadOnlySpan<double> matrix, int n, double[] vectors, double[] values, double[] work)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(work);
        if (matrix.Length < n * n || vectors.Length < n * n || values.Length < n || work.Length < n)
            throw new ArgumentException("SymmetricEvd.TryDecompose: matrix and vectors need n×n entries, values and work n.");
        if (n == 0) return true;
        matrix[..(n * n)].CopyTo(vectors);
        work.AsSpan(0, n).Clear();
        for (int i = 0; i < n; i++) values[i] = vectors[(i * n) + n - 1];
        Tridiagonalize(vectors, values, work, n);
        try
        {
            Diagonalize(vectors, values, work, n);
        }
        catch (NonConvergenceException)
        {
            return false;
        }
        return true;
    }

    /// <summary>
    /// The eigenvalues (ascending) and eigenvectors (column-major, column k for value k) of a symmetric matrix, as
    /// <c>symmetric.Evd(Symmetricity.Symmetric)</c> gives them: by <see cref="Decompose"/> for a dense matrix (the managed provider's
    /// path), by MathNet itself for any other storage (whose Evd takes another code path).
    /// </summary>
    public static (double[] Values, double[] Vectors) Of(MathNet.Numerics.LinearAlgebra.Matrix<double> symmetric)
    {
        ArgumentNullException.ThrowIfNull(symmetric);
        int n = symmetric.RowCount;
        if (symmetric.ColumnCount != n) throw new ArgumentException("SymmetricEvd.Of: the matrix must be square.", nameof(symmetric));
        if (symmetric is MathNet.Numerics.LinearAlgebra.Double.DenseMatrix dense)
        {
            var values = new double[n];
            var vectors = new double[n * n];
            Decompose(dense.Values, n, vectors, values);
            return (values, vectors);
        }
        var evd = symmetric.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric);
        return (evd.EigenValues.Select(z => z.Real).ToArray(), evd.EigenVectors.ToColumnMajorArray());
    }

    // tred2 (MathNet's SymmetricTridiagonalize): a holds V (column-major), d and e the diagonal and off-diagonal on exit.
    private static void Tridiagonalize(double[] a, double[] d, double[] e, int order)
    {
        ref double a0 = ref MemoryMarshal.GetArrayDataReference(a);
        ref double d0 = ref MemoryMarshal.GetArrayDataReference(d);
        ref double e0 = ref MemoryMarshal.GetArrayDataReference(e);
        for (int i = order - 1; i > 0; i--)
        {
            double scale = 0.0, h = 0.0;
            for (int k = 0; k < i; k++) scale += Math.Abs(d[k]);
            if (scale == 0.0)
            {
                e[i] = d[i - 1];
                for (int j = 0; j < i; j++)
                {
                    d[j] = a[(j * order) + i - 1];
                    a[(j * order) + i] = 0.0;
                    a[(i * order) + j] = 0.0;
                }
            }
            else
            {
                for (int k = 0; k < i; k++)
                {
                    d[k] /= scale;
                    h += d[k] * d[k];
                }
                double f = d[i - 1];
                double g = Math.Sqrt(h);
                if (f > 0) g = -g;
                e[i] = scale * g;
                h -= f * g;
                d[i - 1] = f - g;
                for (int j = 0; j < i; j++) e[j] = 0.0;

                // Similarity transformation: for each column j < i, g_j = e[j] + a[j,j]·f_j + Σ_{k=j+1}^{i−1} a[j,k]·d[k] (in
                // increasing k) and e[k] += a[j,k]·f_j (k > j, in increasing j for each k). Four columns at a time: their
                // mutual terms first, in the original order, then the rest with the four sums interleaved.
                int jb = 0;
                for (; jb + 4 <= i; jb += 4)
                {
                    int c0 = jb * order, c1 = c0 + order, c2 = c1 + order, c3 = c2 + order;
                    double f0 = d[jb], f1 = d[jb + 1], f2 = d[jb + 2], f3 = d[jb + 3];
                    a[(i * order) + jb] = f0;
                    a[(i * order) + jb + 1] = f1;
                    a[(i * order) + jb + 2] = f2;
                    a[(i * order) + jb + 3] = f3;
                    double g0 = e[jb] + (a[c0 + jb] * f0);
                    for (int k = jb + 1; k <= Math.Min(jb + 3, i - 1); k++)
                    {
                        g0 += a[c0 + k] * d[k];
                        e[k] += a[c0 + k] * f0;
                    }
                    double g1 = e[jb + 1] + (a[c1 + jb + 1] * f1);
                    for (int k = jb + 2; k <= Math.Min(jb + 3, i - 1); k++)
                    {
                        g1 += a[c1 + k] * d[k];
                        e[k] += a[c1 + k] * f1;
                    }
                    double g2 = e[jb + 2] + (a[c2 + jb + 2] * f2);
                    if (jb + 3 <= i - 1)
                    {
                        g2 += a[c2 + jb + 3] * d[jb + 3];
                        e[jb + 3] += a[c2 + jb + 3] * f2;
                    }
                    double g3 = e[jb + 3] + (a[c3 + jb + 3] * f3);
                    int k0 = jb + 4;
                    for (int k = k0; k < i; k++)
                    {
                        double dk = Unsafe.Add(ref d0, k);
                        g0 += Unsafe.Add(ref a0, c0 + k) * dk;
                        g1 += Unsafe.Add(ref a0, c1 + k) * dk;
                        g2 += Unsafe.Add(ref a0, c2 + k) * dk;
                        g3 += Unsafe.Add(ref a0, c3 + k) * dk;
                    }
                    ColumnAxpy.Four(ref a0, ref e0, k0, i, c0, c1, c2, c3, f0, f1, f2, f3);
                    e[jb] = g0;
                    e[jb + 1] = g1;
                    e[jb + 2] = g2;
                    e[jb + 3] = g3;
                }
                for (int j = jb; j < i; j++)
                {
                    int cj = j * order;
                    f = d[j];
                    a[(i * order) + j] = f;
                    g = e[j] + (a[cj + j] * f);
                    for (int k = j + 1; k <= i - 1; k++) g += Unsafe.Add(ref a0, cj + k) * Unsafe.Add(ref d0, k);
                    ColumnAxpy.One(ref a0, ref e0, j + 1, i, cj, f);
                    e[j] = g;
                }

                f = 0.0;
                for (int j = 0; j < i; j++)
                {
                    e[j] /= h;
                    f += e[j] * d[j];
                }
                double hh = f / (h + h);
                for (int j = 0; j < i; j++) e[j] -= hh * d[j];

                // Rank-2 update of the leading block, column by column: a[j,k] −= f·e[k] + g·d[k] for k in [j, i−1], element-wise.
                for (int j = 0; j < i; j++)
                {
                    f = d[j];
                    g = e[j];
                    RankTwo(ref Unsafe.Add(ref a0, j * order), ref e0, ref d0, j, i, f, g);
                    d[j] = a[(j * order) + i - 1];
                    a[(j * order) + i] = 0.0;
                }
            }
            d[i] = h;
        }

        // Accumulate the transformations.
        for (int i = 0; i < order - 1; i++)
        {
            a[(i * order) + order - 1] = a[(i * order) + i];
            a[(i * order) + i] = 1.0;
            double h = d[i + 1];
            int ci = (i + 1) * order;
            if (h != 0.0)
            {
                for (int k = 0; k <= i; k++) d[k] = a[ci + k] / h;
                // For each column j ≤ i: g_j = Σ_{k≤i} a[i+1,k]·a[j,k] in increasing k (column i+1 is not changed here), then
                // a[j,k] −= g_j·d[k]. Four columns' sums interleaved.
                int j = 0;
                for (; j + 4 <= i + 1; j += 4)
                {
                    int c0 = j * order, c1 = c0 + order, c2 = c1 + order, c3 = c2 + order;
                    double g0 = 0.0, g1 = 0.0, g2 = 0.0, g3 = 0.0;
                    for (int k = 0; k <= i; k++)
                    {
                        double v = Unsafe.Add(ref a0, ci + k);
                        g0 += v * Unsafe.Add(ref a0, c0 + k);
                        g1 += v * Unsafe.Add(ref a0, c1 + k);
                        g2 += v * Unsafe.Add(ref a0, c2 + k);
                        g3 += v * Unsafe.Add(ref a0, c3 + k);
                    }
                    SubtractScaled(ref Unsafe.Add(ref a0, c0), ref d0, i + 1, g0);
                    SubtractScaled(ref Unsafe.Add(ref a0, c1), ref d0, i + 1, g1);
                    SubtractScaled(ref Unsafe.Add(ref a0, c2), ref d0, i + 1, g2);
                    SubtractScaled(ref Unsafe.Add(ref a0, c3), ref d0, i + 1, g3);
                }
                for (; j <= i; j++)
                {
                    int cj = j * order;
                    double g = 0.0;
                    for (int k = 0; k <= i; k++) g += Unsafe.Add(ref a0, ci + k) * Unsafe.Add(ref a0, cj + k);
                    SubtractScaled(ref Unsafe.Add(ref a0, cj), ref d0, i + 1, g);
                }
            }
            for (int k = 0; k <= i; k++) a[ci + k] = 0.0;
        }
        for (int j = 0; j < order; j++)
        {
            d[j] = a[(j * order) + order - 1];
            a[(j * order) + order - 1] = 0.0;
        }
        a[(order * order) - 1] = 1.0;
        e[0] = 0.0;
    }

    // tql2 (MathNet's SymmetricDiagonalize), then the selection sort of values and vectors.
    private static void Diagonalize(double[] a, double[] d, double[] e, int order)
    {
        const int maxiter = 1000;
        ref double a0 = ref MemoryMarshal.GetArrayDataReference(a);
        for (int i = 1; i < order; i++) e[i - 1] = e[i];
        e[order - 1] = 0.0;
        double f = 0.0, tst1 = 0.0;
        double eps = Precision.DoublePrecision;
        for (int l = 0; l < order; l++)
        {
            tst1 = Math.Max(tst1, Math.Abs(d[l]) + Math.Abs(e[l]));
            int m = l;
            while (m < order)
            {
                if (Math.Abs(e[m]) <= eps * tst1) break;
                m++;
            }
            if (m > l)
            {
                int iter = 0;
                do
                {
                    iter++;
                    double g = d[l];
                    double p = (d[l + 1] - g) / (2.0 * e[l]);
                    double r = SpecialFunctions.Hypotenuse(p, 1.0);
                    if (p < 0) r = -r;
                    d[l] = e[l] / (p + r);
                    d[l + 1] = e[l] * (p + r);
                    double dl1 = d[l + 1];
                    double h = g - d[l];
                    for (int i = l + 2; i < order; i++) d[i] -= h;
                    f += h;

                    p = d[m];
                    double c = 1.0, c2 = c, c3 = c;
                    double el1 = e[l + 1];
                    double s = 0.0, s2 = 0.0;
                    for (int i = m - 1; i >= l; i--)
                    {
                        c3 = c2;
                        c2 = c;
                        s2 = s;
                        g = c * e[i];
                        h = c * p;
                        r = SpecialFunctions.Hypotenuse(p, e[i]);
                        e[i + 1] = s * r;
                        s = e[i] / r;
                        c = p / r;
                        p = (c * d[i]) - (s * g);
                        d[i + 1] = h + (s * ((c * g) + (s * d[i])));
                        Rotate(ref Unsafe.Add(ref a0, i * order), ref Unsafe.Add(ref a0, (i + 1) * order), order, c, s);
                    }
                    p = (-s) * s2 * c3 * el1 * e[l] / dl1;
                    e[l] = s * p;
                    d[l] = c * p;
                    if (iter >= maxiter) throw new NonConvergenceException();
                }
                while (Math.Abs(e[l]) > eps * tst1);
            }
            d[l] += f;
            e[l] = 0.0;
        }

        for (int i = 0; i < order - 1; i++)
        {
            int k = i;
            double p = d[i];
            for (int j = i + 1; j < order; j++)
            {
                if (d[j] < p)
                {
                    k = j;
                    p = d[j];
                }
            }
            if (k != i)
            {
                d[k] = d[i];
                d[i] = p;
                a.AsSpan(i * order, order).SwapWith(a.AsSpan(k * order, order));
            }
        }
    }

    private static void SwapWith(this Span<double> x, Span<double> y)
    {
        for (int j = 0; j < x.Length; j++) (x[j], y[j]) = (y[j], x[j]);
    }

    // col[k] −= (f·e[k]) + (g·d[k]) for k in [from, to).
    private static void RankTwo(ref double col, ref double e0, ref double d0, int from, int to, double f, double g)
    {
        int k = from;
        if (Vector.IsHardwareAccelerated)
        {
            Vector<double> vf = new(f), vg = new(g);
            for (; k + Vector<double>.Count <= to; k += Vector<double>.Count)
            {
                var t = (vf * Vector.LoadUnsafe(ref e0, (nuint)k)) + (vg * Vector.LoadUnsafe(ref d0, (nuint)k));
                (Vector.LoadUnsafe(ref col, (nuint)k) - t).StoreUnsafe(ref col, (nuint)k);
            }
        }
        for (; k < to; k++) Unsafe.Add(ref col, k) -= (f * Unsafe.Add(ref e0, k)) + (g * Unsafe.Add(ref d0, k));
    }

    // col[k] −= g·d[k] for k in [0, count).
    private static void SubtractScaled(ref double col, ref double d0, int count, double g)
    {
        int k = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vg = new Vector<double>(g);
            for (; k + Vector<double>.Count <= count; k += Vector<double>.Count)
                (Vector.LoadUnsafe(ref col, (nuint)k) - (vg * Vector.LoadUnsafe(ref d0, (nuint)k))).StoreUnsafe(ref col, (nuint)k);
        }
        for (; k < count; k++) Unsafe.Add(ref col, k) -= g * Unsafe.Add(ref d0, k);
    }

    // (x, y) ← (c·x − s·y, s·x + c·y) element-wise: MathNet's h = y; y = s·x + c·h; x = c·x − s·h.
    private static void Rotate(ref double x0, ref double y0, int count, double c, double s)
    {
        int k = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Vector<double> vc = new(c), vs = new(s);
            for (; k + Vector<double>.Count <= count; k += Vector<double>.Count)
            {
                var x = Vector.LoadUnsafe(ref x0, (nuint)k);
                var h = Vector.LoadUnsafe(ref y0, (nuint)k);
                ((vs * x) + (vc * h)).StoreUnsafe(ref y0, (nuint)k);
                ((vc * x) - (vs * h)).StoreUnsafe(ref x0, (nuint)k);
            }
        }
        for (; k < count; k++)
        {
            double h = Unsafe.Add(ref y0, k);
            double x = Unsafe.Add(ref x0, k);
            Unsafe.Add(ref y0, k) = (s * x) + (c * h);
            Unsafe.Add(ref x0, k) = (c * x) - (s * h);
        }
    }
}

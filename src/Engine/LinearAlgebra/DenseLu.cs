using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ResidualSheaf.Engine.LinearAlgebra;

/// <summary>
/// Dense LU with partial pivoting (column-major, in place), and its solve: the same algorithm and the same floating-point
/// operations, element by element and in the same order, as MathNet's managed provider (<c>LUFactor</c>, <c>LUSolveFactored</c>),
/// so the results are bit for bit the same; only the loop order differs. MathNet's Crout form takes, for every entry of column j,
/// a dot product down a row of L (stride n, a cache line per term); here the same sums are accumulated column by column of L
/// (contiguous, SIMD across rows), each entry's terms still added in increasing k. No FMA: a product is rounded before it is
/// added, as in the scalar code. Allocation-free given a work vector of length 2n.
/// </summary>
public static class DenseLu
{
    /// <summary>
    /// Factors the n×n column-major matrix <paramref name="a"/> in place into L (unit lower, below the diagonal) and U, with the
    /// row interchanges in <paramref name="ipiv"/> (row j was swapped with ipiv[j]), as MathNet's <c>LUFactor</c>.
    /// </summary>
    /// <param name="a">The matrix, column-major (length n²); on exit its factors.</param>
    /// <param name="n">The order.</param>
    /// <param name="ipiv">Pivot indices (length n).</param>
    /// <param name="work">Work vector (length ≥ 2n).</param>
    public static void Factor(double[] a, int n, int[] ipiv, double[] work)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(ipiv);
        ArgumentNullException.ThrowIfNull(work);
        if (a.Length != n * n || ipiv.Length != n || work.Length < 2 * n) throw new ArgumentException("DenseLu.Factor: a must be n×n, ipiv of length n and work of length 2n.");
        ref double a0 = ref MemoryMarshal.GetArrayDataReference(a);
        ref double s0 = ref MemoryMarshal.GetArrayDataReference(work);
        // last[k]: no row below it holds a non-zero of L's column k (kept as doubles in the work vector's second half).
        var last = work.AsSpan(n, n);
        for (int i = 0; i < n; i++) ipiv[i] = i;
        for (int j = 0; j < n; j++)
        {
            int cj = j * n;
            work.AsSpan(0, n).Clear();
            // s[i] = Σ_{k<min(i,j)} L[i,k]·c[k] with c[k] (k < j) the finished entries of column j, added in increasing k. Terms
            // with a zero factor (c[k] = 0, or rows of L's column k below its last non-zero) are skipped: adding ±0 to a sum that
            // starts at +0 never changes it (the sum is never −0), so the skipped terms are exactly MathNet's no-ops, and a
            // banded W (a sheaf Laplacian in layer order) costs its band only.
            int k = 0;
            for (; k + 4 <= j; k += 4)
            {
                int c0 = k * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
                double x0 = Unsafe.Add(ref a0, cj + k) - Unsafe.Add(ref s0, k);
                Unsafe.Add(ref a0, cj + k) = x0;
                Unsafe.Add(ref s0, k + 1) += Unsafe.Add(ref a0, c0 + k + 1) * x0;
                Unsafe.Add(ref s0, k + 2) += Unsafe.Add(ref a0, c0 + k + 2) * x0;
                Unsafe.Add(ref s0, k + 3) += Unsafe.Add(ref a0, c0 + k + 3) * x0;
                double x1 = Unsafe.Add(ref a0, cj + k + 1) - Unsafe.Add(ref s0, k + 1);
                Unsafe.Add(ref a0, cj + k + 1) = x1;
                Unsafe.Add(ref s0, k + 2) += Unsafe.Add(ref a0, c1 + k + 2) * x1;
                Unsafe.Add(ref s0, k + 3) += Unsafe.Add(ref a0, c1 + k + 3) * x1;
                double x2 = Unsafe.Add(ref a0, cj + k + 2) - Unsafe.Add(ref s0, k + 2);
                Unsafe.Add(ref a0, cj + k + 2) = x2;
                Unsafe.Add(ref s0, k + 3) += Unsafe.Add(ref a0, c2 + k + 3) * x2;
                double x3 = Unsafe.Add(ref a0, cj + k + 3) - Unsafe.Add(ref s0, k + 3);
                Unsafe.Add(ref a0, cj + k + 3) = x3;
                if (x0 == 0 && x1 == 0 && x2 == 0 && x3 == 0) continue;
                int end = (int)Math.Max(Math.Max(last[k], last[k + 1]), Math.Max(last[k + 2], last[k + 3])) + 1;
                ColumnAxpy.Four(ref a0, ref s0, k + 4, end, c0, c1, c2, c3, x0, x1, x2, x3);
            }
            for (; k < j; k++)
            {
                double x = Unsafe.Add(ref a0, cj + k) - Unsafe.Add(ref s0, k);
                Unsafe.Add(ref a0, cj + k) = x;
                if (x != 0) ColumnAxpy.One(ref a0, ref s0, k + 1, (int)last[k] + 1, k * n, x);
            }
            for (int i = j; i < n; i++) Unsafe.Add(ref a0, cj + i) -= Unsafe.Add(ref s0, i);

            int p = j;
            for (int i = j + 1; i < n; i++)
            {
                if (Math.Abs(Unsafe.Add(ref a0, cj + i)) > Math.Abs(Unsafe.Add(ref a0, cj + p))) p = i;
            }
            if (p != j)
            {
                for (int c = 0; c < n; c++)
                {
                    int ic = c * n;
                    (Unsafe.Add(ref a0, ic + p), Unsafe.Add(ref a0, ic + j)) = (Unsafe.Add(ref a0, ic + j), Unsafe.Add(ref a0, ic + p));
                }
                ipiv[j] = p;
                // The swap may move a non-zero of an earlier column of L from row j down to row p.
                for (int c = 0; c < j; c++)
                {
                    if (last[c] >= j && last[c] < p) last[c] = p;
                }
            }
            double pivot = Unsafe.Add(ref a0, cj + j);
            if (pivot != 0.0)
            {
                for (int i = j + 1; i < n; i++) Unsafe.Add(ref a0, cj + i) /= pivot;
            }
            int lastRow = j;
            for (int i = n - 1; i > j; i--)
            {
                if (Unsafe.Add(ref a0, cj + i) != 0)
                {
                    lastRow = i;
                    break;
                }
            }
            last[j] = lastRow;
        }
    }

    /// <summary>Solves A x = b in place with the factors of <see cref="Factor"/>, as MathNet's <c>LUSolveFactored</c> (one column).</summary>
    /// <param name="lu">The factors (column-major, n²).</param>
    /// <param name="n">The order.</param>
    /// <param name="ipiv">The pivot indices.</param>
    /// <param name="b">Right-hand side (length n); on exit the solution.</param>
    public static void Solve(double[] lu, int n, int[] ipiv, double[] b)
    {
        ArgumentNullException.ThrowIfNull(lu);
        ArgumentNullException.ThrowIfNull(ipiv);
        ArgumentNullException.ThrowIfNull(b);
        if (lu.Length != n * n || ipiv.Length != n || b.Length != n) throw new ArgumentException("DenseLu.Solve: lu must be n×n, ipiv and b of length n.");
        ref double a0 = ref MemoryMarshal.GetArrayDataReference(lu);
        ref double b0 = ref MemoryMarshal.GetArrayDataReference(b);
        for (int i = 0; i < n; i++)
        {
            int p = ipiv[i];
            if (p != i) (b[p], b[i]) = (b[i], b[p]);
        }
        for (int k = 0; k < n; k++)
        {
            double bk = Unsafe.Add(ref b0, k);
            Subtract(ref Unsafe.Add(ref a0, k * n), ref b0, k + 1, n, bk);
        }
        for (int k = n - 1; k >= 0; k--)
        {
            double bk = Unsafe.Add(ref b0, k) / Unsafe.Add(ref a0, (k * n) + k);
            Unsafe.Add(ref b0, k) = bk;
            Subtract(ref Unsafe.Add(ref a0, k * n), ref b0, 0, k, bk);
        }
    }

    // b[i] -= b_k·col[i] for i in [from, to), as MathNet's b[i] -= b[k]·a[i, k].
    private static void Subtract(ref double col, ref double b0, int from, int to, double bk)
    {
        int i = from;
        if (Vector.IsHardwareAccelerated)
        {
            var vk = new Vector<double>(bk);
            for (; i + Vector<double>.Count <= to; i += Vector<double>.Count)
            {
                var b = Vector.LoadUnsafe(ref b0, (nuint)i);
                (b - (vk * Vector.LoadUnsafe(ref col, (nuint)i))).StoreUnsafe(ref b0, (nuint)i);
            }
        }
        for (; i < to; i++) Unsafe.Add(ref b0, i) -= bk * Unsafe.Add(ref col, i);
    }
}

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ResidualSheaf.Engine.LinearAlgebra;

/// <summary>
/// Cholesky factor of a symmetric positive definite matrix with the numbers of MathNet's managed provider (<c>CholeskyFactor</c>,
/// right-looking, and <c>CholeskySolveFactored</c>), bit for bit up to the sign of an exact zero, at a cost that follows the band of
/// a sheaf Laplacian rather than n³. Each entry gets the same operations in the same order; what is left out are the updates by an
/// exact zero (a multiplier of 0, or rows below a column's last non-zero), which subtract ±0 and so change no non-zero value. The
/// exact integrator takes one per visited pattern.
/// </summary>
internal sealed class BandCholesky
{
    private readonly double[] _l;
    private readonly int _n;
    private readonly int[] _first, _last;

    private BandCholesky(double[] l, int n, int[] first, int[] last)
    {
        _l = l;
        _n = n;
        _first = first;
        _last = last;
    }

    /// <summary>The factor L (column-major n×n, zero above the diagonal), as MathNet's <c>Factor</c> holds it.</summary>
    public ReadOnlySpan<double> Factor => _l;

    /// <summary>
    /// Factors the symmetric matrix <paramref name="matrix"/> (column-major n×n; only read). Null where MathNet's Cholesky throws
    /// (a pivot that is not &gt; 0: not positive definite, or not finite).
    /// </summary>
    public static BandCholesky? TryCreate(ReadOnlySpan<double> matrix, int n)
    {
        if (matrix.Length != n * n) throw new ArgumentException("BandCholesky: the matrix must be n×n.", nameof(matrix));
        var a = matrix.ToArray();
        var col = new double[n];
        var last = new int[n];
        ref double a0 = ref MemoryMarshal.GetArrayDataReference(a);
        for (int ij = 0; ij < n; ij++)
        {
            double pivot = a[(ij * n) + ij];
            if (!(pivot > 0.0)) return null;
            pivot = Math.Sqrt(pivot);
            a[(ij * n) + ij] = pivot;
            col[ij] = pivot;
            int lastRow = ij;
            for (int i = ij + 1; i < n; i++)
            {
                double v = a[(ij * n) + i] / pivot;
                a[(ij * n) + i] = v;
                col[i] = v;
                if (v != 0) lastRow = i;
            }
            last[ij] = lastRow;
            // The rank-one update of the trailing columns: a[j, i] −= col[i]·col[j] for i ≥ j, element-wise.
            for (int j = ij + 1; j <= lastRow; j++)
            {
                double t = col[j];
                if (t == 0) continue;
                Update(ref Unsafe.Add(ref a0, j * n), ref MemoryMarshal.GetArrayDataReference(col), j, lastRow + 1, t);
            }
            for (int i = ij + 1; i < n; i++) a[(i * n) + ij] = 0.0;
        }
        // first[i]: the first column whose entry in row i is non-zero (the forward solve runs over row i's band only).
        var first = new int[n];
        for (int i = 0; i < n; i++) first[i] = i;
        for (int k = n - 1; k >= 0; k--)
        {
            for (int i = k + 1; i <= last[k]; i++)
            {
                if (a[(k * n) + i] != 0) first[i] = k;
            }
        }
        return new BandCholesky(a, n, first, last);
    }

    /// <summary>Solves A x = b (MathNet's <c>Cholesky.Solve</c>: L y = b, then Lᵀ x = y, each sum in MathNet's order).</summary>
    public double[] Solve(ReadOnlySpan<double> b)
    {
        int n = _n;
        if (b.Length != n) throw new ArgumentException("BandCholesky.Solve: b must have length n.", nameof(b));
        var x = b.ToArray();
        var a = _l;
        for (int i = 0; i < n; i++)
        {
            double sum = x[i];
            for (int k = i - 1; k >= _first[i]; k--) sum -= a[(k * n) + i] * x[k];
            x[i] = sum / a[(i * n) + i];
        }
        for (int i = n - 1; i >= 0; i--)
        {
            double sum = x[i];
            int ci = i * n, end = _last[i];
            for (int k = i + 1; k <= end; k++) sum -= a[ci + k] * x[k];
            x[i] = sum / a[ci + i];
        }
        return x;
    }

    // col_j[i] −= m[i]·t for i in [from, to).
    private static void Update(ref double colJ, ref double m0, int from, int to, double t)
    {
        int i = from;
        if (Vector.IsHardwareAccelerated)
        {
            var vt = new Vector<double>(t);
            for (; i + Vector<double>.Count <= to; i += Vector<double>.Count)
                (Vector.LoadUnsafe(ref colJ, (nuint)i) - (Vector.LoadUnsafe(ref m0, (nuint)i) * vt)).StoreUnsafe(ref colJ, (nuint)i);
        }
        for (; i < to; i++) Unsafe.Add(ref colJ, i) -= Unsafe.Add(ref m0, i) * t;
    }
}

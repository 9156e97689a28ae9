using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;

namespace ResidualSheaf.Engine.LinearAlgebra;

/// <summary>
/// The Gram matrix AᵀA of a sparse A (a coboundary δ_Ω: a few entries per row), bit for bit what MathNet's dense
/// <c>A.TransposeThisAndMultiply(A)</c> returns, at the cost of the non-zero products only. MathNet's managed product sums every
/// entry as Σ_r A[r,i]·A[r,j] in increasing r from +0; here the rows are visited in increasing r and each row adds its products
/// of non-zeros, so every entry gets the same non-zero terms in the same order. The skipped terms are exact zeros, and adding
/// ±0 to a sum that starts at +0 changes nothing (such a sum is never −0). Entries must be finite (0·∞ would not be skipped by MathNet).
/// </summary>
public static class Gram
{
    /// <summary>AᵀA (dense, n×n for an m×n A).</summary>
    public static DenseMatrix TransposeTimesSelf(Matrix<double> a)
    {
        ArgumentNullException.ThrowIfNull(a);
        int m = a.RowCount, n = a.ColumnCount;
        // Row-wise non-zeros, whatever the storage order of a (dense storage enumerates column by column).
        var count = new int[m + 1];
        foreach (var (r, _, v) in a.EnumerateIndexed(Zeros.AllowSkip))
        {
            if (v != 0) count[r + 1]++;
        }
        for (int r = 0; r < m; r++) count[r + 1] += count[r];
        var fill = (int[])count.Clone();
        var cols = new int[count[m]];
        var vals = new double[count[m]];
        foreach (var (r, c, v) in a.EnumerateIndexed(Zeros.AllowSkip))
        {
            if (v == 0) continue;
            int p = fill[r]++;
            cols[p] = c;
            vals[p] = v;
        }
        var g = new double[n * n];
        for (int r = 0; r < m; r++)
        {
            for (int p = count[r]; p < count[r + 1]; p++)
            {
                int i = cols[p];
                double vi = vals[p];
                for (int q = count[r]; q < count[r + 1]; q++) g[(cols[q] * n) + i] += vi * vals[q];
            }
        }
        return new DenseMatrix(n, n, g);
    }
}

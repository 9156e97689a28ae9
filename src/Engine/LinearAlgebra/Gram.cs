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
        var (count, cols, vals) = NonZeroRows(a);
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

    /// <summary>
    /// A's non-zeros row by row (rows increasing; exact zeros dropped), whatever its storage order: the order in which the Gram
    /// sums take their terms. Row r's entries are <c>Cols</c>/<c>Vals</c> from <c>RowStart[r]</c> to <c>RowStart[r + 1]</c>.
    /// </summary>
    internal static (int[] RowStart, int[] Cols, double[] Vals) NonZeroRows(Matrix<double> a)
    {
        int m = a.RowCount;
        // Dense storage enumerates column by column: count per row first, then place.
        var rowStart = new int[m + 1];
        foreach (var (r, _, v) in a.EnumerateIndexed(Zeros.AllowSkip))
        {
            if (v != 0) rowStart[r + 1]++;
        }
        for (int r = 0; r < m; r++) rowStart[r + 1] += rowStart[r];
        var fill = (int[])rowStart.Clone();
        var cols = new int[rowStart[m]];
        var vals = new double[rowStart[m]];
        foreach (var (r, c, v) in a.EnumerateIndexed(Zeros.AllowSkip))
        {
            if (v == 0) continue;
            int p = fill[r]++;
            cols[p] = c;
            vals[p] = v;
        }
        return (rowStart, cols, vals);
    }
}

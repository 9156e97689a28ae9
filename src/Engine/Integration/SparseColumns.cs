namespace ResidualSheaf.Engine.Integration;

/// <summary>
/// A square matrix by columns (compressed sparse columns): column j's entries are <see cref="Rows"/> and <see cref="Values"/>
/// from <see cref="ColumnStarts"/>[j] to <see cref="ColumnStarts"/>[j + 1], rows strictly increasing, the diagonal always listed
/// (its value may be zero). Entries not listed are zero. The arrays are read, never written, by the integrators.
/// </summary>
public sealed class SparseColumns
{
    /// <summary>Wraps the three arrays (not copied); checks their shape.</summary>
    /// <param name="dimension">The order n.</param>
    /// <param name="columnStarts">n + 1 offsets into <paramref name="rows"/>, non-decreasing, from 0 to the number of entries.</param>
    /// <param name="rows">Row of each entry, strictly increasing within a column, each in [0, n).</param>
    /// <param name="values">Value of each entry.</param>
    /// <exception cref="ArgumentException">The arrays do not describe such a matrix.</exception>
    public SparseColumns(int dimension, int[] columnStarts, int[] rows, double[] values)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dimension);
        ArgumentNullException.ThrowIfNull(columnStarts);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(values);
        if (columnStarts.Length != dimension + 1 || columnStarts[0] != 0 || columnStarts[dimension] > rows.Length || rows.Length != values.Length)
            throw new ArgumentException("SparseColumns: columnStarts must have n + 1 offsets from 0 and rows, values one entry per offset.", nameof(columnStarts));
        for (int j = 0; j < dimension; j++)
        {
            bool diagonal = false;
            for (int q = columnStarts[j]; q < columnStarts[j + 1]; q++)
            {
                int r = rows[q];
                if (r < 0 || r >= dimension || (q > columnStarts[j] && r <= rows[q - 1]))
                    throw new ArgumentException($"SparseColumns: column {j}'s rows must be in [0, {dimension}) and strictly increasing.", nameof(rows));
                diagonal |= r == j;
            }
            if (!diagonal) throw new ArgumentException($"SparseColumns: column {j} does not list its diagonal entry.", nameof(rows));
        }
        Dimension = dimension;
        ColumnStarts = columnStarts;
        Rows = rows;
        Values = values;
    }

    /// <summary>The order n.</summary>
    public int Dimension { get; }

    /// <summary>Offsets of the columns' entries (n + 1).</summary>
    public int[] ColumnStarts { get; }

    /// <summary>Row of each entry.</summary>
    public int[] Rows { get; }

    /// <summary>Value of each entry.</summary>
    public double[] Values { get; }
}

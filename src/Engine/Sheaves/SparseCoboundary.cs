namespace ResidualSheaf.Engine.Sheaves;

/// <summary>
/// δ of a whole sheaf as one row-major sparse matrix over global coordinates, each entry optionally scaled by a ReLU mask θ_j.
/// For small sheaves (the lab block: 18 free coordinates) the per-edge dispatch of <see cref="RestrictionMap"/> costs more than
/// the arithmetic; this form does both products of the gradient δᵀ(δc − β) in two flat loops. Holds a scratch copy of the masks,
/// so one instance serves one thread.
/// </summary>
public sealed class SparseCoboundary
{
    private readonly int[] _rowStart;
    private readonly int[] _column;
    private readonly double[] _value;
    private readonly int[] _maskSlot;
    private readonly double[] _beta;
    private readonly int[] _maskCoordinates;
    private readonly double[] _theta;
    private readonly double[] _effective;
    private readonly int[] _columnStart;
    private readonly int[] _columnEntry;
    private readonly int[] _entryRow;
    private bool _fresh;

    private SparseCoboundary(int[] rowStart, int[] column, double[] value, int[] maskSlot, double[] beta, int[] maskCoordinates, int total)
    {
        _rowStart = rowStart;
        _column = column;
        _value = value;
        _maskSlot = maskSlot;
        _beta = beta;
        _maskCoordinates = maskCoordinates;
        // Slot `total` holds a constant 1 for entries without a mask, so the loops multiply unconditionally.
        _theta = new double[total + 1];
        _theta[total] = 1.0;
        _effective = new double[value.Length];
        (_columnStart, _columnEntry, _entryRow) = ColumnIndex(rowStart, column, total);
    }

    private SparseCoboundary(SparseCoboundary o)
    {
        (_rowStart, _column, _value, _maskSlot, _beta, _maskCoordinates) = (o._rowStart, o._column, o._value, o._maskSlot, o._beta, o._maskCoordinates);
        (_columnStart, _columnEntry, _entryRow) = (o._columnStart, o._columnEntry, o._entryRow);
        _theta = new double[o._theta.Length];
        _theta[^1] = 1.0;
        _effective = new double[o._value.Length];
    }

    /// <summary>Entries by column (indices into the row-major arrays) and each entry's row, for column-local queries.</summary>
    private static (int[] Start, int[] Entry, int[] Row) ColumnIndex(int[] rowStart, int[] column, int total)
    {
        var start = new int[total + 1];
        foreach (int c in column) start[c + 1]++;
        for (int c = 0; c < total; c++) start[c + 1] += start[c];
        var fill = start[..^1].ToArray();
        var entry = new int[column.Length];
        var row = new int[column.Length];
        for (int i = 0; i + 1 < rowStart.Length; i++)
        {
            for (int k = rowStart[i]; k < rowStart[i + 1]; k++)
            {
                entry[fill[column[k]]++] = k;
                row[k] = i;
            }
        }
        return (start, entry, row);
    }

    internal int[] RowStart => _rowStart;

    internal int[] Column => _column;

    internal double[] Value => _value;

    /// <summary>Per entry: the global coordinate whose mask θ scales it, or <see cref="NoMask"/>.</summary>
    internal int[] MaskSlot => _maskSlot;

    internal int NoMask => _theta.Length - 1;

    internal double[] Beta => _beta;

    internal int[] ColumnStart => _columnStart;

    internal int[] ColumnEntry => _columnEntry;

    internal int[] EntryRow => _entryRow;

    /// <summary>Stored entries (with their structural zeros under masks).</summary>
    public int Entries => _value.Length;

    /// <summary>
    /// Compiles δ when every restriction map is of a kind whose mask dependence is known (dense, selection, sum: none; ReLU mask:
    /// θ of its own coordinates) and there are at most <paramref name="maxEntries"/> entries; otherwise null.
    /// </summary>
    public static SparseCoboundary? TryCreate(CellularSheaf sheaf, int maxEntries)
    {
        ArgumentNullException.ThrowIfNull(sheaf);
        var ones = new MaskPattern(sheaf.TotalDimension);
        ones.Theta.Fill(1.0);
        var rows = new List<(int Column, double Value, int Mask)>[sheaf.EdgeDimension];
        for (int i = 0; i < rows.Length; i++) rows[i] = [];
        int count = 0;
        foreach (var e in sheaf.Edges)
        {
            foreach (var (map, vertex, sign) in new[] { (e.HeadMap, sheaf.Vertices[e.Head], 1.0), (e.TailMap, sheaf.Vertices[e.Tail], -1.0) })
            {
                // ReLU semantics, not just any SwitchingMap: the compiled entries are their θ = 1 values times θ of the row's
                // coordinate, which is exactly diag(θ); another piecewise-linear map (leaky ReLU: α + (1 − α)θ) would need an
                // affine-in-θ entry, so it is left to the per-edge path.
                if (map is not (DenseMap or SelectionMap or SumMap or ReluMaskMap)) return null;
                int maskOffset = map is ReluMaskMap rm ? rm.MaskOffset : -1;
                foreach (var (row, col, v) in map.Entries(ones))
                {
                    if (++count > maxEntries) return null;
                    rows[e.Offset + row].Add((vertex.Offset + col, sign * v, maskOffset < 0 ? sheaf.TotalDimension : maskOffset + row));
                }
            }
        }
        var rowStart = new int[rows.Length + 1];
        var column = new int[count];
        var value = new double[count];
        var slot = new int[count];
        int k = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            rowStart[i] = k;
            foreach (var (c, v, m) in rows[i]) (column[k], value[k], slot[k++]) = (c, v, m);
        }
        rowStart[^1] = k;
        var beta = new double[sheaf.EdgeDimension];
        foreach (var e in sheaf.Edges)
            if (e.Affine is not null) e.Affine.CopyTo(beta, e.Offset);
        return new SparseCoboundary(rowStart, column, value, slot, beta, [.. sheaf.MaskCoordinates], sheaf.TotalDimension);
    }

    /// <summary>A copy with its own mask scratch, for another thread.</summary>
    public SparseCoboundary Clone() => new(this);

    /// <summary>r = δ(θ)c − β and g = δ(θ)ᵀ r (g overwritten), masks θ read from <paramref name="masks"/>.</summary>
    public void Gradient(ReadOnlySpan<double> c, MaskPattern masks, Span<double> r, Span<double> g)
    {
        // The entries under the current masks are recomputed only when a mask changed: between switches (most calls) they are not.
        var theta = masks.Theta;
        var th = _theta;
        bool changed = !_fresh;
        foreach (int j in _maskCoordinates)
        {
            if (th[j] == theta[j]) continue;
            th[j] = theta[j];
            changed = true;
        }
        var value = _effective;
        if (changed)
        {
            var slot = _maskSlot;
            for (int k = 0; k < value.Length; k++) value[k] = _value[k] * th[slot[k]];
            _fresh = true;
        }
        var rowStart = _rowStart;
        var column = _column;
        var beta = _beta;
        int rows = beta.Length;
        g.Clear();
        // One pass: each row's residual, then its contribution to g (g's entries still gather their terms in increasing row
        // order, as with a second pass).
        for (int i = 0; i < rows; i++)
        {
            double s = -beta[i];
            int start = rowStart[i], end = rowStart[i + 1];
            for (int k = start; k < end; k++) s += value[k] * c[column[k]];
            r[i] = s;
            for (int k = start; k < end; k++) g[column[k]] += value[k] * s;
        }
    }

    /// <summary>
    /// A forward error bound on the computed residual part of the energy, Ê = fl(½ Σ_i r̂_i²) with r̂_i = fl(Σ_k δ_ik(θ) c_k − β_i) summed
    /// in any order: |Ê − ½‖δ(θ)c − β‖²| ≤ the returned value. With e_i = γ_{n_i}·(|β_i| + Σ_k |δ_ik(θ)|·|c_k|) (n_i terms in row i,
    /// γ_n = nu/(1 − nu)) each residual is within e_i of the exact one, so ½|r̃_i² − r_i²| ≤ e_i(|r̂_i| + 1.5 e_i) for any two
    /// evaluations r̂, r̃; the sum of squares adds γ_m·½Σ(|r̂_i| + 2e_i)² (m rows). It scales with ‖|δ_Ω|·|c|‖ and ‖r‖, not with E.
    /// Allocation-free; leaves the instance's cached entries untouched.
    /// </summary>
    /// <param name="c">The whole cochain (pins included).</param>
    /// <param name="masks">The masks θ.</param>
    /// <param name="energyUpper">An upper bound on the residual energy, ½Σ(|r̂_i| + 2e_i)².</param>
    public double EnergyErrorBound(ReadOnlySpan<double> c, MaskPattern masks, out double energyUpper)
    {
        ArgumentNullException.ThrowIfNull(masks);
        var theta = masks.Theta;
        int noMask = NoMask;
        double cross = 0, squares = 0;
        int rows = _beta.Length;
        for (int i = 0; i < rows; i++)
        {
            double s = -_beta[i], a = Math.Abs(_beta[i]);
            int start = _rowStart[i], end = _rowStart[i + 1];
            for (int k = start; k < end; k++)
            {
                int slot = _maskSlot[k];
                double v = slot == noMask ? _value[k] : _value[k] * theta[slot];
                double x = c[_column[k]];
                s += v * x;
                a += Math.Abs(v * x);
            }
            double e = Gamma(end - start + 1) * a;
            double ri = Math.Abs(s);
            cross += e * (ri + 1.5 * e);
            squares += (ri + 2 * e) * (ri + 2 * e);
        }
        energyUpper = 0.5 * squares * (1 + 1e-6);
        // The bound is itself computed in floating point (sums of non-negative terms, relative error ≤ γ_(m+n)): a 1e−6 margin covers it.
        return (cross + Gamma(rows) * 0.5 * squares) * (1 + 1e-6);
    }

    /// <summary>γ_n = nu/(1 − nu), u = 2⁻⁵³ (Higham, Accuracy and Stability of Numerical Algorithms, §3.1).</summary>
    public static double Gamma(int n)
    {
        const double u = 1.1102230246251565e-16;
        return n * u / (1 - n * u);
    }
}

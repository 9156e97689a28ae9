using ResidualSheaf.Engine.Integration;
using ResidualSheaf.Engine.LinearAlgebra;
using ResidualSheaf.Engine.Sheaves;

namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// The exact Jacobian of the frozen-mode force, J = −α (L_free(σ) + Γ_soft) with the rows and columns of sliding units zeroed
/// (a sliding z_j is read as 0 and its force is 0). The force is affine inside a pattern, so J is constant there: it is assembled
/// once per visited pattern, by columns, from δ_Ω(σ)'s non-zeros, and cached; the dense form is written from the cached columns.
/// </summary>
/// <remarks>
/// Both forms hold the numbers the dense Gram product gives (the argument of <see cref="Gram"/>): entry (i, j) of L_free sums
/// δ[e,i]·δ[e,j] over the rows e of δ_Ω in increasing order from +0, and a column built here visits the rows of column j in
/// increasing e, adding each row's products to a per-row accumulator, so every entry gets the same terms in the same order.
/// Entries outside the structure are −α·(+0), as the dense product's zeros are after scaling.
/// </remarks>
internal sealed class FrozenJacobian
{
    private readonly HeatEquation _eq;
    private readonly Dictionary<ulong, Entry> _cache = [];

    // Column work, reused across patterns: an accumulator by row, whether a row is in the column, the rows touched.
    private readonly double[] _acc;
    private readonly bool[] _inColumn;
    private readonly int[] _touched;

    public FrozenJacobian(HeatEquation equation)
    {
        _eq = equation;
        int n = equation.FreeDimension;
        _acc = new double[n];
        _inColumn = new bool[n];
        _touched = new int[n];
    }

    /// <summary>Patterns assembled so far.</summary>
    public int Assembled { get; private set; }

    /// <summary>
    /// Writes the Jacobian of the force under <paramref name="modes"/> at <paramref name="state"/> into <paramref name="jacobian"/>:
    /// the cached piecewise-constant linear part plus, with a smooth output head, its state-dependent block.
    /// </summary>
    public void Fill(ReadOnlySpan<UnitMode> modes, ReadOnlySpan<double> state, double[,] jacobian)
    {
        Fill(modes, jacobian);
        if (_eq.HasSmoothHead) _eq.AddSmoothJacobian(state, jacobian);
    }

    /// <summary>Writes the Jacobian of the linear (piecewise-affine) part of the force under <paramref name="modes"/>.</summary>
    public void Fill(ReadOnlySpan<UnitMode> modes, double[,] jacobian)
    {
        var entry = Lookup(modes);
        // Built on the first dense request only (a smooth head asks every step, a sparse factor only when it falls back).
        entry.Dense ??= Dense(entry);
        Array.Copy(entry.Dense, jacobian, entry.Dense.Length);
    }

    private double[,] Dense(Entry entry)
    {
        int n = _eq.FreeDimension;
        double a = -_eq.Alpha;
        bool[] sliding = entry.Sliding;
        var jacobian = new double[n, n];
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
                jacobian[r, c] = sliding[r] || sliding[c] ? 0.0 : a * 0.0;
        var j = entry.J;
        for (int c = 0; c < n; c++)
            for (int q = j.ColumnStarts[c]; q < j.ColumnStarts[c + 1]; q++)
                jacobian[j.Rows[q], c] = j.Values[q];
        return jacobian;
    }

    /// <summary>
    /// The Jacobian of the linear part under <paramref name="modes"/> by columns (the cached matrix: read it, do not write it). Only
    /// the linear part: with a smooth output head use <see cref="Fill(ReadOnlySpan{UnitMode}, ReadOnlySpan{double}, double[,])"/>.
    /// </summary>
    public SparseColumns Columns(ReadOnlySpan<UnitMode> modes) => Lookup(modes).J;

    private Entry Lookup(ReadOnlySpan<UnitMode> modes)
    {
        // The id is a hash beyond 64 units and does not tell sliding from inactive below: the stored modes confirm a hit.
        ulong id = HeatPattern.Id(modes);
        if (!_cache.TryGetValue(id, out var entry) || !Same(modes, entry.Modes))
        {
            entry = Assemble(modes);
            _cache[id] = entry;
            Assembled++;
        }
        return entry;
    }

    private static bool Same(ReadOnlySpan<UnitMode> a, UnitMode[] b)
    {
        for (int k = 0; k < a.Length; k++)
            if (a[k] != b[k]) return false;
        return true;
    }

    private Entry Assemble(ReadOnlySpan<UnitMode> modes)
    {
        var problem = _eq.Problem;
        int n = _eq.FreeDimension;
        var masks = MaskPattern.From(problem.Sheaf, problem.PinnedCochain());
        for (int u = 0; u < modes.Length; u++) masks.Theta[_eq.SwitchingCoordinates[u]] = modes[u] == UnitMode.Active ? 1.0 : 0.0;
        var d = problem.FreeCoboundary(masks);
        int m = d.RowCount;
        var (rowStart, cols, vals) = Gram.NonZeroRows(d);

        // δ_Ω by columns, rows increasing (filled in increasing row order).
        var colStart = new int[n + 1];
        for (int p = 0; p < cols.Length; p++) colStart[cols[p] + 1]++;
        for (int c = 0; c < n; c++) colStart[c + 1] += colStart[c];
        var next = (int[])colStart.Clone();
        var colRow = new int[cols.Length];
        var colVal = new double[cols.Length];
        for (int e = 0; e < m; e++)
        {
            for (int p = rowStart[e]; p < rowStart[e + 1]; p++)
            {
                int q = next[cols[p]]++;
                colRow[q] = e;
                colVal[q] = vals[p];
            }
        }

        var softDiagonal = new List<(int Index, double Strength)>();
        foreach (var s in _eq.SoftPins) softDiagonal.Add((problem.FreeIndex(s.Coordinate), s.Strength));
        var sliding = new bool[n];
        for (int u = 0; u < modes.Length; u++) if (modes[u] == UnitMode.Sliding) sliding[_eq.SwitchingFreeIndices[u]] = true;

        double a = -_eq.Alpha;
        var starts = new int[n + 1];
        var rows = new List<int>(8 * n);
        var values = new List<double>(8 * n);
        double[] acc = _acc;
        bool[] inColumn = _inColumn;
        int[] touched = _touched;
        for (int j = 0; j < n; j++)
        {
            int nt = 0;
            for (int q = colStart[j]; q < colStart[j + 1]; q++)
            {
                int e = colRow[q];
                double aej = colVal[q];
                for (int p = rowStart[e]; p < rowStart[e + 1]; p++)
                {
                    int i = cols[p];
                    if (!inColumn[i])
                    {
                        inColumn[i] = true;
                        acc[i] = 0.0;
                        touched[nt++] = i;
                    }
                    acc[i] += vals[p] * aej;
                }
            }
            if (!inColumn[j])
            {
                inColumn[j] = true;
                acc[j] = 0.0;
                touched[nt++] = j;
            }
            // Soft pins add to L's diagonal after the Gram sums, in their order.
            foreach (var (index, strength) in softDiagonal)
                if (index == j) acc[j] += strength;
            Array.Sort(touched, 0, nt);
            starts[j] = rows.Count;
            for (int t = 0; t < nt; t++)
            {
                int i = touched[t];
                rows.Add(i);
                values.Add(sliding[i] || sliding[j] ? 0.0 : a * acc[i]);
                inColumn[i] = false;
            }
        }
        starts[n] = rows.Count;
        return new Entry(modes.ToArray(), sliding, new SparseColumns(n, starts, [.. rows], [.. values]));
    }

    private sealed record Entry(UnitMode[] Modes, bool[] Sliding, SparseColumns J)
    {
        public double[,]? Dense { get; set; }
    }
}

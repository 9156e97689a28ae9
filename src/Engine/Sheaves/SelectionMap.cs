namespace ResidualSheaf.Engine.Sheaves;

/// <summary>
/// A coordinate selection: row i picks stalk coordinate <c>Columns[i]</c>. The identity and the junction projections
/// π_b = [I 0], π_s = [0 I] are selections.
/// </summary>
public sealed class SelectionMap : RestrictionMap
{
    private readonly int[] _selected;
    private readonly int _columns;

    /// <summary>Creates a selection of the given stalk coordinates out of a stalk of dimension <paramref name="columns"/>.</summary>
    public SelectionMap(int columns, int[] selected)
    {
        if (selected.Length == 0) throw new ArgumentException("a selection needs at least one row", nameof(selected));
        foreach (int s in selected)
            if (s < 0 || s >= columns) throw new ArgumentOutOfRangeException(nameof(selected), $"coordinate {s} outside a stalk of dimension {columns}");
        _selected = (int[])selected.Clone();
        _columns = columns;
    }

    /// <summary>The identity on R^n.</summary>
    public static SelectionMap Identity(int n) => new(n, Enumerable.Range(0, n).ToArray());

    /// <summary>The projection onto block <paramref name="block"/> of <paramref name="blocks"/> equal blocks of size <paramref name="size"/>.</summary>
    public static SelectionMap Block(int size, int block, int blocks) =>
        new(size * blocks, Enumerable.Range(block * size, size).ToArray());

    /// <inheritdoc/>
    public override int Rows => _selected.Length;

    /// <inheritdoc/>
    public override int Columns => _columns;

    /// <inheritdoc/>
    public override int[]? SelectedColumns => _selected;

    /// <inheritdoc/>
    public override void MultiplyAdd(ReadOnlySpan<double> x, Span<double> y, double scale, MaskPattern masks)
    {
        for (int i = 0; i < _selected.Length; i++) y[i] += scale * x[_selected[i]];
    }

    /// <inheritdoc/>
    public override void TransposeMultiplyAdd(ReadOnlySpan<double> y, Span<double> x, double scale, MaskPattern masks)
    {
        for (int i = 0; i < _selected.Length; i++) x[_selected[i]] += scale * y[i];
    }

    /// <inheritdoc/>
    public override IEnumerable<(int Row, int Column, double Value)> Entries(MaskPattern masks)
    {
        for (int i = 0; i < _selected.Length; i++) yield return (i, _selected[i], 1.0);
    }
}

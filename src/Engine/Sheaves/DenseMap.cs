namespace ResidualSheaf.Engine.Sheaves;

/// <summary>A general dense restriction map (a weight matrix W or a projection skip P), row-major.</summary>
public sealed class DenseMap : RestrictionMap
{
    private readonly double[] _data;
    private readonly int _rows;
    private readonly int _cols;

    /// <summary>Creates the map from a row-major array of size rows × columns (copied).</summary>
    public DenseMap(int rows, int columns, ReadOnlySpan<double> rowMajor)
    {
        if (rows <= 0 || columns <= 0) throw new ArgumentOutOfRangeException(nameof(rows), "a dense map needs positive dimensions");
        if (rowMajor.Length != rows * columns)
            throw new ArgumentException($"expected {rows}×{columns} = {rows * columns} entries, got {rowMajor.Length}", nameof(rowMajor));
        _rows = rows;
        _cols = columns;
        _data = rowMajor.ToArray();
    }

    /// <summary>Creates the map from a [rows, columns] array.</summary>
    public static DenseMap FromArray(double[,] matrix)
    {
        int r = matrix.GetLength(0), c = matrix.GetLength(1);
        var flat = new double[r * c];
        for (int i = 0; i < r; i++)
            for (int j = 0; j < c; j++)
                flat[i * c + j] = matrix[i, j];
        return new DenseMap(r, c, flat);
    }

    /// <inheritdoc/>
    public override int Rows => _rows;

    /// <inheritdoc/>
    public override int Columns => _cols;

    /// <summary>Entry (i, j).</summary>
    public double this[int i, int j] => _data[i * _cols + j];

    /// <summary>The row-major entries.</summary>
    public ReadOnlySpan<double> Data => _data;

    /// <inheritdoc/>
    public override void MultiplyAdd(ReadOnlySpan<double> x, Span<double> y, double scale, MaskPattern masks)
    {
        var data = _data.AsSpan();
        for (int i = 0; i < _rows; i++)
            y[i] += scale * Numerics.Dot(data.Slice(i * _cols, _cols), x);
    }

    /// <inheritdoc/>
    public override void TransposeMultiplyAdd(ReadOnlySpan<double> y, Span<double> x, double scale, MaskPattern masks)
    {
        var data = _data.AsSpan();
        for (int i = 0; i < _rows; i++)
            Numerics.Axpy(scale * y[i], data.Slice(i * _cols, _cols), x);
    }

    /// <inheritdoc/>
    public override IEnumerable<(int Row, int Column, double Value)> Entries(MaskPattern masks)
    {
        for (int i = 0; i < _rows; i++)
            for (int j = 0; j < _cols; j++)
                if (_data[i * _cols + j] != 0) yield return (i, j, _data[i * _cols + j]);
    }
}

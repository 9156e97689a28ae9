namespace ResidualSheaf.Engine.Sheaves;

/// <summary>The addition map [I I … I] from a junction stalk (a direct sum of k addends of dimension d) to R^d.</summary>
public sealed class SumMap : RestrictionMap
{
    private readonly int _d;
    private readonly int _k;

    /// <summary>Creates [I … I] with <paramref name="addends"/> blocks of size <paramref name="dimension"/>.</summary>
    public SumMap(int dimension, int addends)
    {
        if (dimension <= 0 || addends < 1) throw new ArgumentOutOfRangeException(nameof(dimension), "a sum map needs d ≥ 1 and k ≥ 1");
        _d = dimension;
        _k = addends;
    }

    /// <inheritdoc/>
    public override int Rows => _d;

    /// <inheritdoc/>
    public override int Columns => _d * _k;

    /// <inheritdoc/>
    public override void MultiplyAdd(ReadOnlySpan<double> x, Span<double> y, double scale, MaskPattern masks)
    {
        for (int b = 0; b < _k; b++)
            for (int i = 0; i < _d; i++) y[i] += scale * x[b * _d + i];
    }

    /// <inheritdoc/>
    public override void TransposeMultiplyAdd(ReadOnlySpan<double> y, Span<double> x, double scale, MaskPattern masks)
    {
        for (int b = 0; b < _k; b++)
            for (int i = 0; i < _d; i++) x[b * _d + i] += scale * y[i];
    }

    /// <inheritdoc/>
    public override IEnumerable<(int Row, int Column, double Value)> Entries(MaskPattern masks)
    {
        for (int b = 0; b < _k; b++)
            for (int i = 0; i < _d; i++) yield return (i, b * _d + i, 1.0);
    }
}

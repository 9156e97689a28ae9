namespace ResidualSheaf.Engine.Sheaves;

/// <summary>A linear map from a vertex stalk to an edge stalk. Maps that depend on the state (ReLU masks) read a <see cref="MaskPattern"/>.</summary>
public abstract class RestrictionMap
{
    /// <summary>Edge-stalk dimension.</summary>
    public abstract int Rows { get; }

    /// <summary>Vertex-stalk dimension.</summary>
    public abstract int Columns { get; }

    /// <summary>y += scale · F x.</summary>
    public abstract void MultiplyAdd(ReadOnlySpan<double> x, Span<double> y, double scale, MaskPattern masks);

    /// <summary>x += scale · Fᵀ y.</summary>
    public abstract void TransposeMultiplyAdd(ReadOnlySpan<double> y, Span<double> x, double scale, MaskPattern masks);

    /// <summary>Enumerates the nonzero entries (row, column, value) under the given masks.</summary>
    public abstract IEnumerable<(int Row, int Column, double Value)> Entries(MaskPattern masks);

    /// <summary>
    /// If every row of the map picks exactly one stalk coordinate with coefficient 1 (identity, projections π_i),
    /// the picked column of each row; otherwise null. Forward substitution needs this of every head map.
    /// </summary>
    public virtual int[]? SelectedColumns => null;
}

namespace ResidualSheaf.Engine.Sheaves;

/// <summary>
/// A restriction map of a piecewise-linear nonlinearity: diagonal, and row i takes the piece selected by the side of the
/// switching surface c_j = 0 on which global coordinate j = <see cref="MaskOffset"/> + i lies. The side is read from the
/// <see cref="MaskPattern"/> (θ_j = 1 for c_j ≥ 0, 0 below, a Filippov fraction on the surface), never from a separate forward
/// pass. The engine's switching machinery (mask coordinates, event location, forward substitution) sees only this class, so a
/// smooth nonlinearity, which has no switching coordinates, is not one of these.
/// </summary>
public abstract class SwitchingMap : RestrictionMap
{
    private readonly int _n;

    /// <summary>Creates the map of a stalk of dimension <paramref name="dimension"/> switched by the coordinates from <paramref name="maskOffset"/> on.</summary>
    protected SwitchingMap(int dimension, int maskOffset)
    {
        if (dimension <= 0) throw new ArgumentOutOfRangeException(nameof(dimension));
        _n = dimension;
        MaskOffset = maskOffset;
    }

    /// <summary>First global coordinate of the switching vertex: row i is switched by coordinate MaskOffset + i.</summary>
    public int MaskOffset { get; }

    /// <inheritdoc/>
    public sealed override int Rows => _n;

    /// <inheritdoc/>
    public sealed override int Columns => _n;
}

namespace ResidualSheaf.Engine.Sheaves;

/// <summary>
/// The ReLU restriction R(z) = diag(θ), θ_j = 1[z_j ≥ 0] (or a Filippov fraction), read from the mask pattern at the
/// global coordinates of the mask-carrying vertex. Since R(z) z = ReLU(z), the edge term is continuous in the state.
/// </summary>
public sealed class ReluMaskMap : SwitchingMap
{
    /// <summary>Creates the mask map of a vertex of dimension <paramref name="dimension"/> whose stalk starts at <paramref name="maskOffset"/>.</summary>
    public ReluMaskMap(int dimension, int maskOffset)
        : base(dimension, maskOffset)
    {
    }

    /// <inheritdoc/>
    public override void MultiplyAdd(ReadOnlySpan<double> x, Span<double> y, double scale, MaskPattern masks)
    {
        int n = Rows;
        var theta = masks.Theta.Slice(MaskOffset, n);
        for (int i = 0; i < n; i++) y[i] += scale * theta[i] * x[i];
    }

    /// <inheritdoc/>
    public override void TransposeMultiplyAdd(ReadOnlySpan<double> y, Span<double> x, double scale, MaskPattern masks) =>
        MultiplyAdd(y, x, scale, masks);

    /// <inheritdoc/>
    public override IEnumerable<(int Row, int Column, double Value)> Entries(MaskPattern masks)
    {
        int n = Rows;
        for (int i = 0; i < n; i++)
        {
            double t = masks.Theta[MaskOffset + i];
            if (t != 0) yield return (i, i, t);
        }
    }
}

namespace ResidualSheaf.Engine.Sheaves;

/// <summary>
/// Average pooling per channel (ONNX AveragePool, GlobalAveragePool) as a matrix-free restriction map from a C×H×W stalk to a
/// C×H_out×W_out stalk. Each output is the mean of its window's pixels inside the image, or of the whole window with the padding
/// counted as zeros when <see cref="CountIncludePad"/> (ONNX count_include_pad = 1). Its transpose spreads each output back over
/// its window with the same weights.
/// </summary>
public sealed class AveragePool2dMap : RestrictionMap
{
    private readonly double[] _weight;

    /// <summary>Creates the pool; the geometry's channel counts must be equal (the window acts on each channel alone).</summary>
    public AveragePool2dMap(Conv2dGeometry geometry, bool countIncludePad = false)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        geometry.Validate();
        if (geometry.InChannels != geometry.OutChannels)
            throw new ArgumentException($"a pool keeps the channels: C_in {geometry.InChannels} ≠ C_out {geometry.OutChannels}", nameof(geometry));
        Geometry = geometry;
        CountIncludePad = countIncludePad;
        _weight = new double[geometry.OutHeight * geometry.OutWidth];
        for (int i = 0; i < geometry.OutHeight; i++)
            for (int j = 0; j < geometry.OutWidth; j++)
            {
                int inside = 0;
                foreach (var _ in Window(i, j)) inside++;
                _weight[i * geometry.OutWidth + j] = 1.0 / (countIncludePad ? geometry.KernelHeight * geometry.KernelWidth : inside);
            }
    }

    /// <summary>The global average pool of a C×H×W stalk (one mean per channel).</summary>
    public static AveragePool2dMap Global(int channels, int height, int width) =>
        new(new Conv2dGeometry(channels, height, width, channels, height, width));

    /// <summary>The window and strides.</summary>
    public Conv2dGeometry Geometry { get; }

    /// <summary>True when padded positions count in the divisor.</summary>
    public bool CountIncludePad { get; }

    /// <inheritdoc/>
    public override int Rows => Geometry.OutDimension;

    /// <inheritdoc/>
    public override int Columns => Geometry.InDimension;

    /// <inheritdoc/>
    public override void MultiplyAdd(ReadOnlySpan<double> x, Span<double> y, double scale, MaskPattern masks)
    {
        var g = Geometry;
        int hw = g.Height * g.Width, ohw = g.OutHeight * g.OutWidth;
        for (int c = 0; c < g.InChannels; c++)
            for (int i = 0; i < g.OutHeight; i++)
                for (int j = 0; j < g.OutWidth; j++)
                {
                    double s = 0;
                    for (int ky = 0; ky < g.KernelHeight; ky++)
                    {
                        int r = g.InputRow(i, ky);
                        if (r < 0) continue;
                        for (int kx = 0; kx < g.KernelWidth; kx++)
                        {
                            int col = g.InputColumn(j, kx);
                            if (col >= 0 && col < g.Width) s += x[c * hw + r * g.Width + col];
                        }
                    }
                    y[c * ohw + i * g.OutWidth + j] += scale * _weight[i * g.OutWidth + j] * s;
                }
    }

    /// <inheritdoc/>
    public override void TransposeMultiplyAdd(ReadOnlySpan<double> y, Span<double> x, double scale, MaskPattern masks)
    {
        var g = Geometry;
        int hw = g.Height * g.Width, ohw = g.OutHeight * g.OutWidth;
        for (int c = 0; c < g.InChannels; c++)
            for (int i = 0; i < g.OutHeight; i++)
                for (int j = 0; j < g.OutWidth; j++)
                {
                    double v = scale * _weight[i * g.OutWidth + j] * y[c * ohw + i * g.OutWidth + j];
                    for (int ky = 0; ky < g.KernelHeight; ky++)
                    {
                        int r = g.InputRow(i, ky);
                        if (r < 0) continue;
                        for (int kx = 0; kx < g.KernelWidth; kx++)
                        {
                            int col = g.InputColumn(j, kx);
                            if (col >= 0 && col < g.Width) x[c * hw + r * g.Width + col] += v;
                        }
                    }
                }
    }

    /// <inheritdoc/>
    public override IEnumerable<(int Row, int Column, double Value)> Entries(MaskPattern masks)
    {
        var g = Geometry;
        int hw = g.Height * g.Width, ohw = g.OutHeight * g.OutWidth;
        for (int c = 0; c < g.InChannels; c++)
            for (int i = 0; i < g.OutHeight; i++)
                for (int j = 0; j < g.OutWidth; j++)
                    foreach (int p in Window(i, j).Order())
                        yield return (c * ohw + i * g.OutWidth + j, c * hw + p, _weight[i * g.OutWidth + j]);
    }

    /// <summary>The in-image pixels (r·W + s) of output (i, j)'s window.</summary>
    private IEnumerable<int> Window(int i, int j)
    {
        var g = Geometry;
        for (int ky = 0; ky < g.KernelHeight; ky++)
        {
            int r = g.InputRow(i, ky);
            if (r < 0) continue;
            for (int kx = 0; kx < g.KernelWidth; kx++)
            {
                int col = g.InputColumn(j, kx);
                if (col >= 0 && col < g.Width) yield return r * g.Width + col;
            }
        }
    }
}

namespace ResidualSheaf.Engine.Sheaves;

/// <summary>
/// The 2-D convolution K (cross-correlation, groups = 1, as ONNX Conv and PyTorch conv2d compute it) as a matrix-free restriction
/// map from a C_in×H×W stalk to a C_out×H_out×W_out stalk: <see cref="MultiplyAdd"/> applies K, <see cref="TransposeMultiplyAdd"/>
/// applies Kᵀ (the transposed convolution, conv_transpose2d) without ever forming the Toeplitz matrix. The bias is the edge's affine
/// term, not part of the map.
/// </summary>
public sealed class Conv2dMap : RestrictionMap
{
    private readonly double[] _kernel;

    /// <summary>Creates K from its geometry and the kernel [C_out, C_in, k_h, k_w] in row-major order (copied).</summary>
    public Conv2dMap(Conv2dGeometry geometry, ReadOnlySpan<double> kernel)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        geometry.Validate();
        int expected = geometry.OutChannels * geometry.InChannels * geometry.KernelHeight * geometry.KernelWidth;
        if (kernel.Length != expected)
            throw new ArgumentException($"kernel has {kernel.Length} entries; [{geometry.OutChannels}, {geometry.InChannels}, {geometry.KernelHeight}, {geometry.KernelWidth}] needs {expected}", nameof(kernel));
        Geometry = geometry;
        _kernel = kernel.ToArray();
    }

    /// <summary>The shape of the convolution.</summary>
    public Conv2dGeometry Geometry { get; }

    /// <summary>The kernel [C_out, C_in, k_h, k_w], row-major.</summary>
    public ReadOnlySpan<double> Kernel => _kernel;

    /// <inheritdoc/>
    public override int Rows => Geometry.OutDimension;

    /// <inheritdoc/>
    public override int Columns => Geometry.InDimension;

    /// <inheritdoc/>
    public override void MultiplyAdd(ReadOnlySpan<double> x, Span<double> y, double scale, MaskPattern masks) => Sweep(x, y, scale, transpose: false);

    /// <inheritdoc/>
    public override void TransposeMultiplyAdd(ReadOnlySpan<double> y, Span<double> x, double scale, MaskPattern masks) => Sweep(y, x, scale, transpose: true);

    /// <summary>
    /// One loop nest for K and Kᵀ: every kernel tap w = K[o, c, ky, kx] couples output (o, i, j) with input (c, r, s); the forward
    /// map adds w·x[c, r, s] to y[o, i, j], the adjoint adds w·y[o, i, j] to x[c, r, s]. Sharing the nest makes the adjoint exact by
    /// construction of the index sets, which the tests check against conv_transpose2d.
    /// </summary>
    private void Sweep(ReadOnlySpan<double> from, Span<double> to, double scale, bool transpose)
    {
        var g = Geometry;
        int hw = g.Height * g.Width, ohw = g.OutHeight * g.OutWidth, kk = g.KernelHeight * g.KernelWidth;
        int sw = g.StrideW;
        for (int o = 0; o < g.OutChannels; o++)
            for (int c = 0; c < g.InChannels; c++)
                for (int ky = 0; ky < g.KernelHeight; ky++)
                    for (int kx = 0; kx < g.KernelWidth; kx++)
                    {
                        double w = scale * _kernel[(o * g.InChannels + c) * kk + ky * g.KernelWidth + kx];
                        if (w == 0) continue;
                        var (j0, j1) = g.ValidColumns(kx);
                        if (j1 <= j0) continue;
                        int s0 = g.InputColumn(j0, kx);
                        for (int i = 0; i < g.OutHeight; i++)
                        {
                            int r = g.InputRow(i, ky);
                            if (r < 0) continue;
                            int outRow = o * ohw + i * g.OutWidth, inRow = c * hw + r * g.Width + s0;
                            if (transpose)
                                for (int j = j0, s = inRow; j < j1; j++, s += sw) to[s] += w * from[outRow + j];
                            else
                                for (int j = j0, s = inRow; j < j1; j++, s += sw) to[outRow + j] += w * from[s];
                        }
                    }
    }

    /// <inheritdoc/>
    public override IEnumerable<(int Row, int Column, double Value)> Entries(MaskPattern masks)
    {
        // Row by row, columns in increasing order (each input pixel is read by at most one tap of an output pixel).
        var g = Geometry;
        int hw = g.Height * g.Width, ohw = g.OutHeight * g.OutWidth, kk = g.KernelHeight * g.KernelWidth;
        for (int o = 0; o < g.OutChannels; o++)
            for (int i = 0; i < g.OutHeight; i++)
                for (int j = 0; j < g.OutWidth; j++)
                {
                    var row = new SortedDictionary<int, double>();
                    for (int c = 0; c < g.InChannels; c++)
                        for (int ky = 0; ky < g.KernelHeight; ky++)
                        {
                            int r = g.InputRow(i, ky);
                            if (r < 0) continue;
                            for (int kx = 0; kx < g.KernelWidth; kx++)
                            {
                                int s = g.InputColumn(j, kx);
                                if (s < 0 || s >= g.Width) continue;
                                int col = c * hw + r * g.Width + s;
                                row[col] = row.GetValueOrDefault(col) + _kernel[(o * g.InChannels + c) * kk + ky * g.KernelWidth + kx];
                            }
                        }
                    foreach (var (col, v) in row)
                        if (v != 0) yield return (o * ohw + i * g.OutWidth + j, col, v);
                }
    }
}

using ResidualSheaf.Engine.LinearAlgebra;

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
    private readonly int[] _source;

    [ThreadStatic]
    private static double[]? t_unfolded;

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
        _source = UnfoldingTable(geometry);
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
    public override void MultiplyAdd(ReadOnlySpan<double> x, Span<double> y, double scale, MaskPattern masks)
    {
        // y[o] += Σ_q K[o, q] · X[q], X the unfolded input (im2col): one gather, then a dense product over the output planes.
        var g = Geometry;
        int ohw = g.OutHeight * g.OutWidth, taps = _source.Length / Math.Max(ohw, 1);
        var columns = Unfolded(_source.Length);
        for (int k = 0; k < _source.Length; k++)
        {
            int s = _source[k];
            columns[k] = s >= 0 ? x[s] : 0;
        }
        UnfoldedProducts.MultiplyAdd(_kernel, g.OutChannels, taps, scale, columns, ohw, y);
    }

    /// <inheritdoc/>
    public override void TransposeMultiplyAdd(ReadOnlySpan<double> y, Span<double> x, double scale, MaskPattern masks)
    {
        // Xᵀ-side: columns[q] = Σ_o K[o, q] · y[o], then scattered back through the same index table (col2im), so Kᵀ reads exactly
        // the index sets K writes.
        var g = Geometry;
        int ohw = g.OutHeight * g.OutWidth, taps = _source.Length / Math.Max(ohw, 1);
        var columns = Unfolded(_source.Length);
        // Transpose assigns every entry of the unfolded buffer, so it needs no clearing.
        UnfoldedProducts.Transpose(_kernel, g.OutChannels, taps, scale, y, ohw, columns);
        for (int k = 0; k < _source.Length; k++)
        {
            int s = _source[k];
            if (s >= 0) x[s] += columns[k];
        }
    }

    /// <summary>
    /// The unfolding table: entry q·OutHW + p is the input index that output pixel p reads at tap q = (c, ky, kx), or −1 in the
    /// padding. Built from the geometry's index arithmetic, it is the sparsity pattern of K, stored once (C_in·k_h·k_w·OutHW ints).
    /// </summary>
    private static int[] UnfoldingTable(Conv2dGeometry g)
    {
        int hw = g.Height * g.Width, ohw = g.OutHeight * g.OutWidth, kk = g.KernelHeight * g.KernelWidth;
        var table = new int[g.InChannels * kk * ohw];
        Array.Fill(table, -1);
        for (int c = 0; c < g.InChannels; c++)
            for (int ky = 0; ky < g.KernelHeight; ky++)
                for (int kx = 0; kx < g.KernelWidth; kx++)
                {
                    int row = (c * kk + ky * g.KernelWidth + kx) * ohw;
                    var (j0, j1) = g.ValidColumns(kx);
                    for (int i = 0; i < g.OutHeight; i++)
                    {
                        int r = g.InputRow(i, ky);
                        if (r < 0) continue;
                        for (int j = j0; j < j1; j++) table[row + i * g.OutWidth + j] = c * hw + r * g.Width + g.InputColumn(j, kx);
                    }
                }
        return table;
    }

    /// <summary>A per-thread scratch of at least <paramref name="length"/> doubles (maps are shared between threads; no allocation once grown).</summary>
    private static double[] Unfolded(int length)
    {
        var buffer = t_unfolded;
        if (buffer is null || buffer.Length < length) t_unfolded = buffer = new double[length];
        return buffer;
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

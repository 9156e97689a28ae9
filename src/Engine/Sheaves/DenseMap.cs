using System.Numerics;
using System.Runtime.InteropServices;

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
        int cols = _cols, i = 0;
        int vc = Vector<double>.Count;
        if (Vector.IsHardwareAccelerated && cols >= 2 * vc && x.Length == cols)
        {
            // Four rows per pass share the loads of x and keep four independent accumulators (a single dot product waits on its
            // own add latency). Each row's sum is formed exactly as Numerics.Dot forms it, so results are bit-identical.
            var vx = MemoryMarshal.Cast<double, Vector<double>>(x);
            int nv = vx.Length, tail = nv * vc;
            for (; i + 4 <= _rows; i += 4)
            {
                var r0 = data.Slice(i * cols, cols);
                var r1 = data.Slice((i + 1) * cols, cols);
                var r2 = data.Slice((i + 2) * cols, cols);
                var r3 = data.Slice((i + 3) * cols, cols);
                var v0 = MemoryMarshal.Cast<double, Vector<double>>(r0);
                var v1 = MemoryMarshal.Cast<double, Vector<double>>(r1);
                var v2 = MemoryMarshal.Cast<double, Vector<double>>(r2);
                var v3 = MemoryMarshal.Cast<double, Vector<double>>(r3);
                Vector<double> a0 = Vector<double>.Zero, a1 = a0, a2 = a0, a3 = a0;
                for (int k = 0; k < nv; k++)
                {
                    var xk = vx[k];
                    a0 += v0[k] * xk;
                    a1 += v1[k] * xk;
                    a2 += v2[k] * xk;
                    a3 += v3[k] * xk;
                }

                double s0 = Vector.Sum(a0), s1 = Vector.Sum(a1), s2 = Vector.Sum(a2), s3 = Vector.Sum(a3);
                for (int j = tail; j < cols; j++)
                {
                    s0 += r0[j] * x[j];
                    s1 += r1[j] * x[j];
                    s2 += r2[j] * x[j];
                    s3 += r3[j] * x[j];
                }

                y[i] += scale * s0;
                y[i + 1] += scale * s1;
                y[i + 2] += scale * s2;
                y[i + 3] += scale * s3;
            }
        }

        for (; i < _rows; i++)
            y[i] += scale * Numerics.Dot(data.Slice(i * cols, cols), x);
    }

    /// <inheritdoc/>
    public override void TransposeMultiplyAdd(ReadOnlySpan<double> y, Span<double> x, double scale, MaskPattern masks)
    {
        var data = _data.AsSpan();
        int cols = _cols, i = 0;
        int vc = Vector<double>.Count;
        if (Vector.IsHardwareAccelerated && cols >= vc && x.Length == cols)
        {
            // Four rows per pass: one load and store of x instead of four; per element the four updates happen in row order,
            // exactly as four Numerics.Axpy calls would make them, so results are bit-identical.
            var vx = MemoryMarshal.Cast<double, Vector<double>>(x);
            int nv = vx.Length, tail = nv * vc;
            for (; i + 4 <= _rows; i += 4)
            {
                double c0 = scale * y[i], c1 = scale * y[i + 1], c2 = scale * y[i + 2], c3 = scale * y[i + 3];
                var r0 = data.Slice(i * cols, cols);
                var r1 = data.Slice((i + 1) * cols, cols);
                var r2 = data.Slice((i + 2) * cols, cols);
                var r3 = data.Slice((i + 3) * cols, cols);
                var v0 = MemoryMarshal.Cast<double, Vector<double>>(r0);
                var v1 = MemoryMarshal.Cast<double, Vector<double>>(r1);
                var v2 = MemoryMarshal.Cast<double, Vector<double>>(r2);
                var v3 = MemoryMarshal.Cast<double, Vector<double>>(r3);
                var b0 = new Vector<double>(c0);
                var b1 = new Vector<double>(c1);
                var b2 = new Vector<double>(c2);
                var b3 = new Vector<double>(c3);
                for (int k = 0; k < nv; k++)
                {
                    var acc = vx[k];
                    acc += b0 * v0[k];
                    acc += b1 * v1[k];
                    acc += b2 * v2[k];
                    acc += b3 * v3[k];
                    vx[k] = acc;
                }

                for (int j = tail; j < cols; j++)
                {
                    x[j] += c0 * r0[j];
                    x[j] += c1 * r1[j];
                    x[j] += c2 * r2[j];
                    x[j] += c3 * r3[j];
                }
            }
        }

        for (; i < _rows; i++)
            Numerics.Axpy(scale * y[i], data.Slice(i * cols, cols), x);
    }

    /// <inheritdoc/>
    public override IEnumerable<(int Row, int Column, double Value)> Entries(MaskPattern masks)
    {
        for (int i = 0; i < _rows; i++)
            for (int j = 0; j < _cols; j++)
                if (_data[i * _cols + j] != 0) yield return (i, j, _data[i * _cols + j]);
    }
}

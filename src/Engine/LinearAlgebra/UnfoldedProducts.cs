using System.Numerics;
using System.Runtime.InteropServices;

namespace ResidualSheaf.Engine.LinearAlgebra;

/// <summary>
/// The two dense products of a convolution on its unfolded input (im2col): Y += K X and X = Kᵀ Y, with K a rows × taps weight
/// matrix and X, Y planes of m pixels per row. Each output element receives exactly the products and additions, in the same order,
/// that one <see cref="Numerics.Axpy"/> per (row, tap) would give it (a product is rounded before it is added, no FMA; zero
/// weights are skipped), so the results are the same to the bit; what changes is that a block of the output stays in registers
/// across the whole sum instead of being loaded and stored once per tap, which on 8×8 planes was most of a conv map's time.
/// </summary>
internal static class UnfoldedProducts
{
    /// <summary>Vectors per register block of an output row.</summary>
    private const int Block = 4;

    /// <summary>y[o·m + p] += Σ_q (scale·k[o·taps + q])·x[q·m + p], q ascending, for o &lt; rows and p &lt; m.</summary>
    public static void MultiplyAdd(ReadOnlySpan<double> k, int rows, int taps, double scale, ReadOnlySpan<double> x, int m, Span<double> y)
    {
        int vw = Vector<double>.Count, width = Block * vw;
        int blocked = Vector.IsHardwareAccelerated ? m / width * width : 0;
        for (int o = 0; o < rows; o++)
        {
            var yo = y.Slice(o * m, m);
            var ko = k.Slice(o * taps, taps);
            for (int p0 = 0; p0 < blocked; p0 += width)
            {
                var yv = MemoryMarshal.Cast<double, Vector<double>>(yo.Slice(p0, width));
                Vector<double> a0 = yv[0], a1 = yv[1], a2 = yv[2], a3 = yv[3];
                for (int q = 0; q < taps; q++)
                {
                    double w = scale * ko[q];
                    if (w == 0) continue;
                    var wv = new Vector<double>(w);
                    var xv = MemoryMarshal.Cast<double, Vector<double>>(x.Slice(q * m + p0, width));
                    a0 += wv * xv[0];
                    a1 += wv * xv[1];
                    a2 += wv * xv[2];
                    a3 += wv * xv[3];
                }
                yv[0] = a0; yv[1] = a1; yv[2] = a2; yv[3] = a3;
            }
            if (blocked == m) continue;
            var rest = yo[blocked..];
            for (int q = 0; q < taps; q++)
            {
                double w = scale * ko[q];
                if (w != 0) Numerics.Axpy(w, x.Slice(q * m + blocked, m - blocked), rest);
            }
        }
    }

    /// <summary>
    /// x[q·m + p] = Σ_o (scale·k[o·taps + q])·y[o·m + p], o ascending, the first nonzero weight assigning (w·y, no addition to 0) and
    /// a tap with no nonzero weight giving 0, for q &lt; taps and p &lt; m.
    /// </summary>
    public static void Transpose(ReadOnlySpan<double> k, int rows, int taps, double scale, ReadOnlySpan<double> y, int m, Span<double> x)
    {
        int vw = Vector<double>.Count, width = Block * vw;
        int blocked = Vector.IsHardwareAccelerated ? m / width * width : 0;
        for (int q = 0; q < taps; q++)
        {
            var xq = x.Slice(q * m, m);
            int first = -1;
            for (int o = 0; o < rows && first < 0; o++)
                if (scale * k[o * taps + q] != 0) first = o;
            if (first < 0)
            {
                xq.Clear();
                continue;
            }
            double w0 = scale * k[first * taps + q];
            for (int p0 = 0; p0 < blocked; p0 += width)
            {
                var y0 = MemoryMarshal.Cast<double, Vector<double>>(y.Slice(first * m + p0, width));
                var wv0 = new Vector<double>(w0);
                Vector<double> a0 = wv0 * y0[0], a1 = wv0 * y0[1], a2 = wv0 * y0[2], a3 = wv0 * y0[3];
                for (int o = first + 1; o < rows; o++)
                {
                    double w = scale * k[o * taps + q];
                    if (w == 0) continue;
                    var wv = new Vector<double>(w);
                    var yv = MemoryMarshal.Cast<double, Vector<double>>(y.Slice(o * m + p0, width));
                    a0 += wv * yv[0];
                    a1 += wv * yv[1];
                    a2 += wv * yv[2];
                    a3 += wv * yv[3];
                }
                var xv = MemoryMarshal.Cast<double, Vector<double>>(xq.Slice(p0, width));
                xv[0] = a0; xv[1] = a1; xv[2] = a2; xv[3] = a3;
            }
            if (blocked == m) continue;
            var rest = xq[blocked..];
            var yFirst = y.Slice(first * m + blocked, m - blocked);
            for (int p = 0; p < rest.Length; p++) rest[p] = w0 * yFirst[p];
            for (int o = first + 1; o < rows; o++)
            {
                double w = scale * k[o * taps + q];
                if (w != 0) Numerics.Axpy(w, y.Slice(o * m + blocked, m - blocked), rest);
            }
        }
    }
}

using System.Numerics;
using System.Runtime.InteropServices;

namespace ResidualSheaf.Engine;

/// <summary>Small fused, allocation-free vector kernels used on hot paths.</summary>
public static class Numerics
{
    /// <summary>Σ a_i b_i, vectorised; the summation order is fixed, so results do not depend on the caller's threads.</summary>
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length) throw new ArgumentException("length mismatch in Dot");
        int n = a.Length, i = 0;
        double sum = 0;
        if (Vector.IsHardwareAccelerated && n >= 2 * Vector<double>.Count)
        {
            var va = MemoryMarshal.Cast<double, Vector<double>>(a);
            var vb = MemoryMarshal.Cast<double, Vector<double>>(b);
            var acc = Vector<double>.Zero;
            for (int k = 0; k < va.Length; k++) acc += va[k] * vb[k];
            sum = Vector.Sum(acc);
            i = va.Length * Vector<double>.Count;
        }
        for (; i < n; i++) sum += a[i] * b[i];
        return sum;
    }

    /// <summary>
    /// results[i] = <see cref="Dot"/>(rows[i·n, (i + 1)·n), b) for every i &lt; results.Length, to the bit: each sum has the same terms
    /// in the same order as <see cref="Dot"/>'s, but four of them run interleaved, so that one chain's additions wait on another's.
    /// </summary>
    public static void Dots(ReadOnlySpan<double> rows, int n, ReadOnlySpan<double> b, Span<double> results)
    {
        int count = results.Length;
        if (b.Length != n || rows.Length < count * n) throw new ArgumentException("length mismatch in Dots");
        int i = 0;
        if (Vector.IsHardwareAccelerated && n >= 2 * Vector<double>.Count)
        {
            var vb = MemoryMarshal.Cast<double, Vector<double>>(b);
            int chunks = vb.Length, done = chunks * Vector<double>.Count;
            for (; i + 4 <= count; i += 4)
            {
                var v0 = MemoryMarshal.Cast<double, Vector<double>>(rows.Slice(i * n, n));
                var v1 = MemoryMarshal.Cast<double, Vector<double>>(rows.Slice((i + 1) * n, n));
                var v2 = MemoryMarshal.Cast<double, Vector<double>>(rows.Slice((i + 2) * n, n));
                var v3 = MemoryMarshal.Cast<double, Vector<double>>(rows.Slice((i + 3) * n, n));
                Vector<double> a0 = Vector<double>.Zero, a1 = Vector<double>.Zero, a2 = Vector<double>.Zero, a3 = Vector<double>.Zero;
                for (int k = 0; k < chunks; k++)
                {
                    var bk = vb[k];
                    a0 += v0[k] * bk;
                    a1 += v1[k] * bk;
                    a2 += v2[k] * bk;
                    a3 += v3[k] * bk;
                }
                double s0 = Vector.Sum(a0), s1 = Vector.Sum(a1), s2 = Vector.Sum(a2), s3 = Vector.Sum(a3);
                for (int j = done; j < n; j++)
                {
                    s0 += rows[i * n + j] * b[j];
                    s1 += rows[(i + 1) * n + j] * b[j];
                    s2 += rows[(i + 2) * n + j] * b[j];
                    s3 += rows[(i + 3) * n + j] * b[j];
                }
                results[i] = s0; results[i + 1] = s1; results[i + 2] = s2; results[i + 3] = s3;
            }
        }
        for (; i < count; i++) results[i] = Dot(rows.Slice(i * n, n), b);
    }

    /// <summary>y += alpha · x.</summary>
    public static void Axpy(double alpha, ReadOnlySpan<double> x, Span<double> y)
    {
        if (x.Length != y.Length) throw new ArgumentException("length mismatch in Axpy");
        int n = x.Length, i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<double>.Count)
        {
            var vx = MemoryMarshal.Cast<double, Vector<double>>(x);
            var vy = MemoryMarshal.Cast<double, Vector<double>>(y);
            var va = new Vector<double>(alpha);
            for (int k = 0; k < vx.Length; k++) vy[k] += va * vx[k];
            i = vx.Length * Vector<double>.Count;
        }
        for (; i < n; i++) y[i] += alpha * x[i];
    }

    /// <summary>
    /// y += Σ_i coefficients[i] · rows[i·n, (i + 1)·n), i ascending: to the bit the same as one <see cref="Axpy"/> per row in that
    /// order (each entry of y receives the same products in the same order), with four rows per sweep over y, so that y is loaded
    /// and stored once per four rows. The update of classical Gram–Schmidt.
    /// </summary>
    public static void AddCombination(ReadOnlySpan<double> rows, int n, ReadOnlySpan<double> coefficients, Span<double> y)
    {
        if (y.Length != n) throw new ArgumentException("length mismatch in AddCombination");
        AddCombination(rows, n, 0, coefficients, y);
    }

    /// <summary>
    /// The columns [offset, offset + y.Length) of <see cref="AddCombination(ReadOnlySpan{double}, int, ReadOnlySpan{double}, Span{double})"/>
    /// on rows of length <paramref name="stride"/>: y[j] += Σ_i coefficients[i] · rows[i·stride + offset + j], each entry as there.
    /// </summary>
    public static void AddCombination(ReadOnlySpan<double> rows, int stride, int offset, ReadOnlySpan<double> coefficients, Span<double> y)
    {
        int count = coefficients.Length, n = y.Length;
        if (offset < 0 || offset + n > stride || (count > 0 && rows.Length < (count - 1) * stride + offset + n))
            throw new ArgumentException("length mismatch in AddCombination");
        int i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<double>.Count)
        {
            var vy = MemoryMarshal.Cast<double, Vector<double>>(y);
            int chunks = vy.Length, done = chunks * Vector<double>.Count;
            for (; i + 4 <= count; i += 4)
            {
                var v0 = MemoryMarshal.Cast<double, Vector<double>>(rows.Slice(i * stride + offset, n));
                var v1 = MemoryMarshal.Cast<double, Vector<double>>(rows.Slice((i + 1) * stride + offset, n));
                var v2 = MemoryMarshal.Cast<double, Vector<double>>(rows.Slice((i + 2) * stride + offset, n));
                var v3 = MemoryMarshal.Cast<double, Vector<double>>(rows.Slice((i + 3) * stride + offset, n));
                var c0 = new Vector<double>(coefficients[i]);
                var c1 = new Vector<double>(coefficients[i + 1]);
                var c2 = new Vector<double>(coefficients[i + 2]);
                var c3 = new Vector<double>(coefficients[i + 3]);
                for (int k = 0; k < chunks; k++)
                {
                    var t = vy[k];
                    t += c0 * v0[k];
                    t += c1 * v1[k];
                    t += c2 * v2[k];
                    t += c3 * v3[k];
                    vy[k] = t;
                }
                for (int j = done; j < n; j++)
                {
                    double t = y[j];
                    t += coefficients[i] * rows[i * stride + offset + j];
                    t += coefficients[i + 1] * rows[(i + 1) * stride + offset + j];
                    t += coefficients[i + 2] * rows[(i + 2) * stride + offset + j];
                    t += coefficients[i + 3] * rows[(i + 3) * stride + offset + j];
                    y[j] = t;
                }
            }
        }
        for (; i < count; i++) Axpy(coefficients[i], rows.Slice(i * stride + offset, n), y);
    }

    /// <summary>max_i |x_i| (NaN if any x_i is NaN), vectorised: a maximum is exact in any order.</summary>
    public static double MaxAbs(ReadOnlySpan<double> x)
    {
        double m = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<double>.Count)
        {
            var v = MemoryMarshal.Cast<double, Vector<double>>(x);
            var acc = Vector<double>.Zero;
            foreach (var w in v)
            {
                if (!Vector.EqualsAll(w, w)) return double.NaN;
                acc = Vector.Max(acc, Vector.Abs(w));
            }
            for (int k = 0; k < Vector<double>.Count; k++) m = Math.Max(m, acc[k]);
            i = v.Length * Vector<double>.Count;
        }
        for (; i < x.Length; i++) m = Math.Max(m, Math.Abs(x[i]));
        return m;
    }

    /// <summary>max_i |a_i − b_i| (NaN if any difference is NaN): the ∞-norm distance used by every stop rule and report.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static double MaxAbsDifference(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"lengths differ ({a.Length} and {b.Length})", nameof(b));
        double m = 0;
        for (int i = 0; i < a.Length; i++) m = Math.Max(m, Math.Abs(a[i] - b[i]));
        return m;
    }

    /// <summary>True when every value is finite.</summary>
    public static bool AllFinite(ReadOnlySpan<double> x)
    {
        foreach (double v in x)
            if (!double.IsFinite(v)) return false;
        return true;
    }

    /// <summary>Euclidean norm, scaled to avoid overflow.</summary>
    public static double Norm2(ReadOnlySpan<double> x)
    {
        double scale = MaxAbs(x);
        if (scale == 0 || double.IsInfinity(scale)) return scale;
        double s = 0;
        foreach (double v in x) { double t = v / scale; s += t * t; }
        return scale * Math.Sqrt(s);
    }
}

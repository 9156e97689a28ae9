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

using System.Numerics;
using System.Runtime.CompilerServices;

namespace ResidualSheaf.Engine.LinearAlgebra;

/// <summary>
/// The column updates s[i] += a[col + i]·x (one column, or four in a fixed order) shared by <see cref="DenseLu"/> and
/// <see cref="SymmetricEvd"/>: SIMD without fused multiply-add, so each entry gets the rounded product then the rounded sum, as
/// the scalar loops they replace (the bit-for-bit tests of both depend on it).
/// </summary>
internal static class ColumnAxpy
{
    // s[i] += col[i]·x for i in [from, n): one product per entry, rounded, then added (what the scalar s += l·x does).
    public static void One(ref double a0, ref double s0, int from, int n, int col, double x)
    {
        int i = from;
        if (Vector.IsHardwareAccelerated)
        {
            var vx = new Vector<double>(x);
            for (; i + Vector<double>.Count <= n; i += Vector<double>.Count)
            {
                var s = Vector.LoadUnsafe(ref s0, (nuint)i);
                (s + (Vector.LoadUnsafe(ref a0, (nuint)(col + i)) * vx)).StoreUnsafe(ref s0, (nuint)i);
            }
        }
        for (; i < n; i++) Unsafe.Add(ref s0, i) += Unsafe.Add(ref a0, col + i) * x;
    }

    // Four columns at once, each entry's four terms added in increasing k: the same sums as four One calls.
    public static void Four(ref double a0, ref double s0, int from, int n, int c0, int c1, int c2, int c3,
        double x0, double x1, double x2, double x3)
    {
        int i = from;
        if (Vector.IsHardwareAccelerated)
        {
            Vector<double> v0 = new(x0), v1 = new(x1), v2 = new(x2), v3 = new(x3);
            for (; i + Vector<double>.Count <= n; i += Vector<double>.Count)
            {
                var s = Vector.LoadUnsafe(ref s0, (nuint)i);
                s += Vector.LoadUnsafe(ref a0, (nuint)(c0 + i)) * v0;
                s += Vector.LoadUnsafe(ref a0, (nuint)(c1 + i)) * v1;
                s += Vector.LoadUnsafe(ref a0, (nuint)(c2 + i)) * v2;
                s += Vector.LoadUnsafe(ref a0, (nuint)(c3 + i)) * v3;
                s.StoreUnsafe(ref s0, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            double s = Unsafe.Add(ref s0, i);
            s += Unsafe.Add(ref a0, c0 + i) * x0;
            s += Unsafe.Add(ref a0, c1 + i) * x1;
            s += Unsafe.Add(ref a0, c2 + i) * x2;
            s += Unsafe.Add(ref a0, c3 + i) * x3;
            Unsafe.Add(ref s0, i) = s;
        }
    }
}

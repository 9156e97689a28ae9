using System.Numerics;
using System.Runtime.InteropServices;

namespace ResidualSheaf.Engine.Integration;

/// <summary>Cubic Hermite interpolant from end values and end derivatives (third order).</summary>
internal sealed class HermiteSegment : DenseSegment
{
    public HermiteSegment(int n)
    {
        Y0 = new double[n];
        Y1 = new double[n];
        F0 = new double[n];
        F1 = new double[n];
    }

    public double T0 { get; set; }

    public double H { get; set; }

    public double[] Y0 { get; }

    public double[] Y1 { get; }

    public double[] F0 { get; }

    public double[] F1 { get; }

    public void Set(double t0, double t1, ReadOnlySpan<double> y0, ReadOnlySpan<double> y1, ReadOnlySpan<double> f0, ReadOnlySpan<double> f1)
    {
        T0 = t0;
        H = t1 - t0;
        Start = t0;
        End = t1;
        y0.CopyTo(Y0);
        y1.CopyTo(Y1);
        f0.CopyTo(F0);
        f1.CopyTo(F1);
    }

    public override void Evaluate(double t, Span<double> y)
    {
        double th = (t - T0) / H;
        double th1 = th - 1;
        double a = 1 - th, c = th * th1, d = 1 - (2 * th), e = th1 * H, f = th * H;
        int i = 0;
        if (Vector.IsHardwareAccelerated && y.Length >= Vector<double>.Count)
        {
            // Event location interpolates the whole state at every sample; lanes repeat the scalar expression's operations in order.
            var vy = MemoryMarshal.Cast<double, Vector<double>>(y);
            var y0 = MemoryMarshal.Cast<double, Vector<double>>(Y0.AsSpan(0, y.Length));
            var y1 = MemoryMarshal.Cast<double, Vector<double>>(Y1.AsSpan(0, y.Length));
            var f0 = MemoryMarshal.Cast<double, Vector<double>>(F0.AsSpan(0, y.Length));
            var f1 = MemoryMarshal.Cast<double, Vector<double>>(F1.AsSpan(0, y.Length));
            Vector<double> va = new(a), vth = new(th), vc = new(c), vd = new(d), ve = new(e), vf = new(f);
            for (int k = 0; k < vy.Length; k++)
            {
                var dy = y1[k] - y0[k];
                vy[k] = (va * y0[k]) + (vth * y1[k]) + (vc * (((vd * dy) + (ve * f0[k])) + (vf * f1[k])));
            }

            i = vy.Length * Vector<double>.Count;
        }

        for (; i < y.Length; i++)
        {
            double dy = Y1[i] - Y0[i];
            y[i] = (a * Y0[i]) + (th * Y1[i]) + (c * ((d * dy) + (e * F0[i]) + (f * F1[i])));
        }
    }

    public override DenseSegment Clone()
    {
        var c = new HermiteSegment(Y0.Length);
        c.Set(T0, T0 + H, Y0, Y1, F0, F1);
        c.Start = Start;
        c.End = End;
        return c;
    }
}

/// <summary>Polynomial in θ with nested (θ, 1−θ) Horner form: y = y0 + R0·θ(... ) as used by DOPRI5 (contd5) and DOP853 (contd8).</summary>
internal sealed class AlternatingPolySegment : DenseSegment
{
    public AlternatingPolySegment(int n, int terms)
    {
        Y0 = new double[n];
        R = new double[terms][];
        for (int k = 0; k < terms; k++)
        {
            R[k] = new double[n];
        }
    }

    public double T0 { get; set; }

    public double H { get; set; }

    public double[] Y0 { get; }

    /// <summary>y(θ) = Y0 + θ(R0 + (1−θ)(R1 + θ(R2 + (1−θ)(R3 + …)))).</summary>
    public double[][] R { get; }

    public override void Evaluate(double t, Span<double> y)
    {
        double th = (t - T0) / H;
        double th1 = 1 - th;
        int m = R.Length;
        for (int i = 0; i < y.Length; i++)
        {
            double acc = R[m - 1][i];
            for (int k = m - 2; k >= 0; k--)
            {
                // Factor applied to the inner term k+1 is (1−θ) when k is even, θ when k is odd.
                acc = R[k][i] + (((k & 1) == 0 ? th1 : th) * acc);
            }

            y[i] = Y0[i] + (th * acc);
        }
    }

    public override DenseSegment Clone()
    {
        var c = new AlternatingPolySegment(Y0.Length, R.Length) { T0 = T0, H = H, Start = Start, End = End };
        Y0.AsSpan().CopyTo(c.Y0);
        for (int k = 0; k < R.Length; k++)
        {
            R[k].AsSpan().CopyTo(c.R[k]);
        }

        return c;
    }
}

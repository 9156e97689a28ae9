namespace ResidualSheaf.Engine.LinearAlgebra;

/// <summary>A linear operator y = A x on spans, applied without forming A.</summary>
public interface ILinearOperator
{
    /// <summary>y = A x.</summary>
    void Apply(ReadOnlySpan<double> x, Span<double> y);
}

/// <summary>
/// Conjugate gradients for A x = b with A symmetric positive definite on the coordinates that are not held at 0 (A must read them as 0
/// and return 0 there, so that the iteration stays on the principal submatrix). Owns its three work vectors, so a solve allocates
/// nothing; not thread-safe.
/// </summary>
public sealed class ConjugateGradient
{
    /// <summary>Relative residual target ‖r‖² ≤ 1e−28 ‖b‖²: CG is only used where an exact solve is not available, so it runs to rounding.</summary>
    private const double RelativeTarget = 1e-28;

    private readonly double[] _r;
    private readonly double[] _p;
    private readonly double[] _ap;

    /// <summary>Creates the solver for systems of size <paramref name="dimension"/>.</summary>
    public ConjugateGradient(int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dimension);
        _r = new double[dimension];
        _p = new double[dimension];
        _ap = new double[dimension];
    }

    /// <summary>
    /// Solves A x = <paramref name="b"/> from <paramref name="start"/>, with the coordinates <paramref name="heldAtZero"/> fixed at 0.
    /// Returns the iterations used, or −1 when the residual target was not reached (breakdown or at most max(100, 50 n) iterations).
    /// </summary>
    public int Solve<TOperator>(TOperator a, ReadOnlySpan<double> b, ReadOnlySpan<double> start, Span<double> x, ReadOnlySpan<int> heldAtZero)
        where TOperator : ILinearOperator
    {
        int n = _r.Length;
        start.CopyTo(x);
        var r = _r.AsSpan();
        var p = _p.AsSpan();
        var ap = _ap.AsSpan();
        a.Apply(x, ap);
        for (int i = 0; i < n; i++) r[i] = b[i] - ap[i];
        foreach (int i in heldAtZero) { x[i] = 0; r[i] = 0; }
        r.CopyTo(p);
        double rr = Numerics.Dot(r, r), target = RelativeTarget * Math.Max(Numerics.Dot(b, b), 1e-300);
        int maxIt = Math.Max(100, 50 * n);
        for (int it = 0; it < maxIt; it++)
        {
            if (rr <= target) return it;
            a.Apply(p, ap);
            double pap = Numerics.Dot(p, ap);
            // A breakdown at a residual already near the target is rounding, not failure.
            if (!(pap > 0)) return rr <= 1e6 * target ? it : -1;
            double alpha = rr / pap;
            Numerics.Axpy(alpha, p, x);
            Numerics.Axpy(-alpha, ap, r);
            double rrNew = Numerics.Dot(r, r);
            double beta = rrNew / rr;
            rr = rrNew;
            for (int i = 0; i < n; i++) p[i] = r[i] + beta * p[i];
        }
        return -1;
    }
}

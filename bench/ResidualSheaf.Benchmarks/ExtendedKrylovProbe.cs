using ResidualSheaf.Engine;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.LinearAlgebra;

namespace ResidualSheaf.Benchmarks;

/// <summary>
/// The extended Krylov basis of the Krylov flow (inverse vectors by the sweeps alternating with polynomial ones) at the forward
/// pattern: its a-posteriori horizon against its actual error, the latter measured against a much larger basis of the same kind.
/// u = exp(−τ0 M)(c0 − c*) (by the reference basis), so the fastest modes are gone as in a late piece.
/// </summary>
internal static class ExtendedKrylovProbe
{
    public static void Run(IHeatCase c, double tolerance, int m, int mref, double tau0)
    {
        var (op, sweeps, edge) = ForwardPattern.Operators(c);
        int n = c.Equation.FreeDimension;
        var u = new double[n];
        for (int i = 0; i < n; i++) u[i] = c.C0[i] - c.CStar[i];
        var refBasis = Build(op, sweeps, edge, u, mref, out var refBound, tolerance);
        if (tau0 > 0)
        {
            refBasis.Displacement(tau0, u);
            refBasis = Build(op, sweeps, edge, u, mref, out refBound, tolerance);
        }
        var small = Build(op, sweeps, edge, u, m, out var bound, tolerance);
        Console.WriteLine($"  u = exp(−{tau0}M)(c0 − c*): ‖u‖₂ = {Numerics.Norm2(u):e3}; basis {m}: horizon(tol {tolerance:g2}) = {bound.Horizon:g4}; " +
                          $"reference basis {mref}: horizon {refBound.Horizon:g4}");
        var a = new double[n];
        var b = new double[n];
        foreach (double tau in new[] { 0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000, 1e4, 1e5 })
        {
            small.Displacement(tau, a);
            refBasis.Displacement(tau, b);
            double diff = 0, bn = Numerics.Norm2(b);
            for (int i = 0; i < n; i++) diff += (a[i] - b[i]) * (a[i] - b[i]);
            Console.WriteLine($"    τ = {tau:g3}: ‖ũ_{m} − ũ_{mref}‖₂ = {Math.Sqrt(diff):e2} (‖ũ_ref‖ = {bn:e3}); bounds ∫₀^τ|ψ|: {m}: {KrylovErrorBound.Integral(bound.P, bound.Theta, tau):e2}, " +
                              $"{mref}: {KrylovErrorBound.Integral(refBound.P, refBound.Theta, tau):e2}");
        }
    }

    internal sealed record Bound(double Horizon, double[] P, double[] Theta);

    private static KrylovBasis Build(FreeLaplacianOperator op, UnitriangularSweeps sweeps, double[] edge, double[] u, int m, out Bound bound, double tolerance)
    {
        int n = u.Length;
        var basis = new KrylovBasis(n, m, new ForwardPattern.Images(op), Array.Empty<int>(), new KernelTeam(1));
        double beta = Numerics.Norm2(u);
        basis.Append(u, beta, 0, false);
        var w = new double[n];
        int lastInv = 0, lastPoly = 0;
        for (int k = 1; k < m; k++)
        {
            bool inv = k % 2 == 1;
            if (inv) sweeps.InverseLaplacian(basis.Vector(lastInv), w, edge, 1.0);
            else basis.Image(lastPoly).CopyTo(w);
            basis.Orthogonalize(w, k);
            basis.Append(w, Numerics.Norm2(w), k, false);
            if (inv) lastInv = k; else lastPoly = k;
        }
        var r = new double[n];
        basis.Image(lastPoly).CopyTo(r);
        basis.Orthogonalize(r, m);
        double rho = Numerics.Norm2(r);
        if (!basis.Fit(m, beta, r, rho, false)) throw new InvalidOperationException("fit failed");
        bound = new Bound(KrylovErrorBound.Horizon(basis.Residual(m), basis.Theta(m), tolerance), basis.Residual(m).ToArray(), basis.Theta(m).ToArray());
        return basis;
    }
}


using System.Diagnostics;
using ResidualSheaf.Engine;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.LinearAlgebra;

namespace ResidualSheaf.Benchmarks;

/// <summary>
/// Evaluation of a shift-invert Krylov basis for exp(−τM)u at the forward pattern (issue 19, trained digit): the cost of one
/// solve (I + γM)x = v (to a relative residual cgTolerance) by conjugate gradients preconditioned with (γM)⁻¹ (the exact sweeps), and the a-posteriori horizon
/// (<see cref="KrylovErrorBound"/>) of the basis span{u, Ru, …, R^{m−1}u}, R = (I + γM)⁻¹, for u = c0 − c*.
/// </summary>
internal static class ShiftInvertProbe
{
    public static void Run(IHeatCase c, double[] gammas, int[] sizes, double tolerance, double cgTolerance)
    {
        var (op, sweeps, edge) = ForwardPattern.Operators(c);
        int n = c.Equation.FreeDimension;
        var u = new double[n];
        for (int i = 0; i < n; i++) u[i] = c.C0[i] - c.CStar[i];
        double beta = Numerics.Norm2(u);
        int kmax = sizes.Max() + 1;
        var images = new ForwardPattern.Images(op);
        var basis = new KrylovBasis(n, kmax, images, Array.Empty<int>(), new KernelTeam(1));
        var w = new double[n];
        var r = new double[n];
        var pcg = new Pcg(n, cgTolerance);
        foreach (double gamma in gammas)
        {
            var sw = Stopwatch.StartNew();
            long before = op.Products;
            int its = 0;
            basis.Append(u, beta, 0, false);
            for (int k = 1; k <= sizes.Max(); k++)
            {
                its += pcg.Solve(op, sweeps, edge, gamma, basis.Vector(k - 1), w);
                basis.Orthogonalize(w, k);
                double nw = Numerics.Norm2(w);
                basis.Append(w, nw, k, false);
                if (!sizes.Contains(k + 1)) continue;
                int m = k + 1;
                basis.Image(0).CopyTo(r);
                basis.Orthogonalize(r, m);
                double rho = Numerics.Norm2(r);
                basis.Fit(m, beta, r, rho, false);
                var p = basis.Residual(m);
                var th = basis.Theta(m);
                double h = KrylovErrorBound.Horizon(p, th, tolerance);
                double all = KrylovErrorBound.Integral(p, th, double.PositiveInfinity);
                Console.WriteLine($"  γ = {gamma:g3}, m = {m}: horizon(tol {tolerance:g2}) = {h:g4}, ∫₀^∞|ψ| = {all:e2}, θ ∈ [{th[0]:e3}, {th[m - 1]:e3}], " +
                                  $"CG iterations so far {its} ({(double)its / k:F1} per solve), M products {op.Products - before}, {sw.Elapsed.TotalSeconds:F2} s");
            }
        }
    }

    /// <summary>CG on (I + γM)x = b preconditioned with (γM)⁻¹, to ‖r‖ ≤ target·‖b‖ (at most 5 000 iterations).</summary>
    private sealed class Pcg(int n, double target)
    {
        private readonly double[] _r = new double[n], _z = new double[n], _p = new double[n], _ap = new double[n];

        public int Solve(FreeLaplacianOperator op, UnitriangularSweeps sweeps, double[] edge, double gamma, ReadOnlySpan<double> b, Span<double> x)
        {
            x.Clear();
            b.CopyTo(_r);
            double bb = Numerics.Norm2(b);
            sweeps.InverseLaplacian(_r, _z, edge, gamma);
            _z.CopyTo(_p, 0);
            double rz = Numerics.Dot(_r, _z);
            for (int it = 1; it <= 5000; it++)
            {
                op.Apply(_p, _ap);
                for (int i = 0; i < _ap.Length; i++) _ap[i] = _p[i] + gamma * _ap[i];
                double a = rz / Numerics.Dot(_p, _ap);
                Numerics.Axpy(a, _p, x);
                Numerics.Axpy(-a, _ap, _r);
                if (Numerics.Norm2(_r) <= target * bb) return it;
                sweeps.InverseLaplacian(_r, _z, edge, gamma);
                double rz1 = Numerics.Dot(_r, _z);
                double bt = rz1 / rz;
                rz = rz1;
                for (int i = 0; i < _p.Length; i++) _p[i] = _z[i] + bt * _p[i];
            }
            return 5000;
        }
    }
}


using ResidualSheaf.Engine;
using ResidualSheaf.Engine.Heat;

namespace ResidualSheaf.Benchmarks;

/// <summary>
/// The bottom of the spectrum of M at the forward pattern: Lanczos on M⁻¹ (the sweeps) with full reorthogonalisation from
/// u = c0 − c*; converged Ritz values (residual ≤ 1e−8 of the Ritz value) counted below thresholds. Tells how many slow modes a
/// deflation would have to carry.
/// </summary>
internal static class SlowSpectrumProbe
{
    public static void Run(IHeatCase c, int steps)
    {
        var (_, sweeps, edge) = ForwardPattern.Operators(c);
        int n = c.Equation.FreeDimension;
        var v = new double[(steps + 1) * n];
        var w = new double[n];
        var d = new double[steps];
        var e = new double[steps];
        for (int i = 0; i < n; i++) w[i] = c.C0[i] - c.CStar[i];
        double nrm = Numerics.Norm2(w);
        for (int i = 0; i < n; i++) v[i] = w[i] / nrm;
        int m = steps;
        for (int j = 0; j < steps; j++)
        {
            sweeps.InverseLaplacian(v.AsSpan(j * n, n), w, edge, 1.0);
            d[j] = Numerics.Dot(w, v.AsSpan(j * n, n));
            for (int pass = 0; pass < 2; pass++)
                for (int i = 0; i <= j; i++)
                {
                    var vi = v.AsSpan(i * n, n);
                    Numerics.Axpy(-Numerics.Dot(vi, w), vi, w);
                }
            double b = Numerics.Norm2(w);
            e[j] = b;
            if (b <= 1e-14 * Math.Abs(d[0])) { m = j + 1; break; }
            for (int i = 0; i < n; i++) v[(j + 1) * n + i] = w[i] / b;
        }
        double last = e[m - 1];
        var z = new double[m * m];
        var dd = d.AsSpan(0, m).ToArray();
        var ee = e.AsSpan(0, m).ToArray();
        TridiagonalEigen.Decompose(dd, ee, z, m);
        // Ritz values μ of M⁻¹ (ascending); λ = 1/μ; residual |β_m z_{m−1,k}|.
        var thresholds = new[] { 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1 };
        var counts = new int[thresholds.Length];
        var lowest = new List<string>();
        for (int k = m - 1; k >= 0; k--)
        {
            double mu = dd[k], res = Math.Abs(last * z[(m - 1) * m + k]);
            if (res > 1e-8 * mu) continue;
            double lambda = 1 / mu;
            for (int t = 0; t < thresholds.Length; t++) if (lambda < thresholds[t]) counts[t]++;
            if (lowest.Count < 40) lowest.Add($"{lambda:e3}");
        }
        Console.WriteLine($"  Lanczos on M⁻¹, {m} steps: converged eigenvalues of M below " +
                          string.Join(", ", thresholds.Select((t, i) => $"{t:g2}: {counts[i]}")));
        Console.WriteLine($"  lowest converged: {string.Join(" ", lowest)}");
    }
}

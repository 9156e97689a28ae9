namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// The a-posteriori error bound of a Krylov model ũ(τ) = Σ_j w_j e^{−θ_j τ} y_j of exp(−τM)u: with a rank-one residual,
/// ‖u(τ) − ũ(τ)‖₂ ≤ ∫₀^τ |ψ(s)| ds, ψ(s) = Σ_j p_j e^{−θ_j s} (M is SPD, so exp(−τM) is a contraction). The spans hold the k
/// residual coefficients p_j and Ritz values θ_j (ascending).
/// </summary>
internal static class KrylovErrorBound
{
    /// <summary>|ψ(s)|.</summary>
    private static double Psi(ReadOnlySpan<double> p, ReadOnlySpan<double> theta, double s)
    {
        double v = 0;
        for (int j = 0; j < p.Length; j++) v += p[j] * Math.Exp(-theta[j] * s);
        return Math.Abs(v);
    }

    /// <summary>∫₀^τ |ψ| on a geometric grid (trapezoid) plus a rigorous tail bound beyond it.</summary>
    public static double Integral(ReadOnlySpan<double> p, ReadOnlySpan<double> theta, double tau)
    {
        int k = p.Length;
        double sumAbs = 0;
        for (int j = 0; j < k; j++) sumAbs += Math.Abs(p[j]);
        if (sumAbs == 0 || tau == 0) return 0;
        double s0 = 1e-9 / theta[k - 1], sEnd = 60 / theta[0];
        double f0 = Psi(p, theta, 0);
        if (tau <= s0) return 0.5 * (f0 + Psi(p, theta, tau)) * tau;
        double prev = s0, fPrev = Psi(p, theta, s0);
        double integral = 0.5 * (f0 + fPrev) * s0;
        for (double s = s0 * 1.1; ; s *= 1.1)
        {
            double sc = Math.Min(s, Math.Min(tau, sEnd));
            double f = Psi(p, theta, sc);
            integral += 0.5 * (f + fPrev) * (sc - prev);
            prev = sc;
            fPrev = f;
            if (sc >= tau) return integral;
            if (sc >= sEnd) break;
        }
        for (int j = 0; j < k; j++) integral += Math.Abs(p[j]) * Math.Exp(-theta[j] * sEnd) / theta[j];
        return integral;
    }

    /// <summary>The largest grid time τ with ∫₀^τ |ψ| ≤ <paramref name="tolerance"/> (+∞ when the whole integral is below it).</summary>
    public static double Horizon(ReadOnlySpan<double> p, ReadOnlySpan<double> theta, double tolerance)
    {
        int k = p.Length;
        double sumAbs = 0;
        for (int j = 0; j < k; j++) sumAbs += Math.Abs(p[j]);
        if (sumAbs == 0) return double.PositiveInfinity;
        double tol = tolerance;
        double s0 = 1e-9 / theta[k - 1], sEnd = 60 / theta[0];
        double prev = s0, fPrev = Psi(p, theta, s0);
        // ψ(0) = β c₀ vanishes once M v₀ lies in the basis; the trapezoid from 0 keeps that cancellation (a |p|-sum would not).
        double integral = 0.5 * (Psi(p, theta, 0) + fPrev) * s0;
        if (integral > tol) return s0 * tol / integral;
        for (double s = s0 * 1.1; ; s *= 1.1)
        {
            double sc = Math.Min(s, sEnd);
            double f = Psi(p, theta, sc);
            double add = 0.5 * (f + fPrev) * (sc - prev);
            if (integral + add > tol) return prev;
            integral += add;
            prev = sc;
            fPrev = f;
            if (sc >= sEnd) break;
        }
        double tail = 0;
        for (int j = 0; j < k; j++) tail += Math.Abs(p[j]) * Math.Exp(-theta[j] * sEnd) / theta[j];
        return integral + tail <= tol ? double.PositiveInfinity : sEnd;
    }
}

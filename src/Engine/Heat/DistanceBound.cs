namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// Where, along an exact trajectory, the state <see cref="ExactTrajectory.StateAt"/> gives is provably farther than a tolerance
/// from a target (in ‖·‖∞), found per piece in closed form: an unobserved exact run skips the samples there, since they cannot
/// meet a distance rule. Allowance is made for the rounding of <see cref="ExactTrajectory.StateAt"/> and of the bound itself.
/// </summary>
/// <remarks>
/// On a piece c_F(t) = c* + V e^{−Λτ} β (V orthogonal, λ ascending), ‖c_F − c*‖₂ = S(τ) = ‖e^{−Λτ} β‖₂, and for every j
/// √(Σ_{k≤j} β_k²) e^{−λ_j τ} ≤ S(τ) ≤ ‖β‖₂ e^{−λ_0 τ} (taken at the slowest mode that moves and at the fastest). With
/// D = ‖c* − target_F‖₂, ‖c_F − target_F‖₂ ≥ max(S − D, D − S) and ‖x‖∞ ≥ ‖x‖₂ / √|F|: so the distance exceeds the tolerance
/// for τ below a time τ₁ (the piece starts far from the target) and, when D itself is large, above a time τ₂ (the piece heads
/// for another point). Relative slack 1e−10 on every factor covers V's orthogonality and the rounding of the bound; the times are
/// moved inwards by 1e−9 in the exponent, far more than the rounding of the logarithms.
/// </remarks>
internal sealed class DistanceBound(ExactTrajectory path, double[] target, double tolerance)
{
    private const double Eps = 2.220446049250313e-16, Slack = 1e-10, Inward = 1e-9;
    private int _piece = -1;
    private double _below = double.NegativeInfinity, _above = double.PositiveInfinity;

    /// <summary>True when the state at <paramref name="t"/> is provably more than the tolerance from the target.</summary>
    public bool Exceeds(double t)
    {
        int piece = path.PieceAt(t);
        if (piece != _piece) Prepare(piece);
        // At a piece's start the state is its stored start, not the closed form: evaluated, not bounded.
        double tau = t - path.PieceStart(piece);
        return tau > 0 && (tau < _below || tau > _above);
    }

    private void Prepare(int piece)
    {
        _piece = piece;
        (_below, _above) = (double.NegativeInfinity, double.PositiveInfinity);
        var (seg, beta) = path.PieceFlow(piece);
        int m = seg.F.Length;
        if (m == 0) return;
        double all = 0, abs = 0, cMax = 0, tMax = 0, d = 0, rootSlow = 0;
        int slow = -1;
        for (int k = 0; k < m; k++)
        {
            all += beta[k] * beta[k];
            abs += Math.Abs(beta[k]);
            if (slow < 0 && beta[k] != 0) (slow, rootSlow) = (k, Math.Sqrt(all));
        }
        for (int i = 0; i < m; i++)
        {
            double gap = seg.CStar[i] - target[seg.F[i]];
            d += gap * gap;
            cMax = Math.Max(cMax, Math.Abs(seg.CStar[i]));
            tMax = Math.Max(tMax, Math.Abs(target[seg.F[i]]));
        }
        double rootAll = Math.Sqrt(all), offset = Math.Sqrt(d);
        // StateAt's rounding: per coordinate m products and sums of terms at most max|c*| + ‖β‖₁ (|V_ik| ≤ 1), then the difference
        // with the target; four times the textbook bound. The threshold is on ‖·‖₂, so √m times the ∞-norm one.
        double margin = 4 * (m + 4) * Eps * (1 + cMax + abs + tMax);
        double threshold = (tolerance + margin) * Math.Sqrt(m) * (1 + Slack);
        if (!double.IsFinite(threshold + rootAll + offset)) return;

        // S(τ)(1 − slack) − D(1 + slack) > threshold while some R_j e^{−λ_j τ} > Q.
        double q = (threshold + offset * (1 + Slack)) / (1 - Slack);
        if (slow >= 0) _below = Math.Max(Before(rootSlow, seg.Lambda[slow], q), Before(rootAll, seg.Lambda[m - 1], q));
        // D(1 − slack) − S(τ)(1 + slack) > threshold once ‖β‖₂ e^{−λ_0 τ} (1 + slack) < G.
        double g = offset * (1 - Slack) - threshold;
        if (g > 0)
        {
            double r = rootAll * (1 + Slack);
            double lambda0 = seg.Lambda[0];
            if (r < g) _above = 0;
            else if (lambda0 > 0) _above = (Math.Log(r / g) + Inward) / lambda0 * (1 + Slack);
        }
    }

    /// <summary>The time before which r e^{−λτ} > q (moved inwards), or −∞ when never.</summary>
    private static double Before(double r, double lambda, double q)
    {
        if (!(r > q)) return double.NegativeInfinity;
        if (lambda <= 0) return double.PositiveInfinity;
        double tau = (Math.Log(r / q) - Inward) / lambda * (1 - Slack);
        return tau > 0 ? tau : double.NegativeInfinity;
    }
}

using ResidualSheaf.Engine.Heat;

namespace ResidualSheaf.Tests.Heat;

/// <summary>Root location on exponential sums h(τ) = s(g* + Σ a_k e^{−λ_k τ}) against closed-form roots.</summary>
public class ExponentialSumTests
{
    [Fact]
    public void SingleRootIsFoundToMachinePrecision()
    {
        // 1 − 2e^{−τ} = 0 at τ = ln 2.
        double r = ExponentialSum.EarliestRise(1, 1.0, [-2.0], [1.0], [0, 1], double.PositiveInfinity);
        Assert.Equal(Math.Log(2), r, 1e-15);
        // With s = −1 the function −(1 − 2e^{−τ}) starts positive and falls: it never rises through 0 after leaving the start.
        Assert.Equal(0.0, ExponentialSum.EarliestRise(-1, 1.0, [-2.0], [1.0], [0, 1], double.PositiveInfinity));
    }

    [Fact]
    public void DescartesRuleSkipsSumsWithoutSignChanges()
    {
        Assert.Equal(0, ExponentialSum.SignChanges(-1.0, [-0.5, -2.0], [0, 1, 2], 0));
        Assert.True(double.IsPositiveInfinity(ExponentialSum.EarliestRise(1, -1.0, [-0.5, -2.0], [0.3, 2.0], [0, 1, 2], double.PositiveInfinity)));
        // Equal λ are merged: 1·e^{−τ} − 1·e^{−τ} contributes nothing, so (−1, 0) has no sign change.
        Assert.Equal(0, ExponentialSum.SignChanges(-1.0, [1.0, -1.0], [0, 2], 0));
        Assert.Equal(2, ExponentialSum.SignChanges(-0.25, [1.0, -1.0], [0, 1, 2], 0));
    }

    [Fact]
    public void ShortExcursionInsideOneGridCellIsNotMissed()
    {
        // With x = e^{−τ}: h = −(x − x1)(x − x2) > 0 only for x between x1 = 0.5 and x2 = 0.5001, i.e. on a τ-interval of length
        // ≈ 2e−4 around ln 2 — far narrower than a grid cell there (≈ 0.1). The earliest rise is at τ = −ln x2.
        double x1 = 0.5, x2 = 0.5001;
        double r = ExponentialSum.EarliestRise(1, -x1 * x2, [x1 + x2, -1.0], [1.0, 2.0], [0, 1, 2], double.PositiveInfinity);
        Assert.Equal(-Math.Log(x2), r, 1e-12);
        Assert.True(ExponentialSum.Evaluate(1, -x1 * x2, [x1 + x2, -1.0], [1.0, 2.0], r) >= 0);
    }

    [Fact]
    public void AConcaveHumpAcrossAGrownCellIsNotExcluded()
    {
        // The switching function of hunt-wide case 455's last exact piece, its three largest terms (λ from 7e−8 to 7e−5):
        // h(0) ≈ −5.8, a concave hump above 0 on τ ≈ 4·10⁴ … 6·10⁵, then down to g* = −1021. The search grows its cells far from
        // the surface; the cell around the hump has both ends negative, and excluding it by the convex part of h'' missed the
        // root (the exact integrator held the unit Inactive with z up to 1.8 and E rose by 1.7 %). Reference: the sign change on
        // a dense log grid, refined by bisection here.
        double gStar = -1020.990;
        double[] a = [1058.994, -43.17644, -0.6163698], lambda = [7.245471e-8, 5.365458e-6, 6.571175e-5];
        double H(double t) => ExponentialSum.Evaluate(1, gStar, a, lambda, t);
        double lo = 0, hi = 0;
        for (double t = 1; t < 1e9; t *= 1.01)
            if (H(t) >= 0) { hi = t; break; } else lo = t;
        Assert.True(hi > 0, "the test function has no root");
        for (int k = 0; k < 200; k++) { double mid = 0.5 * (lo + hi); if (H(mid) >= 0) hi = mid; else lo = mid; }
        double r = ExponentialSum.EarliestRise(1, gStar, a, lambda, [0, 1, 2, 3], double.PositiveInfinity);
        Assert.Equal(hi, r, 1e-9 * hi);
    }

    [Fact]
    public void CurvatureBoundIsTheConcavePart()
    {
        // h = 1 − 2e^{−τ} (s = 1) is concave: −h'' = 2e^{−τ}, largest at the left end. h = −1 + 2e^{−τ} is convex: no concave part.
        Assert.Equal(2 * Math.Exp(-0.5), ExponentialSum.CurvatureBound(1, [-2.0], [1.0], 0.5, 3), 1e-15);
        Assert.Equal(0.0, ExponentialSum.CurvatureBound(1, [2.0], [1.0], 0.5, 3));
        Assert.Equal(2 * Math.Exp(-0.5), ExponentialSum.CurvatureBound(-1, [2.0], [1.0], 0.5, 3), 1e-15);
    }

    [Fact]
    public void HysteresisIgnoresAStartOnTheSurfaceThatMovesAway()
    {
        // With s = −1 and x = e^{−τ}: h = −(−0.25 + 1.25x − x²) = (x − 1)(x − 0.25): h(0) = 0 (start on the surface), negative for
        // x in (0.25, 1), and a genuine rise through 0 at x = 0.25, i.e. τ = ln 4. The start must not fire.
        double r = ExponentialSum.EarliestRise(-1, -0.25, [1.25, -1.0], [1.0, 2.0], [0, 1, 2], double.PositiveInfinity);
        Assert.Equal(Math.Log(4), r, 1e-12);
    }
}

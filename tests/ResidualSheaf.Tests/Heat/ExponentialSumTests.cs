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
    public void HysteresisIgnoresAStartOnTheSurfaceThatMovesAway()
    {
        // With s = −1 and x = e^{−τ}: h = −(−0.25 + 1.25x − x²) = (x − 1)(x − 0.25): h(0) = 0 (start on the surface), negative for
        // x in (0.25, 1), and a genuine rise through 0 at x = 0.25, i.e. τ = ln 4. The start must not fire.
        double r = ExponentialSum.EarliestRise(-1, -0.25, [1.25, -1.0], [1.0, 2.0], [0, 1, 2], double.PositiveInfinity);
        Assert.Equal(Math.Log(4), r, 1e-12);
    }
}

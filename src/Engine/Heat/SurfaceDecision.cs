namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// The mode decision at a point of a switching surface z_j = 0 from the two surface forces (integration-notes §1), shared by every
/// event-driven integrator so that they classify crossings, sliding and repelling points identically.
/// </summary>
public static class SurfaceDecision
{
    /// <summary>
    /// New mode from the inactive (w_j) and active (w_j + a_j) z-forces; <paramref name="old"/> is the side the trajectory came from
    /// (it only tells a crossing from a graze).
    /// </summary>
    public static (UnitMode Mode, HeatEventKind Kind) Classify(double inactiveForce, double activeForce, UnitMode old)
    {
        double f0 = inactiveForce, f1 = activeForce;
        if (f0 > 0 && f1 < 0) return (UnitMode.Sliding, HeatEventKind.SlideEnter);
        if (f0 < 0 && f1 > 0) return (UnitMode.Active, HeatEventKind.Repelling);
        if (f0 >= 0 && f1 >= 0) return (UnitMode.Active, old == UnitMode.Inactive ? HeatEventKind.CrossUp : HeatEventKind.Graze);
        return (UnitMode.Inactive, old == UnitMode.Active ? HeatEventKind.CrossDown : HeatEventKind.Graze);
    }

    /// <summary>
    /// The mode a sliding unit leaves to, given its surface forces at the exit point: w_j reached 0 (w_j ≤ −(w_j + a_j)) → Inactive,
    /// otherwise w_j + a_j reached 0 → Active.
    /// </summary>
    public static UnitMode SlidingExit(double inactiveForce, double activeForce) =>
        inactiveForce <= -activeForce ? UnitMode.Inactive : UnitMode.Active;
}

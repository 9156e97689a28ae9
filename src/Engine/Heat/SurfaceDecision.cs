namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// The mode decision at a point of a switching surface z_j = 0 from the two surface forces (integration-notes §1), shared by every
/// event-driven integrator (switching-aware ODE, exact piecewise, Krylov) so that they classify crossings, sliding and repelling
/// points identically.
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
    /// Which exit condition of a sliding unit its surface forces at the exit point meet: the smaller of w_j and −(w_j + a_j) is the
    /// one that reached 0. Needed where one switching function min(w_j, −(w_j + a_j)) watches both conditions and so cannot tell
    /// which fired; the piecewise flows track the two as separate functions and know it.
    /// </summary>
    internal static SwitchFunction ExitReached(double inactiveForce, double activeForce) =>
        inactiveForce <= -activeForce ? SwitchFunction.InactiveForceZero : SwitchFunction.ActiveForceZero;

    /// <summary>The mode a sliding unit leaves to when exit condition <paramref name="reached"/> is met, and the event kind.</summary>
    internal static (UnitMode Mode, HeatEventKind Kind) Exit(SwitchFunction reached) =>
        (reached == SwitchFunction.InactiveForceZero ? UnitMode.Inactive : UnitMode.Active, HeatEventKind.SlideExit);
}

/// <summary>Which switching function of a unit reached 0.</summary>
internal enum SwitchFunction
{
    /// <summary>z_j of a non-sliding unit: a crossing, sliding entry, repelling point or graze (decided by <see cref="SurfaceDecision.Classify"/>).</summary>
    Crossing,
    /// <summary>w_j of a sliding unit fell to 0 (the inactive side stops pushing up): it leaves to Inactive.</summary>
    InactiveForceZero,
    /// <summary>w_j + a_j of a sliding unit rose to 0 (the active side stops pushing down): it leaves to Active.</summary>
    ActiveForceZero,
}

namespace ResidualSheaf.Engine.Heat;

/// <summary>What happened at a switching event.</summary>
public enum HeatEventKind
{
    /// <summary>z_j crossed 0 upwards: inactive → active.</summary>
    CrossUp,
    /// <summary>z_j crossed 0 downwards: active → inactive.</summary>
    CrossDown,
    /// <summary>Attracting sliding on z_j = 0 began (inactive force w_j &gt; 0 &gt; active force w_j + a_j).</summary>
    SlideEnter,
    /// <summary>Sliding ended (w_j reached 0: leaves inactive; w_j + a_j reached 0: leaves active; see <see cref="HeatEvent.NewMode"/>).</summary>
    SlideExit,
    /// <summary>Repelling surface point (w_j &lt; 0 &lt; w_j + a_j): non-unique, resolved as active by convention.</summary>
    Repelling,
    /// <summary>Tangential touch of the surface without a change of side (mode kept).</summary>
    Graze,
}

/// <summary>A switching event of the heat flow.</summary>
/// <param name="Time">Time of the event.</param>
/// <param name="Coordinate">Global coordinate of the switching unit.</param>
/// <param name="Name">Readable coordinate name (CellularSheaf.CoordinateName).</param>
/// <param name="Kind">What happened.</param>
/// <param name="NewMode">The unit's mode after the event.</param>
public sealed record HeatEvent(double Time, int Coordinate, string Name, HeatEventKind Kind, UnitMode NewMode);

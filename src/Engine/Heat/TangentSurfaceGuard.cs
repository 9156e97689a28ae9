namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// The mode decision at a switching surface where the first-order test says nothing: both surface forces vanish (for example every
/// post-addition unit of a residual block at the zero cochain), <see cref="SurfaceDecision.Classify"/> keeps the mode as a graze,
/// and the piece's own closed form then leaves to the wrong side at once (switch at τ = 0). Re-deciding from the same forces at the
/// same state gives the same graze, so without this the piecewise flow repeats that zero-length event until the event cap.
/// </summary>
/// <remarks>
/// A switch at τ = 0 of the crossing function of a unit in mode m is a second-order fact: the flow of mode m takes z_j to the other
/// side. So m is wrong at this point and is marked; the next choice is the other side, and when the flows of both sides leave at
/// once (each pushes z_j towards the other side: an attracting surface at second order) the Filippov sliding mode, which holds
/// z_j = 0. A decision the forces make that is not marked (a second unit with a simultaneous root, a genuine crossing) is kept.
/// The marks belong to one time and are dropped as soon as the flow advances. One instance per run.
/// </remarks>
internal sealed class TangentSurfaceGuard
{
    private readonly byte[] _leftAtOnce;
    private double _time = double.NaN;

    /// <summary>A guard for <paramref name="units"/> switching units.</summary>
    public TangentSurfaceGuard(int units) => _leftAtOnce = new byte[units];

    /// <summary>
    /// Corrects the switch <paramref name="decided"/> (from <see cref="SurfaceSwitch.Apply"/>) of a unit whose function fired after
    /// <paramref name="tau"/> of a piece started at <paramref name="time"/> in mode <paramref name="old"/>; updates
    /// <paramref name="modes"/> when it overrides.
    /// </summary>
    public HeatEvent Correct(HeatEquation equation, HeatEvent decided, double time, double tau, UnitMode old, UnitMode[] modes, int unit)
    {
        if (tau > 0 || !(time == _time))
        {
            Array.Clear(_leftAtOnce);
            _time = time;
        }
        if (tau > 0) return decided;
        _leftAtOnce[unit] |= Bit(old);
        if (old == UnitMode.Sliding || (_leftAtOnce[unit] & Bit(decided.NewMode)) == 0) return decided;
        var other = old == UnitMode.Active ? UnitMode.Inactive : UnitMode.Active;
        var (mode, kind) = (_leftAtOnce[unit] & Bit(other)) == 0
            ? (other, other == UnitMode.Active ? HeatEventKind.CrossUp : HeatEventKind.CrossDown)
            : (UnitMode.Sliding, HeatEventKind.SlideEnter);
        modes[unit] = mode;
        return SurfaceSwitch.Event(equation, time, unit, kind, mode);
    }

    private static byte Bit(UnitMode mode) => (byte)(1 << (int)mode);
}

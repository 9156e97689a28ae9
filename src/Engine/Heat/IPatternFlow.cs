namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// The linear flow of one frozen mode set (pattern σ, sliding set S), as <see cref="PiecewiseDriver"/> drives it. Contract:
/// <list type="number">
/// <item><see cref="Prepare"/> is called at the start and after every switch, with the new modes and the state at the switch.</item>
/// <item><see cref="Start"/> begins a piece at the current state (after every <see cref="Prepare"/>, and again after a step that ended
/// without a switch); the other members refer to the last piece, τ being the time since its start.</item>
/// <item><see cref="NextSwitch"/> is called once per piece; the state at τ = 0 is the one passed to <see cref="Start"/> exactly.</item>
/// <item>No member changes the modes; the driver applies switches (<see cref="SurfaceSwitch.Apply"/>) and owns every stop decision.</item>
/// </list>
/// </summary>
internal interface IPatternFlow
{
    /// <summary>
    /// True when <see cref="NextSwitch"/> never looks past its <c>remaining</c> time (a step then ends at the end time exactly and the
    /// run stops at the next piece's start); false when it searches [0, ∞) whatever the end time, so that "no switch" proves the limit
    /// (the driver then cuts the piece at the end time itself).
    /// </summary>
    bool SearchCutAtEndTime { get; }

    /// <summary>
    /// True when the event cap is checked before a located switch is applied (the capped run ends at the unprocessed switch, state not
    /// put on the surface); false when after (the last event is recorded and applied).
    /// </summary>
    bool CapBeforeSwitch { get; }

    /// <summary>Freezes <paramref name="modes"/> and sets up their flow (eigendecomposition, or c* and the Krylov operators); false on a numerical failure.</summary>
    bool Prepare(UnitMode[] modes, double[] state);

    /// <summary>Begins a piece at (<paramref name="t"/>, <paramref name="state"/>); false when the state's distance to c* is not finite.</summary>
    bool Start(double t, double[] state);

    /// <summary>‖c − c*‖∞ at the piece start.</summary>
    double StartDistance { get; }

    /// <summary>True when c* of the pattern lies on the side of every surface its modes say (so it is a stationary point of the flow).</summary>
    bool Consistent { get; }

    /// <summary>True when no unit can switch on the rest of the piece (a cheap certificate; false when the flow has none).</summary>
    bool CertifiedFinal { get; }

    /// <summary>True when the piece starts exactly at c* (nothing moves any more); false when the flow does not test it.</summary>
    bool AtRest { get; }

    /// <summary>
    /// The earliest switch of the piece within <paramref name="remaining"/> (a flow may search further, see
    /// <see cref="SearchCutAtEndTime"/>), or the end of the piece's valid step without one (<paramref name="unit"/> −1), or +∞ when
    /// nothing switches on [0, ∞). False on a numerical failure.
    /// </summary>
    bool NextSwitch(double remaining, out double tau, out int unit, out SwitchFunction function);

    /// <summary>The state at τ (0 ≤ τ &lt; ∞) into <paramref name="result"/>, which may be the state the piece started from.</summary>
    void StateAt(double tau, double[] result);

    /// <summary>‖c(τ) − c*‖∞ (used for the stop distance only).</summary>
    double DistanceAt(double tau);

    /// <summary>The largest decay rate of the piece (so 1/rate is its shortest time scale).</summary>
    double FastestRate { get; }

    /// <summary>A new array holding the limit of the piece, c* (sliding coordinates 0).</summary>
    double[] Limit();
}

namespace ResidualSheaf.Engine.Heat;

/// <summary>How <see cref="HeatSolver"/> integrates the heat equation.</summary>
public enum HeatMethod
{
    /// <summary>An ODE integrator straight through the switches (masks recomputed inside every right-hand-side evaluation).</summary>
    Plain,
    /// <summary>Frozen modes, event location and restart at every switch, Filippov sliding (integration-notes §2).</summary>
    SwitchingAware,
    /// <summary>The exact piecewise closed form (<see cref="ExactPiecewiseIntegrator"/>).</summary>
    ExactPiecewise,
    /// <summary>The authors' fixed-step forward Euler with the stop rule max|Δc| &lt; tol (<see cref="AuthorsEuler"/>).</summary>
    AuthorsEuler,
    /// <summary>Exact switching with matrix-free Krylov flows per pattern, for large problems (<see cref="KrylovPiecewiseIntegrator"/>).</summary>
    Krylov,
    /// <summary>
    /// Switching-aware <see cref="Integration.Rkc"/> (stabilized explicit, cost √κ per unit time) through the switching transient, then
    /// the exact <see cref="Krylov"/> flow once no switch has happened for <see cref="HeatOptions.HandoffQuietSteps"/> steps: for
    /// large, stiff problems with thousands of switches.
    /// </summary>
    RkcKrylov,
}

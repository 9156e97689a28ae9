namespace ResidualSheaf.Engine.Heat;

/// <summary>Why the Dirichlet energy rose between two samples of a trajectory.</summary>
public enum EnergyIncreaseCause
{
    /// <summary>No switch and no sliding in the interval: the integrator's own error (the true flow cannot raise E there).</summary>
    IntegrationError,
    /// <summary>A unit switched inside the interval (or at its end, for methods that only see switches between steps).</summary>
    ChatteringAtSwitch,
    /// <summary>A unit was sliding on its switching surface during the interval.</summary>
    Sliding,
}

/// <summary>An energy increase between consecutive samples, E(t₁) &gt; E(t₀), with its classification.</summary>
/// <param name="T0">Time of the earlier sample.</param>
/// <param name="T1">Time of the later sample.</param>
/// <param name="E0">Energy at <paramref name="T0"/>.</param>
/// <param name="E1">Energy at <paramref name="T1"/>.</param>
/// <param name="Cause">The classification.</param>
public sealed record EnergyIncrease(double T0, double T1, double E0, double E1, EnergyIncreaseCause Cause)
{
    /// <summary>(E₁ − E₀) / E₀.</summary>
    public double Relative => (E1 - E0) / E0;
}

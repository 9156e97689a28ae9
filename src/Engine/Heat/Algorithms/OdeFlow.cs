using ResidualSheaf.Engine.Integration;

namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// A general ODE integrator on the heat equation. With <see cref="FrozenModes"/> (switching-aware): modes frozen between events, one
/// Restart event per unit (z_j = 0, or the sliding exit condition), restart exactly at the switch, Filippov sliding followed
/// (integration-notes §2). Without (plain): masks recomputed inside every right-hand-side call, switches seen only as sign changes
/// between accepted steps. Rosenbrock integrators get the exact Jacobian of the frozen-mode force.
/// </summary>
/// <param name="Integrator">The ODE method (e.g. <see cref="DormandPrince54"/>, <see cref="Rodas4"/>, <see cref="Rkc"/>).</param>
/// <param name="FrozenModes">Switching-aware (true) or plain (false).</param>
public sealed record OdeFlow(OdeAlgorithm Integrator, bool FrozenModes = true) : HeatAlgorithm
{
    /// <summary>Relative tolerance of the integrator.</summary>
    public double Rtol { get; init; } = 1e-8;

    /// <summary>Absolute tolerance of the integrator.</summary>
    public double Atol { get; init; } = 1e-10;

    /// <inheritdoc/>
    public override string Name => $"{Integrator.Name}, {(FrozenModes ? "switching-aware" : "plain")}";

    /// <inheritdoc/>
    public override void Validate()
    {
        ArgumentNullException.ThrowIfNull(Integrator, nameof(Integrator));
        CheckPositive(Rtol, nameof(Rtol));
        CheckPositive(Atol, nameof(Atol));
    }

    internal override HeatSolution Run(HeatRun run, ReadOnlySpan<double> initial) => OdeHeatRun.Run(run, initial, this, null);
}

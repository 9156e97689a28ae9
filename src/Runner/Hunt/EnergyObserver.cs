using ResidualSheaf.Engine.Heat;

namespace ResidualSheaf.Runner.Hunt;

/// <summary>
/// The light observer of a hunt case: the energy check on every sample, with exactly the rules of the heat job's trace (so a
/// candidate's standalone re-run reproduces the hunt's numbers); nothing is written.
/// </summary>
public sealed class EnergyObserver(HeatEquation equation) : IHeatObserver
{
    private readonly int _edgeDimension = equation.Sheaf.EdgeDimension;
    private readonly double _affineScale = EnergyMonitor.AffineScale(equation.Sheaf);

    /// <summary>Energy watch (same threshold and rounding floor as the heat job's trace, so a re-run reproduces the counts).</summary>
    public EnergyMonitor Monitor { get; } = new();

    /// <summary>Switching events seen.</summary>
    public List<HeatEvent> Events { get; } = [];

    /// <inheritdoc/>
    public void OnSample(in HeatSample sample) => Monitor.Add(sample.Time, sample.Energy, sample.State, _edgeDimension, _affineScale);

    /// <inheritdoc/>
    public void OnEvent(HeatEvent e) => Events.Add(e);
}

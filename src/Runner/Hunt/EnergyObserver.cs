using ResidualSheaf.Engine.Heat;

namespace ResidualSheaf.Runner.Hunt;

/// <summary>The light observer of a hunt case: the energy check on every sample, nothing written.</summary>
public sealed class EnergyObserver(HeatEquation equation) : IHeatObserver
{
    private readonly int _edgeDimension = equation.Sheaf.EdgeDimension;
    private readonly double _affineScale = EnergyMonitor.AffineScale(equation.Sheaf);

    /// <summary>Energy watch (same threshold and rounding floor as the heat job's trace, so a re-run reproduces the counts).</summary>
    public EnergyMonitor Monitor { get; } = new();

    /// <summary>Switching events seen.</summary>
    public List<HeatEvent> Events { get; } = [];

    /// <inheritdoc/>
    public bool OnSample(double time, ReadOnlySpan<double> state, double stepSize, ulong patternId)
    {
        Monitor.Add(time, equation.Energy(state), state, _edgeDimension, _affineScale);
        return true;
    }

    /// <inheritdoc/>
    public void OnEvent(HeatEvent e) => Events.Add(e);
}

using ResidualSheaf.Engine.Heat;

namespace ResidualSheaf.Runner.Hunt;

/// <summary>
/// The light observer of a hunt case: the energy check on every sample and the plateau stop, with exactly the rules of the heat
/// job's trace (so a candidate's standalone re-run reproduces the hunt's numbers); nothing is written.
/// </summary>
public sealed class EnergyObserver(HeatEquation equation, double[] target, double stopDistance, double plateauWindow) : IHeatObserver
{
    private readonly PlateauDetector? _plateau = plateauWindow > 0 ? new PlateauDetector(plateauWindow) : null;
    private readonly double _plateauDistance = PlateauDetector.DistanceFactor * stopDistance;

    private readonly int _edgeDimension = equation.Sheaf.EdgeDimension;
    private readonly double _affineScale = EnergyMonitor.AffineScale(equation.Sheaf);

    /// <summary>Energy watch (same threshold and rounding floor as the heat job's trace, so a re-run reproduces the counts).</summary>
    public EnergyMonitor Monitor { get; } = new();

    /// <summary>Time of the plateau stop, else null.</summary>
    public double? PlateauAt { get; private set; }

    /// <summary>Switching events seen.</summary>
    public List<HeatEvent> Events { get; } = [];

    /// <inheritdoc/>
    public bool OnSample(double time, ReadOnlySpan<double> state, double stepSize, ulong patternId)
    {
        double e = equation.Energy(state);
        Monitor.Add(time, e, state, _edgeDimension, _affineScale);
        if (_plateau is not null && _plateau.Add(time, e))
        {
            double distance = 0;
            for (int i = 0; i < state.Length; i++) distance = Math.Max(distance, Math.Abs(state[i] - target[i]));
            if (distance > _plateauDistance)
            {
                PlateauAt = time;
                return false;
            }
        }
        return true;
    }

    /// <inheritdoc/>
    public void OnEvent(HeatEvent e) => Events.Add(e);
}

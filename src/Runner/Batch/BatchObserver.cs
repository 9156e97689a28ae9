using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Runner.Hunt;

namespace ResidualSheaf.Runner.Batch;

/// <summary>
/// The observer of one batch input: the energy watch of the heat job's trace (same rules, via <see cref="EnergyObserver"/>) and
/// E(t) on the batch's time grid (<see cref="EnergyGrid"/>) for the batch energy plot; nothing is written.
/// </summary>
public sealed class BatchObserver(HeatEquation equation, double[] grid) : IHeatObserver
{
    private readonly EnergyObserver _energy = new(equation);
    private readonly double[] _onGrid = Enumerable.Repeat(double.NaN, grid.Length).ToArray();
    private double _t = double.NaN, _e = double.NaN;
    private int _next;

    /// <summary>Energy watch (increases are classified from it).</summary>
    public EnergyMonitor Monitor => _energy.Monitor;

    /// <summary>E at each grid time up to the last sample (log-linear between samples; NaN after the run ended).</summary>
    public double[] OnGrid => _onGrid;

    /// <inheritdoc/>
    public void OnSample(in HeatSample sample)
    {
        _energy.OnSample(sample);
        double t = sample.Time, e = sample.Energy;
        while (_next < grid.Length && grid[_next] <= t)
        {
            double g = grid[_next];
            // Between samples the flow decays exponentially within a pattern, so log E is interpolated linearly.
            _onGrid[_next] = double.IsNaN(_t) || t == _t || g == t ? e
                : e > 0 && _e > 0 ? Math.Exp(Math.Log(_e) + (Math.Log(e) - Math.Log(_e)) * (g - _t) / (t - _t))
                : _e + (e - _e) * (g - _t) / (t - _t);
            _next++;
        }
        (_t, _e) = (t, e);
    }

    /// <inheritdoc/>
    public void OnEvent(HeatEvent e) => _energy.OnEvent(e);
}

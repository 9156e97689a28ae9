namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// Receives the samples and events of a <see cref="HeatSolver"/> run, in time order. Observers only observe (and write); ending a
/// run is the business of a <see cref="StopRule"/>.
/// </summary>
public interface IHeatObserver
{
    /// <summary>A sample (a view valid only during the call; its energy is computed once and shared with the stop rules).</summary>
    void OnSample(in HeatSample sample);

    /// <summary>A switching event, reported before the sample at its time.</summary>
    void OnEvent(HeatEvent e);
}

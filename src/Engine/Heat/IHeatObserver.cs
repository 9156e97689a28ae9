namespace ResidualSheaf.Engine.Heat;

/// <summary>Receives the samples and events of a <see cref="HeatSolver"/> run, in time order.</summary>
public interface IHeatObserver
{
    /// <summary>
    /// A sample; <paramref name="state"/> is a view of a workspace valid only during the call. <paramref name="stepSize"/> is the step
    /// (or sample spacing) that led here, <paramref name="patternId"/> identifies the activation pattern
    /// (<see cref="HeatPattern.Id"/>). Return false to stop the run (status StoppedByObserver).
    /// </summary>
    bool OnSample(double time, ReadOnlySpan<double> state, double stepSize, ulong patternId);

    /// <summary>A switching event, reported before the sample at its time.</summary>
    void OnEvent(HeatEvent e);
}

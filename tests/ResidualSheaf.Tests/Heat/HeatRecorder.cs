using ResidualSheaf.Engine.Heat;

namespace ResidualSheaf.Tests.Heat;

/// <summary>Test observer: keeps copies of every sample and event, can cancel after three samples.</summary>
internal sealed class HeatRecorder(CancellationTokenSource? cancelAfter = null) : IHeatObserver
{
    public List<(double Time, double[] State, double StepSize, ulong Pattern)> Samples { get; } = [];

    public List<HeatEvent> Events { get; } = [];

    public void OnSample(in HeatSample sample)
    {
        Samples.Add((sample.Time, sample.State.ToArray(), sample.StepSize, sample.PatternId));
        if (cancelAfter is not null && Samples.Count >= 3) cancelAfter.Cancel();
    }

    public void OnEvent(HeatEvent e) => Events.Add(e);
}

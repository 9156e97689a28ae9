using ResidualSheaf.Engine.Heat;

namespace ResidualSheaf.Tests.Heat;

/// <summary>Test observer: keeps copies of every sample and event, can stop or cancel after a number of samples.</summary>
internal sealed class HeatRecorder(int stopAfter = int.MaxValue, CancellationTokenSource? cancelAfter = null) : IHeatObserver
{
    public List<(double Time, double[] State, double StepSize, ulong Pattern)> Samples { get; } = [];

    public List<HeatEvent> Events { get; } = [];

    public bool OnSample(double time, ReadOnlySpan<double> state, double stepSize, ulong patternId)
    {
        Samples.Add((time, state.ToArray(), stepSize, patternId));
        if (cancelAfter is not null && Samples.Count >= 3) cancelAfter.Cancel();
        return Samples.Count < stopAfter;
    }

    public void OnEvent(HeatEvent e) => Events.Add(e);
}

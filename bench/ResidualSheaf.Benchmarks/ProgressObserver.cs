using System.Diagnostics;
using ResidualSheaf.Engine.Heat;

namespace ResidualSheaf.Benchmarks;

/// <summary>Prints t, ‖c − c*‖∞, switches, units off the forward pattern and process CPU time at most every <c>seconds</c> (a report's progress line).</summary>
internal sealed class ProgressObserver(IHeatCase c, double every) : IHeatObserver
{
    private readonly double _every = every;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private double _next = every;
    private int _events;

    public void OnSample(in HeatSample sample)
    {
        if (_clock.Elapsed.TotalSeconds < _next) return;
        _next += _every;
        // Units whose sign still differs from the forward pass's (z = 0 counts as differing unless z* = 0): a lower bound on the
        // switches still to come.
        int pending = 0;
        foreach (int i in c.Equation.SwitchingFreeIndices)
            if (Math.Sign(sample.State[i]) != Math.Sign(c.CStar[i])) pending++;
        Console.WriteLine($"  … {_clock.Elapsed.TotalSeconds:F0} s wall, CPU {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F0} s: " +
                          $"t = {sample.Time:g6}, ‖c − c*‖∞ = {c.Distance(sample.State):e3}, {_events} events, {pending} units off the forward pattern");
    }

    public void OnEvent(HeatEvent e) => _events++;
}

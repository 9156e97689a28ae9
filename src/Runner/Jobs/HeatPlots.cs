using System.Text.Json.Nodes;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Runner.Plotting;

namespace ResidualSheaf.Runner.Jobs;

/// <summary>The figures of a heat run: energy with switches, distance to the limit, discord per edge type, output vs TorchSharp.</summary>
public static class HeatPlots
{
    /// <summary>Writes the PNGs into the run folder and lists them in <paramref name="plots"/>.</summary>
    /// <param name="ctx">The run.</param>
    /// <param name="setup">Its set-up (TorchSharp reference output).</param>
    /// <param name="trace">The rows the run wrote to trace.csv, kept in memory.</param>
    /// <param name="summary">The run's summary (name, status, energy bound): the same fields <c>runner plot</c> reads back.</param>
    /// <param name="plots">Filled with figure name → file.</param>
    public static void Write(RunContext ctx, HeatSetup setup, HeatTrace trace, JsonObject summary, JsonObject plots)
    {
        var data = Data(setup, trace, summary);
        var axis = TimeAxes.Parse(ctx.Config.Heat!.PlotTimeAxis) ?? TimeAxis.Auto;
        foreach (string file in HeatFigures.Write(data, new HeatFigureOptions(axis), ctx.Output.PartialPath, "png"))
            plots[Path.GetFileNameWithoutExtension(file)] = file;
    }

    /// <summary>The figure data of a finished run, from memory (what <see cref="HeatFigureData.Read"/> reads from its files).</summary>
    public static HeatFigureData Data(HeatSetup setup, HeatTrace trace, JsonObject summary) => new()
    {
        Name = summary["name"]?.ToString() ?? "heat run",
        State = HeatFigureData.StateOf(summary),
        Times = trace.Times.ToArray(),
        Energy = trace.Energies.ToArray(),
        Distance = setup.Target is null ? null : trace.Distances.ToArray(),
        LimitName = setup.TargetKind,
        Discord = trace.DiscordByKind.Select(p => (p.Key.ToString().ToLowerInvariant(), p.Value.ToArray())).ToList(),
        Outputs = trace.Outputs.Select((o, i) => ($"y{i}", o.ToArray(), (double?)setup.Torch64[i])).ToList(),
        Events = trace.Events.Select(e => new SwitchMark(e.Time, e.Kind switch
        {
            HeatEventKind.CrossUp => "up",
            HeatEventKind.CrossDown => "down",
            HeatEventKind.SlideEnter or HeatEventKind.SlideExit => "slide",
            _ => "other",
        })).ToList(),
        Bound = HeatFigureData.BoundOf(summary),
    };
}

using System.Text.Json.Nodes;
using ResidualSheaf.Runner.Plotting;

namespace ResidualSheaf.Runner.Jobs;

/// <summary>The figures of a heat run: energy with switches, distance to the limit, discord per edge type, output vs TorchSharp.</summary>
public static class HeatPlots
{
    /// <summary>Writes the PNGs into the run folder and lists them in <paramref name="plots"/>.</summary>
    public static void Write(RunContext ctx, HeatSetup setup, HeatTrace trace, JsonObject plots)
    {
        var t = trace.Times.ToArray();
        var e = trace.Energies.ToArray();
        double alpha = setup.Equation.Alpha;
        TimeSeries? bound = null, distanceBound = null;
        // Only where the bound is a theorem (as summary.json's energy_bound.applies): δ_Ω square, no soft pins.
        bool applies = setup.Equation.FreeDimension == setup.Problem.Sheaf.EdgeDimension && setup.Equation.SoftPins.Count == 0;
        if (applies && setup.LambdaStar is double ls && t.Length > 0 && trace.InitialEnergy > 0)
        {
            bound = new TimeSeries($"E(0)·exp(−2αλ_* t), λ_* = {ls:G6}", t, t.Select(x => trace.InitialEnergy * Math.Exp(-2 * alpha * ls * x)).ToArray(), Dashed: true);
            // E ≥ ½λ_*‖c − c*‖² turns the energy bound into one on the distance (‖·‖∞ ≤ ‖·‖₂).
            double d0 = Math.Sqrt(2 * trace.InitialEnergy / ls);
            distanceBound = new TimeSeries($"√(2E(0)/λ_*)·exp(−αλ_* t)", t, t.Select(x => d0 * Math.Exp(-alpha * ls * x)).ToArray(), Dashed: true);
        }

        // Switch markers sit on the energy curve at the first written sample at or after each switch.
        var mt = trace.Events.Select(ev => ev.Time).ToArray();
        var my = mt.Select(x =>
        {
            int i = trace.Times.BinarySearch(x);
            if (i < 0) i = Math.Min(~i, t.Length - 1);
            return t.Length == 0 ? double.NaN : e[i];
        }).ToArray();
        var energy = new List<TimeSeries> { new("E(t)", t, e) };
        if (bound is not null) energy.Add(bound);
        TimeSeriesPlot.Save(ctx.Output.File("energy.png"), "Dirichlet energy", "E", energy, logY: true, (mt, my));
        plots["energy"] = "energy.png";

        if (setup.Target is not null)
        {
            var distance = new List<TimeSeries> { new($"‖c − limit‖∞ ({setup.TargetKind})", t, trace.Distances.ToArray()) };
            if (distanceBound is not null) distance.Add(distanceBound);
            TimeSeriesPlot.Save(ctx.Output.File("distance.png"), "distance to the limit", "distance", distance, logY: true);
            plots["distance"] = "distance.png";
        }

        var discord = trace.DiscordByKind.Select(p => new TimeSeries(p.Key.ToString().ToLowerInvariant(), t, p.Value.ToArray())).ToList();
        TimeSeriesPlot.Save(ctx.Output.File("discord.png"), "discord per edge type (Σ ‖(δc)_e‖² over the edges of the type)", "discord", discord, logY: true);
        plots["discord"] = "discord.png";

        var outputs = new List<TimeSeries>();
        for (int i = 0; i < trace.Outputs.Length; i++)
        {
            outputs.Add(new TimeSeries($"y{i}(t)", t, trace.Outputs[i].ToArray(), Color: i));
            outputs.Add(new TimeSeries($"TorchSharp y{i}", t.Length == 0 ? [] : [t[0], t[^1]], t.Length == 0 ? [] : [setup.Torch64[i], setup.Torch64[i]], Dashed: true, Color: i));
        }
        TimeSeriesPlot.Save(ctx.Output.File("output.png"), "output stalk vs the TorchSharp float64 forward pass", "output value", outputs, logY: false);
        plots["output"] = "output.png";
    }
}

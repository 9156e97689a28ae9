using System.Globalization;
using System.Text.Json.Nodes;
using ResidualSheaf.Runner.Batch;
using ResidualSheaf.Runner.Hunt;
using ScottPlot;

namespace ResidualSheaf.Runner.Plotting;

/// <summary>
/// The figures of a batch heat run, from its files (so a resumed batch plots every session): the energy curves of the batch
/// (median and 10–90 % band on a log axis, a few inputs drawn alone), time to converge against λ_min with the 1/λ line, and
/// histograms of switches and of time to converge. A figure with nothing to show says so instead of drawing an empty axis.
/// </summary>
public static class BatchPlots
{
    /// <summary>Inputs drawn alone on the energy figure (the first ones with a curve).</summary>
    public const int IndividualCurves = 5;

    /// <summary>Writes the PNGs into <paramref name="folder"/> and lists them in <paramref name="plots"/>.</summary>
    public static void Write(BatchSetup setup, string folder, JsonObject plots)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var rows = BatchSummary.Rows(folder);
        Energy(Path.Combine(folder, "energy.png"), EnergyRows(folder), setup.Grid);
        plots["energy"] = "energy.png";

        var converged = rows.Where(r => r["converged"] == "true").ToList();
        var lambda = converged.Select(r => BatchSummary.Number(r, "lambda_min") ?? double.NaN).ToArray();
        var time = converged.Select(r => BatchSummary.Number(r, "time_to_converge") ?? double.NaN).ToArray();
        var lambdas = lambda.Where(v => v > 0 && double.IsFinite(v)).ToArray();
        var line = lambdas.Length == 0 ? [] : new[] { (Label: "1/(αλ_min) (slope −1)", X: new[] { lambdas.Min(), lambdas.Max() },
            Y: new[] { 1 / (setup.Config.Heat!.Alpha * lambdas.Min()), 1 / (setup.Config.Heat.Alpha * lambdas.Max()) }) };
        HuntPlots.LogLogScatter(Path.Combine(folder, "time-vs-lambda-min.png"),
            converged.Count == 0 ? "time to converge vs λ_min: no input converged" : "time to converge vs λ_min at the limit's pattern",
            "λ_min(L_free) at the limit's pattern", "time to converge", [("converged inputs", lambda, time)], line);
        plots["time_vs_lambda_min"] = "time-vs-lambda-min.png";

        Histogram(Path.Combine(folder, "switches-histogram.png"), "switches per input", "switches", "inputs",
            rows.Select(r => BatchSummary.Number(r, "switches") ?? double.NaN).ToArray(), log: false);
        plots["switches_histogram"] = "switches-histogram.png";
        Histogram(Path.Combine(folder, "time-to-converge-histogram.png"), "time to converge per converged input", "time to converge", "inputs", time, log: true);
        plots["time_to_converge_histogram"] = "time-to-converge-histogram.png";
        if (setup.Config.Heat!.PinOutput)
        {
            LimitEnergySplitPlot.Write(Path.Combine(folder, "limit-energy-by-edge-kind.png"), rows);
            plots["limit_energy_by_edge_kind"] = "limit-energy-by-edge-kind.png";
        }
    }

    /// <summary>E on the grid per input from energy.csv (the first row of an input counts), in input order.</summary>
    public static List<double[]> EnergyRows(string folder) =>
        ResultsFile.Read(Path.Combine(folder, BatchCommand.EnergyFile))
            .GroupBy(r => long.Parse(r["input"], CultureInfo.InvariantCulture)).OrderBy(g => g.Key)
            .Select(g => g.First().Where(p => p.Key != "input").Select(p => p.Value.Length == 0 ? double.NaN : double.Parse(p.Value, CultureInfo.InvariantCulture)).ToArray())
            .ToList();

    private static void Energy(string path, List<double[]> curves, double[] grid)
    {
        var plot = new Plot();
        PlotStyle.ApplyFonts(plot);
        // t = 0 has no place on a log time axis; the grid's later points are log-spaced.
        var idx = Enumerable.Range(0, grid.Length).Where(i => grid[i] > 0).ToArray();
        var xs = new List<double>();
        var q10 = new List<double>();
        var q50 = new List<double>();
        var q90 = new List<double>();
        foreach (int i in idx)
        {
            var v = curves.Select(c => i < c.Length ? c[i] : double.NaN).Where(e => e > 0 && double.IsFinite(e)).Order().ToArray();
            if (v.Length == 0) continue;
            xs.Add(Math.Log10(grid[i]));
            q10.Add(Math.Log10(Quantiles.Of(v, 0.1)));
            q50.Add(Math.Log10(Quantiles.Of(v, 0.5)));
            q90.Add(Math.Log10(Quantiles.Of(v, 0.9)));
        }
        if (xs.Count == 0)
        {
            PlotStyle.AddNoDataNote(plot, 0, 0);
            plot.Title("Dirichlet energy of the batch: no positive energy recorded");
        }
        else
        {
            var band = plot.Add.FillY(xs.ToArray(), q10.ToArray(), q90.ToArray());
            band.FillStyle.Color = PlotStyle.SeriesColor(0).WithAlpha(0.25);
            band.LegendText = "10–90 % of the inputs still running";
            int drawn = 0;
            for (int k = 0; k < curves.Count && drawn < IndividualCurves; k++)
            {
                var pts = idx.Where(i => i < curves[k].Length && curves[k][i] > 0 && double.IsFinite(curves[k][i])).ToArray();
                if (pts.Length < 2) continue;
                var l = plot.Add.ScatterLine(pts.Select(i => Math.Log10(grid[i])).ToArray(), pts.Select(i => Math.Log10(curves[k][i])).ToArray(),
                    PlotStyle.Muted.WithAlpha(0.6));
                l.LineWidth = 1;
                l.LegendText = drawn == 0 ? "single inputs (the first few)" : "";
                drawn++;
            }
            var median = plot.Add.ScatterLine(xs.ToArray(), q50.ToArray(), PlotStyle.SeriesColor(0));
            median.LineWidth = 2.5f;
            median.LegendText = $"median over the inputs still running ({curves.Count} inputs)";
            LogAxis.UseDecadeTicks(plot.Axes.Bottom);
            LogAxis.UseDecadeTicks(plot.Axes.Left);
            plot.Title("Dirichlet energy of the batch (each input's curve ends when its run stops)");
            plot.ShowLegend(Edge.Right);
        }
        plot.XLabel("t");
        plot.YLabel("E");
        plot.SavePng(path, 1100, 600);
    }

    private static void Histogram(string path, string title, string xLabel, string yLabel, double[] values, bool log)
    {
        var plot = new Plot();
        PlotStyle.ApplyFonts(plot);
        var v = values.Where(x => double.IsFinite(x) && (!log || x > 0)).Select(x => log ? Math.Log10(x) : x).ToArray();
        if (v.Length == 0)
        {
            PlotStyle.AddNoDataNote(plot, 0, 0);
            plot.Title($"{title}: no data (no input has a value)");
        }
        else
        {
            double lo = v.Min(), hi = v.Max();
            double width;
            int bins;
            if (!log)
            {
                // Integer counts: one bar per value.
                lo = Math.Floor(lo) - 0.5;
                bins = (int)Math.Min(Math.Floor(hi) - (lo + 0.5) + 1, 200);
                width = Math.Max(1, (hi - lo + 0.5) / bins);
            }
            else
            {
                if (hi - lo < 1e-9) { lo -= 0.05; hi += 0.05; }
                bins = (int)Math.Clamp(Math.Sqrt(v.Length), 5, 60);
                width = (hi - lo) / bins;
            }
            var counts = new double[bins];
            foreach (double x in v) counts[Math.Clamp((int)((x - lo) / width), 0, bins - 1)]++;
            plot.Add.Bars(Enumerable.Range(0, bins).Select(b => new Bar
            {
                Position = lo + (b + 0.5) * width,
                Value = counts[b],
                Size = width * 0.9,
                FillColor = PlotStyle.SeriesColor(0),
            }).ToList());
            if (log) LogAxis.UseDecadeTicks(plot.Axes.Bottom);
            plot.Axes.Margins(bottom: 0);
            plot.Title($"{title} ({v.Length} inputs)");
        }
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.SavePng(path, 1000, 520);
    }
}

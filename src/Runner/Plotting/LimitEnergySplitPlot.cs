using ResidualSheaf.Runner.Batch;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace ResidualSheaf.Runner.Plotting;

/// <summary>
/// The pinned-output discord of a batch split by edge kind: one column of points per kind that holds energy (one point per input,
/// spread sideways so they do not hide each other), log10 of the part of E at the limit, with each column's median as a bar.
/// </summary>
public static class LimitEnergySplitPlot
{
    /// <summary>Writes the figure from the batch.csv rows.</summary>
    public static void Write(string path, IReadOnlyList<Dictionary<string, string>> rows)
    {
        var plot = new Plot();
        PlotStyle.ApplyFonts(plot);
        var columns = Enumerable.Range(0, LimitEnergySplit.Columns.Length)
            .Select(c => (Name: LimitEnergySplit.Kinds[c].ToString().ToLowerInvariant(),
                Values: rows.Select(r => BatchSummary.Number(r, LimitEnergySplit.Columns[c]) ?? double.NaN).Where(v => v > 0 && double.IsFinite(v)).ToArray()))
            .Where(c => c.Values.Length > 0).ToArray();
        if (columns.Length == 0)
        {
            PlotStyle.AddNoDataNote(plot, 0, 0, "no input has energy at its limit (every pinned output is the forward pass)");
            plot.Title("energy at the limit by edge kind: none");
            plot.SavePng(path, 1000, 520);
            return;
        }
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        for (int c = 0; c < columns.Length; c++)
        {
            var logs = columns[c].Values.Select(Math.Log10).ToArray();
            // A fixed low-discrepancy spread (golden ratio), so the figure is the same on every run.
            var xs = logs.Select((_, i) => c + 0.6 * ((i * 0.6180339887498949 % 1) - 0.5)).ToArray();
            var points = plot.Add.ScatterPoints(xs, logs, PlotStyle.SeriesColor(c).WithAlpha(0.5));
            points.MarkerSize = 4;
            double median = Quantiles.Of([.. logs.Order()], 0.5);
            var bar = plot.Add.Line(c - 0.4, median, c + 0.4, median);
            bar.LineWidth = 3;
            bar.Color = Colors.Black;
            lo = Math.Min(lo, logs.Min());
            hi = Math.Max(hi, logs.Max());
        }
        var (low, high) = LogAxis.DecadeLimits(lo, hi);
        plot.Axes.SetLimits(-0.6, columns.Length - 0.4, low, high);
        LogAxis.UseDecadeTicks(plot.Axes.Left);
        plot.Axes.Bottom.TickGenerator = new NumericManual(
            Enumerable.Range(0, columns.Length).Select(c => (double)c).ToArray(), columns.Select(c => $"{c.Name} ({c.Values.Length})").ToArray());
        plot.Title("energy at the limit by edge kind, per input (bar: median; inputs with energy > 0 in that kind)");
        plot.XLabel("edge kind (inputs)");
        plot.YLabel("½ Σ ‖(δc*)_e‖² over the kind's edges");
        plot.SavePng(path, 1000, 520);
    }
}

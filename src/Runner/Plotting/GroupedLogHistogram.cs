using ScottPlot;

namespace ResidualSheaf.Runner.Plotting;

/// <summary>
/// A histogram of log10 of positive values, one bar series per group side by side in each bin (half-decade bins at least; decade
/// labels, <see cref="LogAxis"/>): hunt increases by class, spectra of trained against untrained networks.
/// </summary>
public static class GroupedLogHistogram
{
    /// <summary>
    /// The figure, not yet saved, or null when no group has a positive finite value (the caller then draws its own "no data" note).
    /// The legend gives each group's label and its count of plotted values.
    /// </summary>
    /// <param name="groups">Label and values of each bar series.</param>
    /// <param name="title">Title.</param>
    /// <param name="xLabel">X label (decade bins), or what is logged (fine bins: the axis reads "log10 …").</param>
    /// <param name="yLabel">Y label.</param>
    /// <param name="fine">
    /// Bins over the data's own range (about 2√n of them) with plain log10 tick labels, for values within a decade or two
    /// (spectra over images), where half-decade bins would give one or two bars.
    /// </param>
    public static Plot? Create(IReadOnlyList<(string Label, double[] Values)> groups, string title, string xLabel, string yLabel, bool fine = false)
    {
        static bool Plotted(double v) => v > 0 && double.IsFinite(v);
        var logs = groups.SelectMany(c => c.Values).Where(Plotted).Select(Math.Log10).ToArray();
        if (logs.Length == 0) return null;
        var plot = new Plot();
        PlotStyle.ApplyFonts(plot);
        double lo = Math.Floor(logs.Min()), hi = Math.Ceiling(logs.Max());
        if (hi <= lo) hi = lo + 1;
        int bins = (int)Math.Clamp((hi - lo) * 2, 4, 60);
        if (fine)
        {
            double pad = Math.Max(0.02 * (logs.Max() - logs.Min()), 1e-3);
            (lo, hi) = (logs.Min() - pad, logs.Max() + pad);
            bins = (int)Math.Clamp(2 * Math.Sqrt(logs.Length), 10, 60);
        }
        double width = (hi - lo) / bins;
        int series = groups.Count;
        for (int s = 0; s < series; s++)
        {
            var counts = new double[bins];
            foreach (double v in groups[s].Values.Where(Plotted))
                counts[Math.Clamp((int)((Math.Log10(v) - lo) / width), 0, bins - 1)]++;
            var bars = Enumerable.Range(0, bins).Select(b => new Bar
            {
                Position = lo + (b + 0.5) * width + (s - (series - 1) / 2.0) * width / (series + 1),
                Value = counts[b],
                Size = width / (series + 1),
                FillColor = PlotStyle.SeriesColor(s),
            }).ToList();
            var bp = plot.Add.Bars(bars);
            bp.LegendText = $"{groups[s].Label} ({groups[s].Values.Count(Plotted)})";
        }
        if (!fine) LogAxis.UseDecadeTicks(plot.Axes.Bottom);
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.ShowLegend(Edge.Bottom);
        plot.XLabel(fine ? $"log10 {xLabel}" : xLabel);
        plot.YLabel(yLabel);
        return plot;
    }
}

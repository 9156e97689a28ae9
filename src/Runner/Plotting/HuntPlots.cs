using ScottPlot;

namespace ResidualSheaf.Runner.Plotting;

/// <summary>The figures of a hunt report (log axes are drawn as log10 data with decade labels, see <see cref="LogAxis"/>).</summary>
public static class HuntPlots
{
    /// <summary>Histogram of log10(largest relative energy increase), one bar series per class.</summary>
    /// <param name="path">PNG file.</param>
    /// <param name="byClass">Largest relative increase of each case with an increase, grouped by verdict.</param>
    /// <param name="cases">Cases in the hunt (with and without increases), for the caption of an empty histogram.</param>
    public static void IncreaseHistogram(string path, IReadOnlyList<(string Class, double[] Values)> byClass, int cases) =>
        IncreaseHistogramPlot(byClass, cases).SavePng(path, 1100, 560);

    /// <summary>The figure of <see cref="IncreaseHistogram"/>, not yet saved.</summary>
    public static Plot IncreaseHistogramPlot(IReadOnlyList<(string Class, double[] Values)> byClass, int cases)
    {
        var plot = GroupedLogHistogram.Create(byClass, "largest relative energy increase per case, by class", "largest relative increase (E₁ − E₀)/E₀", "cases");
        if (plot is not null) return plot;
        plot = new Plot();
        PlotStyle.ApplyFonts(plot);
        // An empty axis reads as a failed plot; say that the histogram is empty because nothing rose.
        PlotStyle.AddNoDataNote(plot, 0, 0, $"no increases in {cases} case(s)");
        plot.Title("largest relative energy increase per case: none observed");
        // Axes around nothing (negative case counts, an arbitrary x range) would only distract from the note.
        plot.HideAxesAndGrid();
        plot.Axes.Title.IsVisible = true;
        plot.XLabel("largest relative increase (E₁ − E₀)/E₀");
        plot.YLabel("cases");
        return plot;
    }

    /// <summary>Log–log scatter of y against x per group, with optional dashed reference curves.</summary>
    /// <param name="path">PNG file.</param>
    /// <param name="title">Title.</param>
    /// <param name="xLabel">X label.</param>
    /// <param name="yLabel">Y label.</param>
    /// <param name="groups">Filled markers, one colour and shape per group.</param>
    /// <param name="lines">Dashed reference curves.</param>
    /// <param name="censored">
    /// Points known only as lower bounds (e.g. cases that did not converge, at their final time): hollow markers in the colour of
    /// the group with the same label, so they are seen and not mistaken for measurements.
    /// </param>
    /// <param name="censoredNote">Legend text of the censored points.</param>
    public static void LogLogScatter(string path, string title, string xLabel, string yLabel,
        IReadOnlyList<(string Label, double[] X, double[] Y)> groups, IReadOnlyList<(string Label, double[] X, double[] Y)>? lines = null,
        IReadOnlyList<(string Label, double[] X, double[] Y)>? censored = null, string censoredNote = "lower bound") =>
        LogLogScatterPlot(title, xLabel, yLabel, groups, lines, censored, censoredNote).SavePng(path, 1100, 600);

    /// <summary>The figure of <see cref="LogLogScatter"/>, not yet saved.</summary>
    public static Plot LogLogScatterPlot(string title, string xLabel, string yLabel,
        IReadOnlyList<(string Label, double[] X, double[] Y)> groups, IReadOnlyList<(string Label, double[] X, double[] Y)>? lines = null,
        IReadOnlyList<(string Label, double[] X, double[] Y)>? censored = null, string censoredNote = "lower bound")
    {
        var plot = new Plot();
        PlotStyle.ApplyFonts(plot);
        bool any = false;
        for (int g = 0; g < groups.Count; g++)
        {
            var (label, x, y) = groups[g];
            var pts = Enumerable.Range(0, x.Length).Where(i => x[i] > 0 && y[i] > 0 && double.IsFinite(x[i]) && double.IsFinite(y[i])).ToArray();
            if (pts.Length == 0) continue;
            any = true;
            var sp = plot.Add.ScatterPoints(pts.Select(i => Math.Log10(x[i])).ToArray(), pts.Select(i => Math.Log10(y[i])).ToArray(),
                PlotStyle.SeriesColor(g).WithAlpha(0.5));
            sp.MarkerShape = PlotStyle.SeriesShape(g);
            sp.MarkerSize = pts.Length > 2000 ? 3 : 5;
            sp.LegendText = $"{label} ({pts.Length})";
        }
        var labels = groups.Select(g => g.Label).ToList();
        foreach (var (label, x, y) in censored ?? [])
        {
            var pts = Enumerable.Range(0, x.Length).Where(i => x[i] > 0 && y[i] > 0 && double.IsFinite(x[i]) && double.IsFinite(y[i])).ToArray();
            if (pts.Length == 0) continue;
            any = true;
            int g = labels.IndexOf(label);
            if (g < 0)
            {
                labels.Add(label);
                g = labels.Count - 1;
            }
            var sp = plot.Add.ScatterPoints(pts.Select(i => Math.Log10(x[i])).ToArray(), pts.Select(i => Math.Log10(y[i])).ToArray(), PlotStyle.SeriesColor(g));
            sp.MarkerShape = MarkerShape.OpenTriangleUp;
            sp.MarkerSize = pts.Length > 2000 ? 5 : 8;
            sp.LegendText = $"{label}, {censoredNote} ({pts.Length})";
        }
        foreach (var (label, x, y) in lines ?? [])
        {
            var pts = Enumerable.Range(0, x.Length).Where(i => x[i] > 0 && y[i] > 0).ToArray();
            if (pts.Length < 2) continue;
            var l = plot.Add.ScatterLine(pts.Select(i => Math.Log10(x[i])).ToArray(), pts.Select(i => Math.Log10(y[i])).ToArray(), Colors.Black);
            l.LinePattern = LinePattern.Dashed;
            l.LegendText = label;
        }
        if (!any) PlotStyle.AddNoDataNote(plot, 0, 0);
        LogAxis.UseDecadeTicks(plot.Axes.Bottom);
        LogAxis.UseDecadeTicks(plot.Axes.Left);
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Edge.Bottom);
        return plot;
    }

    /// <summary>Shares (0–1) against log10-binned x, one line per series.</summary>
    public static void Shares(string path, string title, string xLabel, IReadOnlyList<(string Label, double[] BinCentres, double[] Share)> series)
    {
        var plot = new Plot();
        PlotStyle.ApplyFonts(plot);
        for (int s = 0; s < series.Count; s++)
        {
            var (label, x, y) = series[s];
            var pts = Enumerable.Range(0, x.Length).Where(i => x[i] > 0 && double.IsFinite(y[i])).ToArray();
            if (pts.Length == 0) continue;
            var l = plot.Add.Scatter(pts.Select(i => Math.Log10(x[i])).ToArray(), pts.Select(i => y[i]).ToArray(), PlotStyle.SeriesColor(s));
            l.MarkerShape = PlotStyle.SeriesShape(s);
            l.LegendText = label;
        }
        LogAxis.UseDecadeTicks(plot.Axes.Bottom);
        plot.Axes.SetLimitsY(-0.02, 1.02);
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel("share of cases");
        plot.ShowLegend(Edge.Bottom);
        plot.SavePng(path, 1100, 560);
    }
}

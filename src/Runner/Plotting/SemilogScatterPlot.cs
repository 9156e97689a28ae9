using System.Globalization;
using ScottPlot;

namespace ResidualSheaf.Runner.Plotting;

/// <summary>Per-index scatter on a log10 y-axis: discrepancies and residuals that span many decades.</summary>
public static class SemilogScatterPlot
{
    /// <summary>Writes a PNG with each series as markers vs index, log10 y-axis, legend and an optional dashed reference line.</summary>
    public static void Save(string path, string title, string xLabel, string yLabel,
        IReadOnlyList<(string Label, double[] Y)> series, double? referenceLine = null, int width = 1000, int height = 560) =>
        Build(title, xLabel, yLabel, series, referenceLine).SavePng(path, width, height);

    /// <summary>The figure of <see cref="Save"/>, not yet saved.</summary>
    public static Plot Build(string title, string xLabel, string yLabel, IReadOnlyList<(string Label, double[] Y)> series, double? referenceLine = null)
    {
        var plot = new Plot();
        var panel = new SemilogPanel(title, yLabel, series);
        var range = Populate(plot, panel, xLabel, referenceLine, Edge.Right);
        var (low, high) = LogAxis.DecadeLimits(range.Min, range.Max);
        SetYRange(plot, low, high, range);
        return plot;
    }

    /// <summary>Writes one PNG with two side-by-side panels sharing the y range, so the two constructions compare at a glance.</summary>
    public static void SaveTwoPanel(string path, SemilogPanel left, SemilogPanel right, string xLabel = "input index",
        double? referenceLine = null, int width = 2000, int height = 560)
    {
        var multiplot = new Multiplot { Layout = new ScottPlot.MultiplotLayouts.Columns() };
        // A new Multiplot already holds one subplot; reuse it rather than leaving an empty third panel.
        var leftPlot = multiplot.Count() > 0 ? multiplot.GetPlot(0) : multiplot.AddPlot();
        var rightPlot = multiplot.AddPlot();
        // Below the panels: a legend beside each would steal a third of a half-width figure.
        var a = Populate(leftPlot, left, xLabel, referenceLine, Edge.Bottom);
        var b = Populate(rightPlot, right, xLabel, referenceLine, Edge.Bottom);
        // An empty panel must not drag the shared range to the placeholder decades.
        double min = double.IsNaN(a.Min) ? b.Min : double.IsNaN(b.Min) ? a.Min : Math.Min(a.Min, b.Min);
        double max = double.IsNaN(a.Max) ? b.Max : double.IsNaN(b.Max) ? a.Max : Math.Max(a.Max, b.Max);
        var (low, high) = LogAxis.DecadeLimits(min, max);
        SetYRange(leftPlot, low, high, a);
        SetYRange(rightPlot, low, high, b);
        multiplot.SavePng(path, width, height);
    }

    private static void SetYRange(Plot plot, double low, double high, Range range)
    {
        plot.Axes.SetLimitsY(low, high);
        // Exact zeros have no log10: drawn on the bottom edge with their own marker, never at a floor like data.
        foreach (var (label, series, xs) in range.Zeros)
        {
            var m = plot.Add.ScatterPoints(xs, xs.Select(_ => low).ToArray(), PlotStyle.SeriesColor(series));
            m.MarkerShape = MarkerShape.Eks;
            m.MarkerSize = MarkerSize(xs.Length) + 2;
            m.LegendText = $"{label} = 0 exactly ({xs.Length}, on the bottom edge)";
        }
        if (double.IsNaN(range.Min) && range.Zeros.Count == 0)
        {
            var x = plot.Axes.GetLimits();
            PlotStyle.AddNoDataNote(plot, (x.Left + x.Right) / 2, (low + high) / 2);
        }
    }

    /// <summary>The log10 range of a panel's non-zero data (NaN when there is none) and its exact zeros per series.</summary>
    private sealed record Range(double Min, double Max, List<(string Label, int Series, double[] X)> Zeros);

    /// <summary>Adds the panel's non-zero data to a plot and returns its range and its zeros (drawn once the range is set).</summary>
    private static Range Populate(Plot plot, SemilogPanel panel, string xLabel, double? referenceLine, Edge legendEdge)
    {
        PlotStyle.ApplyFonts(plot);
        bool clamped = false;
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        int longest = 0;
        var zeros = new List<(string, int, double[])>();
        for (int s = 0; s < panel.Series.Count; s++)
        {
            var (label, y) = panel.Series[s];
            var xs = new List<double>(y.Length);
            var ys = new List<double>(y.Length);
            var zs = new List<double>();
            for (int i = 0; i < y.Length; i++)
            {
                if (y[i] == 0)
                {
                    zs.Add(i);
                    continue;
                }
                if (LogAxis.ToLog10(y[i], ref clamped) is not double ly) continue;
                // x stays the original index so a skipped NaN leaves a visible gap instead of shifting later points.
                xs.Add(i);
                ys.Add(ly);
                min = Math.Min(min, ly);
                max = Math.Max(max, ly);
            }
            longest = Math.Max(longest, y.Length);
            if (zs.Count > 0) zeros.Add((label, s, zs.ToArray()));
            if (xs.Count == 0 && zs.Count > 0) continue;
            if (xs.Count == 0)
            {
                // Keep the series in the legend so a reader sees it existed but had no finite values.
                var missing = plot.Add.Marker(double.NaN, double.NaN, PlotStyle.SeriesShape(s), 0, PlotStyle.SeriesColor(s));
                missing.LegendText = $"{label} (no finite values)";
                continue;
            }
            var scatter = plot.Add.ScatterPoints(xs.ToArray(), ys.ToArray(), PlotStyle.SeriesColor(s).WithAlpha(0.75));
            scatter.MarkerShape = PlotStyle.SeriesShape(s);
            scatter.MarkerSize = MarkerSize(y.Length);
            scatter.LegendText = label;
        }

        if (referenceLine is double r && double.IsFinite(r) && r > 0)
        {
            double lr = Math.Log10(r);
            var line = plot.Add.HorizontalLine(lr, 1.5f, Colors.Black.WithAlpha(0.7), LinePattern.Dashed);
            line.LegendText = "reference " + r.ToString("0.##e0", CultureInfo.InvariantCulture);
            // Without data the panel shows the default decades and a "no data" note; the line alone must not set the range.
            if (!double.IsPositiveInfinity(min))
            {
                min = Math.Min(min, lr);
                max = Math.Max(max, lr);
            }
        }

        if (double.IsPositiveInfinity(min)) (min, max) = (double.NaN, double.NaN);

        plot.Title(panel.Title);
        plot.XLabel(xLabel);
        // Zeros are drawn apart (see SetYRange); only tiny positive values sit at the floor.
        plot.YLabel(clamped ? $"{panel.YLabel}  (values in (0, {LogAxis.Format(Math.Log10(LogAxis.Floor))}) drawn at {LogAxis.Format(Math.Log10(LogAxis.Floor))})" : panel.YLabel);
        LogAxis.UseDecadeTicks(plot.Axes.Left);
        // Indices are whole numbers; ticks at 0.5 would suggest points between inputs.
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Axes.SetLimitsX(-0.5 - 0.02 * longest, Math.Max(1, longest) - 0.5 + 0.02 * longest);
        if (zeros.Count > 0 || plot.GetPlottables().Any(p => p.LegendItems.Any(i => !string.IsNullOrEmpty(i.LabelText))))
            // Outside the data area: residual clouds fill the whole frame, so any inside corner would hide points.
            plot.ShowLegend(legendEdge);
        return new Range(min, max, zeros);
    }

    // Thousands of points as big markers merge into a blob; a few points as tiny dots are hard to see.
    private static float MarkerSize(int n) => n switch { <= 50 => 8, <= 500 => 6, _ => 4 };
}

using ScottPlot;

namespace ResidualSheaf.Runner.Plotting;

/// <summary>A curve of a trajectory quantity against time.</summary>
/// <param name="Label">Legend text.</param>
/// <param name="T">Times.</param>
/// <param name="Y">Values.</param>
/// <param name="Dashed">Draw dashed (references and bounds).</param>
/// <param name="Color">Palette index (default: the series' position), so a curve and its reference can share a colour.</param>
public sealed record TimeSeries(string Label, double[] T, double[] Y, bool Dashed = false, int? Color = null);

/// <summary>Quantities against time: log10 y for energies and distances, linear y for stalk values; optional event markers.</summary>
public static class TimeSeriesPlot
{
    // Energies of a converged flow reach 1e-20 and below; the error plots' floor of 1e-17 would flatten their tails.
    private const double Floor = 1e-40;

    /// <summary>Writes a PNG; with <paramref name="logY"/> values are drawn as log10 with decade ticks (zeros at the floor).</summary>
    /// <param name="path">PNG file.</param>
    /// <param name="title">Title.</param>
    /// <param name="yLabel">Y label.</param>
    /// <param name="series">Curves.</param>
    /// <param name="logY">Semilog in y.</param>
    /// <param name="markers">Points to mark (e.g. switches on the energy curve), drawn over the curves.</param>
    /// <param name="markerLabel">Legend text of the markers.</param>
    public static void Save(string path, string title, string yLabel, IReadOnlyList<TimeSeries> series, bool logY,
        (double[] T, double[] Y)? markers = null, string markerLabel = "switch")
    {
        var plot = new Plot();
        PlotStyle.ApplyFonts(plot);
        bool clamped = false, any = false;
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        double tMin = double.PositiveInfinity, tMax = double.NegativeInfinity;
        double[] Y(double[] t, double[] y, out double[] tt)
        {
            var xs = new List<double>(y.Length);
            var ys = new List<double>(y.Length);
            for (int i = 0; i < y.Length; i++)
            {
                double? v = logY ? LogAxis.ToLog10(y[i], ref clamped, Floor) : double.IsFinite(y[i]) ? y[i] : null;
                if (v is not double d || !double.IsFinite(t[i])) continue;
                xs.Add(t[i]);
                ys.Add(d);
            }
            tt = xs.ToArray();
            return ys.ToArray();
        }
        for (int s = 0; s < series.Count; s++)
        {
            var c = series[s];
            var ys = Y(c.T, c.Y, out var ts);
            if (ys.Length == 0) continue;
            var sc = plot.Add.ScatterLine(ts, ys, PlotStyle.SeriesColor(c.Color ?? s));
            sc.LineWidth = c.Dashed ? 1.5f : 2f;
            if (c.Dashed) sc.LinePattern = LinePattern.Dashed;
            sc.LegendText = c.Label;
            if (!c.Dashed)
            {
                any = true;
                min = Math.Min(min, ys.Min());
                max = Math.Max(max, ys.Max());
            }
            tMin = Math.Min(tMin, ts[0]);
            tMax = Math.Max(tMax, ts[^1]);
        }
        if (markers is var (mt, my) && mt.Length > 0)
        {
            var ys = Y(mt, my, out var ts);
            var m = plot.Add.ScatterPoints(ts, ys, Colors.Black.WithAlpha(0.8));
            m.MarkerShape = MarkerShape.OpenCircle;
            m.MarkerSize = ts.Length > 200 ? 4 : 7;
            m.LegendText = $"{markerLabel} ({mt.Length})";
        }
        plot.Title(title);
        plot.XLabel("t");
        plot.YLabel(logY ? LogAxis.Label(yLabel, clamped, Floor) : yLabel);
        if (logY)
        {
            LogAxis.UseDecadeTicks(plot.Axes.Left);
            var (low, high) = LogAxis.DecadeLimits(min, max);
            plot.Axes.SetLimitsY(low, high);
        }
        if (double.IsFinite(tMin) && tMax > tMin) plot.Axes.SetLimitsX(tMin, tMax);
        if (!any) PlotStyle.AddNoDataNote(plot, 0, 0);
        plot.ShowLegend(Edge.Right);
        plot.SavePng(path, 1100, 560);
    }
}

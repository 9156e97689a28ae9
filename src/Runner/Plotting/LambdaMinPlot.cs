using ScottPlot;

namespace ResidualSheaf.Runner.Plotting;

/// <summary>Smallest eigenvalue of the free Laplacian against weight scale: every draw as a point, plus the per-scale median.</summary>
public static class LambdaMinPlot
{
    /// <summary>
    /// Writes a PNG with log10 axes; <c>Values[i]</c> holds the draws at <c>Scales[i]</c>. Series are nudged sideways so
    /// clouds at the same scale do not hide each other.
    /// </summary>
    public static void Save(string path, string title, IReadOnlyList<(string Label, double[] Scales, double[][] Values)> series,
        string xLabel = "weight scale", string yLabel = "λ_min(L_free)", int width = 1000, int height = 600)
    {
        var plot = new Plot();
        PlotStyle.ApplyFonts(plot);
        bool clampedY = false, droppedScale = false;
        double xMin = double.PositiveInfinity, xMax = double.NegativeInfinity;
        double yMin = double.PositiveInfinity, yMax = double.NegativeInfinity;
        double nudge = 0.1 * SmallestGap(series);

        for (int s = 0; s < series.Count; s++)
        {
            var (label, scales, values) = series[s];
            double offset = (s - (series.Count - 1) / 2.0) * nudge;
            var color = PlotStyle.SeriesColor(s);
            var xs = new List<double>();
            var ys = new List<double>();
            var medianX = new List<double>();
            var medianY = new List<double>();
            int n = Math.Min(scales.Length, values.Length);
            for (int i = 0; i < n; i++)
            {
                if (!double.IsFinite(scales[i]) || scales[i] <= 0)
                {
                    droppedScale = true;
                    continue;
                }
                double x = Math.Log10(scales[i]) + offset;
                var finite = (values[i] ?? []).Where(double.IsFinite).ToArray();
                foreach (var v in finite)
                {
                    if (LogAxis.ToLog10(v, ref clampedY) is not double ly) continue;
                    xs.Add(x);
                    ys.Add(ly);
                }
                if (finite.Length == 0) continue;
                // The median of raw values, then clamped: the floor is monotone, so this equals the median of the drawn points.
                if (LogAxis.ToLog10(Median(finite), ref clampedY) is double lm)
                {
                    medianX.Add(x);
                    medianY.Add(lm);
                }
            }

            if (xs.Count == 0)
            {
                var missing = plot.Add.Marker(double.NaN, double.NaN, PlotStyle.SeriesShape(s), 0, color);
                missing.LegendText = $"{label} (no finite values)";
                continue;
            }
            var draws = plot.Add.ScatterPoints(xs.ToArray(), ys.ToArray(), color.WithAlpha(0.45));
            draws.MarkerShape = PlotStyle.SeriesShape(s);
            draws.MarkerSize = 6;
            draws.LegendText = $"{label} (draws)";
            var median = plot.Add.ScatterLine(medianX.ToArray(), medianY.ToArray(), color);
            median.LineWidth = 2.5f;
            median.MarkerShape = PlotStyle.SeriesShape(s);
            median.MarkerSize = 10;
            median.MarkerLineColor = Colors.Black;
            median.MarkerLineWidth = 1;
            median.LegendText = $"{label} (median)";
            xMin = Math.Min(xMin, xs.Min());
            xMax = Math.Max(xMax, xs.Max());
            yMin = Math.Min(yMin, ys.Min());
            yMax = Math.Max(yMax, ys.Max());
        }

        plot.Title(title);
        plot.XLabel(droppedScale ? $"{xLabel}  (scales ≤ 0 or non-finite omitted)" : xLabel);
        plot.YLabel(LogAxis.Label(yLabel, clampedY));
        LogAxis.UseDecadeTicks(plot.Axes.Bottom);
        LogAxis.UseDecadeTicks(plot.Axes.Left);
        bool empty = double.IsPositiveInfinity(xMin);
        var (left, right) = empty ? (-2.0, 2.0) : LogAxis.DecadeLimits(xMin, xMax);
        var (bottom, top) = LogAxis.DecadeLimits(yMin, yMax);
        plot.Axes.SetLimits(left, right, bottom, top);
        if (empty) PlotStyle.AddNoDataNote(plot, (left + right) / 2, (bottom + top) / 2);
        if (series.Count > 0) plot.ShowLegend(Edge.Right);
        plot.SavePng(path, width, height);
    }

    /// <summary>Smallest spacing between distinct log10 scales, so the sideways nudge stays well inside one step.</summary>
    private static double SmallestGap(IReadOnlyList<(string Label, double[] Scales, double[][] Values)> series)
    {
        var logs = series.SelectMany(s => s.Scales).Where(x => double.IsFinite(x) && x > 0)
            .Select(Math.Log10).Distinct().Order().ToArray();
        double gap = double.PositiveInfinity;
        for (int i = 1; i < logs.Length; i++) gap = Math.Min(gap, logs[i] - logs[i - 1]);
        return double.IsFinite(gap) ? Math.Min(gap, 1) : 0.5;
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        int m = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[m] : 0.5 * (sorted[m - 1] + sorted[m]);
    }
}

using ResidualSheaf.Runner.TrainSweep;
using ScottPlot;

namespace ResidualSheaf.Runner.Plotting;

/// <summary>
/// The β sweep's figure (paper Fig. 3): final test (and train) loss of sheaf training against β·n_train on log-log axes, every
/// seed as a dot and the mean as a line, gradient descent's mean as horizontal lines, and the paper's regime boundaries
/// β·n = 0.3 and 10 (and β = 1/n) as vertical lines.
/// </summary>
public static class SweepPlot
{
    /// <summary>Writes the PNG.</summary>
    public static void Save(string path, string title, IReadOnlyList<SweepLevel> levels)
    {
        var plot = new Plot();
        PlotStyle.ApplyFonts(plot);
        bool clamped = false;
        var x = levels.Select(l => Math.Log10(l.BetaTimesN)).ToArray();
        void Line(string label, Func<SweepLevel, double> y, int color, bool dashed)
        {
            var pts = levels.Select((l, i) => (X: x[i], Y: LogAxis.ToLog10(y(l), ref clamped))).Where(p => p.Y is not null).ToArray();
            if (pts.Length == 0) return;
            var line = plot.Add.ScatterLine(pts.Select(p => p.X).ToArray(), pts.Select(p => p.Y!.Value).ToArray(), PlotStyle.SeriesColor(color));
            line.LineWidth = 2;
            line.MarkerSize = 7;
            line.LegendText = label;
            if (dashed) line.LinePattern = LinePattern.Dashed;
        }
        Line("sheaf, test (mean over seeds)", l => l.Sheaf[2], 0, false);
        Line("sheaf, train (mean)", l => l.Sheaf[0], 0, true);
        var dx = new List<double>();
        var dy = new List<double>();
        for (int i = 0; i < levels.Count; i++)
            foreach (double v in levels[i].TestLosses)
                if (LogAxis.ToLog10(v, ref clamped) is double ly)
                {
                    dx.Add(x[i]);
                    dy.Add(ly);
                }
        if (dx.Count > 0)
        {
            var dots = plot.Add.ScatterPoints(dx.ToArray(), dy.ToArray(), PlotStyle.SeriesColor(0).WithAlpha(0.45));
            dots.MarkerSize = 5;
            dots.LegendText = "sheaf, test (each seed)";
        }
        foreach (var (label, k, dashed) in new[] { ("gradient descent, test (mean)", 2, false), ("gradient descent, train (mean)", 0, true) })
        {
            var gd = levels.Select(l => l.Gd[k]).Where(double.IsFinite).ToArray();
            if (gd.Length == 0) continue;
            var h = plot.Add.HorizontalLine(Math.Log10(gd.Average()), 2, PlotStyle.SeriesColor(1));
            h.LegendText = label;
            if (dashed) h.LinePattern = LinePattern.Dashed;
        }
        foreach (double b in new[] { 0.3, 1.0, 10.0 })
        {
            var v = plot.Add.VerticalLine(Math.Log10(b), 1, Colors.Gray);
            v.LinePattern = LinePattern.Dotted;
        }
        plot.Title(title);
        plot.XLabel("β · n_train (log10; dotted: 0.3, 1 = β·n for β = 1/n, 10)");
        plot.YLabel(LogAxis.Label("final loss (log10)", clamped, LogAxis.Floor));
        LogAxis.UseDecadeTicks(plot.Axes.Left);
        LogAxis.UseDecadeTicks(plot.Axes.Bottom);
        plot.ShowLegend(Alignment.UpperRight);
        FigureFile.Save(plot, path, "png", 1000, 640);
    }
}

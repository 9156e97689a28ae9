using ScottPlot;

namespace ResidualSheaf.Runner.Plotting;

/// <summary>Job train's figures: the forward-pass losses of sheaf training and gradient descent, and the discord by edge type.</summary>
public static class TrainPlots
{
    /// <summary>A log-y line figure of several (label, x, y) series; values below the log floor drawn at it (noted in the label).</summary>
    public static void Save(string path, string title, string xLabel, string yLabel, IReadOnlyList<(string Label, double[] X, double[] Y)> series)
    {
        var plot = new Plot();
        PlotStyle.ApplyFonts(plot);
        bool clamped = false;
        for (int s = 0; s < series.Count; s++)
        {
            var (label, x, y) = series[s];
            var xs = new List<double>();
            var ys = new List<double>();
            for (int i = 0; i < x.Length; i++)
                if (LogAxis.ToLog10(y[i], ref clamped) is double ly)
                {
                    xs.Add(x[i]);
                    ys.Add(ly);
                }
            var line = plot.Add.ScatterLine(xs.ToArray(), ys.ToArray(), PlotStyle.SeriesColor(s));
            line.LineWidth = 2;
            line.MarkerSize = xs.Count <= 200 ? 4 : 0;
            line.LegendText = label;
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(LogAxis.Label(yLabel, clamped, LogAxis.Floor));
        LogAxis.UseDecadeTicks(plot.Axes.Left);
        plot.ShowLegend(Alignment.UpperRight);
        FigureFile.Save(plot, path, "png", 1000, 600);
    }
}

using System.Globalization;
using ScottPlot;

namespace ResidualSheaf.Runner.Plotting;

/// <summary>Which part of a heat run's trace its figures show, and how.</summary>
/// <param name="Axis">Time axis (auto: logarithmic when the switches span decades).</param>
/// <param name="TMin">Earliest time drawn.</param>
/// <param name="TMax">Latest time drawn.</param>
public sealed record HeatFigureOptions(TimeAxis Axis = TimeAxis.Auto, double TMin = double.NegativeInfinity, double TMax = double.PositiveInfinity);

/// <summary>
/// The four figures of a heat run (energy with its switches, distance to the limit, discord per edge type, output stalk), the
/// same whether drawn when the run ends or later by <c>runner plot</c>. Log axes are log10 data with decade labels
/// (<see cref="LogAxis"/>); values that are exactly zero cannot sit on such an axis and are drawn as separate markers on its
/// bottom edge, never as data at a floor.
/// </summary>
public static class HeatFigures
{
    private const int Width = 1100, Height = 620;

    /// <summary>Above this many events they are drawn as rows of ticks above the energy curve instead of markers on it.</summary>
    public const int RugAbove = 200;

    /// <summary>Draws every figure the data allow into <paramref name="folder"/>; returns the file names written.</summary>
    public static List<string> Write(HeatFigureData data, HeatFigureOptions options, string folder, string format)
    {
        bool logTime = UsesLogTime(data, options);
        var written = new List<string>();
        void Save(Plot? plot, string name)
        {
            if (plot is null) return;
            string file = $"{name}.{format}";
            FigureFile.Save(plot, Path.Combine(folder, file), format, Width, Height);
            written.Add(file);
        }
        Save(Energy(data, options, logTime), "energy");
        Save(Distance(data, options, logTime), "distance");
        Save(Discord(data, options, logTime), "discord");
        Save(Output(data, options, logTime), "output");
        return written;
    }

    /// <summary>Whether the figures use a log time axis for these options (auto: the switches and the end span decades).</summary>
    public static bool UsesLogTime(HeatFigureData data, HeatFigureOptions options)
    {
        var inWindow = data.Times.Where(t => double.IsFinite(t) && t >= options.TMin && t <= options.TMax).ToArray();
        double end = inWindow.Length == 0 ? double.NaN : inWindow.Max();
        return TimeAxes.IsLog(options.Axis, data.Events.Select(e => e.Time).Where(t => t >= options.TMin && t <= options.TMax), end);
    }

    /// <summary>The energy with the switches marked by direction and the bound E(0)·e^{−2αλ_* t} where it applies.</summary>
    public static Plot Energy(HeatFigureData data, HeatFigureOptions options, bool logTime)
    {
        var w = new Window(data.Times, options, logTime);
        var plot = NewPlot();
        var y = new SemilogData();
        y.AddLine(plot, w, data.Energy, "E(t)", 0);
        if (data.Bound is { } b)
            y.AddLine(plot, w, data.Times.Select(t => b.InitialEnergy * Math.Exp(-2 * b.Alpha * b.LambdaStar * t)).ToArray(),
                $"bound E(0)·exp(−2αλ_* t), λ_* = {b.LambdaStar.ToString("G4", CultureInfo.InvariantCulture)}", 1, dashed: true, setsRange: false);
        var logE = w.Select(data.Energy).Select(v => v > 0 && double.IsFinite(v) ? Math.Log10(v) : double.NaN).ToArray();
        var kinds = new[]
        {
            ("up", MarkerShape.FilledTriangleUp, Colors.SeaGreen, "switch on (z crosses 0 upwards)"),
            ("down", MarkerShape.FilledTriangleDown, Colors.Crimson, "switch off (z crosses 0 downwards)"),
            ("slide", MarkerShape.OpenCircle, Colors.Black, "sliding entry / exit"),
            ("other", MarkerShape.OpenDiamond, Colors.DarkOrange, "repelling point / tangential touch"),
        };
        var marks = kinds.Select(k => (Kind: k, At: data.Events.Where(e => e.Direction == k.Item1 && w.Contains(e.Time)).Select(e => e.Time).ToArray()))
            .Where(m => m.At.Length > 0).ToList();
        bool rug = marks.Sum(m => m.At.Length) > RugAbove;
        if (!rug)
        {
            foreach (var ((_, shape, color, label), at) in marks)
            {
                // Marked on the curve: E interpolated (in log E) between the rows around the event.
                var ys = at.Select(t => Interpolate(w.Times, logE, t)).ToArray();
                var m = plot.Add.ScatterPoints(at.Select(w.X).ToArray(), ys, color.WithAlpha(0.9));
                m.MarkerShape = shape;
                m.MarkerSize = 8;
                m.LegendText = $"{label}: {at.Length}";
            }
        }
        y.Finish(plot, $"{data.Name} ({data.State}) — Dirichlet energy", w, "E(t) = ½ Σ_e ‖(δc)_e‖²");
        if (rug)
        {
            // Thousands of markers on the curve hide it and each other; one row of ticks per kind above the data keeps the
            // curve readable and shows where in time each kind of event happens (the density of ticks is the event rate).
            var limits = plot.Axes.GetLimits();
            double row = 0.06 * (limits.Top - limits.Bottom);
            for (int k = 0; k < marks.Count; k++)
            {
                var ((_, _, color, label), at) = marks[k];
                double level = limits.Top + row * (marks.Count - k - 0.5);
                var m = plot.Add.ScatterPoints(at.Select(w.X).ToArray(), at.Select(_ => level).ToArray(), color.WithAlpha(0.5));
                m.MarkerShape = MarkerShape.VerticalBar;
                m.MarkerSize = 10;
                m.LegendText = $"{label}: {at.Length} (ticks above the curve)";
            }
            plot.Axes.SetLimitsY(limits.Bottom, limits.Top + row * marks.Count);
            // The rows are not energies: no decade labels beside them.
            LogAxis.UseDecadeTicks(plot.Axes.Left, labelsUpTo: limits.Top);
        }
        return plot;
    }

    /// <summary>The distance to the limit with the bound √(2E(0)/λ_*)·e^{−αλ_* t} where the energy bound applies; null without a limit.</summary>
    public static Plot? Distance(HeatFigureData data, HeatFigureOptions options, bool logTime)
    {
        if (data.Distance is null) return null;
        var w = new Window(data.Times, options, logTime);
        var plot = NewPlot();
        var y = new SemilogData();
        y.AddLine(plot, w, data.Distance, $"‖c − limit‖∞ ({data.LimitName ?? "limit"})", 0);
        if (data.Bound is { } b)
        {
            // E ≥ ½λ_*‖c − c*‖² turns the energy bound into one on the distance (‖·‖∞ ≤ ‖·‖₂).
            double d0 = Math.Sqrt(2 * b.InitialEnergy / b.LambdaStar);
            y.AddLine(plot, w, data.Times.Select(t => d0 * Math.Exp(-b.Alpha * b.LambdaStar * t)).ToArray(), "bound √(2E(0)/λ_*)·exp(−αλ_* t)", 1, dashed: true, setsRange: false);
        }
        y.Finish(plot, $"{data.Name} ({data.State}) — distance to the limit", w, "‖c(t) − c*‖∞");
        return plot;
    }

    /// <summary>Discord Σ‖(δc)_e‖² per edge type; null when the trace has no discord columns.</summary>
    public static Plot? Discord(HeatFigureData data, HeatFigureOptions options, bool logTime)
    {
        if (data.Discord.Count == 0) return null;
        var w = new Window(data.Times, options, logTime);
        var plot = NewPlot();
        var y = new SemilogData();
        for (int k = 0; k < data.Discord.Count; k++) y.AddLine(plot, w, data.Discord[k].Values, data.Discord[k].Kind + " edges", k);
        y.Finish(plot, $"{data.Name} ({data.State}) — discord per edge type", w, "Σ ‖(δc)_e‖² over the type's edges");
        return plot;
    }

    /// <summary>The output stalk against the TorchSharp float64 forward pass (dashed, same colour); null without outputs.</summary>
    public static Plot? Output(HeatFigureData data, HeatFigureOptions options, bool logTime)
    {
        if (data.Outputs.Count == 0) return null;
        var w = new Window(data.Times, options, logTime);
        var plot = NewPlot();
        bool any = false;
        for (int k = 0; k < data.Outputs.Count; k++)
        {
            var (name, values, reference) = data.Outputs[k];
            any |= AddLine(plot, w.Xs, w.Select(values), $"{name}(t)", k, dashed: false);
            if (reference is double r && w.Xs.Length > 0)
                AddLine(plot, [w.Xs[0], w.Xs[^1]], [r, r], $"TorchSharp {name}", k, dashed: true);
        }
        plot.Title($"{data.Name} ({data.State}) — output stalk vs TorchSharp float64");
        plot.XLabel(w.Label);
        plot.YLabel("output value y_i(t)");
        if (w.Log) LogAxis.UseDecadeTicks(plot.Axes.Bottom);
        if (!any) PlotStyle.AddNoDataNote(plot, 0, 0);
        plot.ShowLegend(Edge.Bottom);
        return plot;
    }

    private static Plot NewPlot()
    {
        var plot = new Plot();
        PlotStyle.ApplyFonts(plot);
        return plot;
    }

    private static bool AddLine(Plot plot, double[] x, double[] y, string label, int color, bool dashed)
    {
        var xs = new List<double>();
        var ys = new List<double>();
        for (int i = 0; i < Math.Min(x.Length, y.Length); i++)
        {
            if (!double.IsFinite(x[i]) || !double.IsFinite(y[i])) continue;
            xs.Add(x[i]);
            ys.Add(y[i]);
        }
        if (xs.Count == 0) return false;
        var s = plot.Add.ScatterLine(xs.ToArray(), ys.ToArray(), PlotStyle.SeriesColor(color));
        s.LineWidth = dashed ? 1.5f : 2f;
        if (dashed) s.LinePattern = LinePattern.Dashed;
        s.LegendText = label;
        return true;
    }

    private static double Interpolate(double[] times, double[] values, double t)
    {
        if (times.Length == 0) return double.NaN;
        int i = Array.BinarySearch(times, t);
        if (i >= 0) return values[i];
        i = ~i;
        if (i == 0) return values[0];
        if (i >= times.Length) return values[^1];
        double u = (t - times[i - 1]) / (times[i] - times[i - 1]);
        double a = values[i - 1], b = values[i];
        if (double.IsNaN(a)) return b;
        if (double.IsNaN(b)) return a;
        return a + u * (b - a);
    }

    /// <summary>The rows inside the time window (and at t &gt; 0 on a log axis), with their x positions.</summary>
    private sealed class Window
    {
        private readonly int[] _rows;
        private readonly double _tMin, _tMax;

        public Window(double[] times, HeatFigureOptions options, bool log)
        {
            Log = log;
            _tMin = options.TMin;
            _tMax = options.TMax;
            _rows = Enumerable.Range(0, times.Length).Where(i => Contains(times[i])).ToArray();
            Times = _rows.Select(i => times[i]).ToArray();
            Xs = Times.Select(X).ToArray();
        }

        public bool Log { get; }

        public double[] Times { get; }

        public double[] Xs { get; }

        public string Label => Log ? "t (heat-equation time, log scale; t = 0 not drawn)" : "t (heat-equation time)";

        public bool Contains(double t) => double.IsFinite(t) && t >= _tMin && t <= _tMax && (!Log || t > 0);

        public double X(double t) => Log ? Math.Log10(t) : t;

        public double[] Select(double[] column) => _rows.Select(i => i < column.Length ? column[i] : double.NaN).ToArray();
    }

    /// <summary>
    /// Series on a log10 y axis: positive values as lines, exact zeros (which log10 cannot place) collected and drawn as markers
    /// on the axis' bottom edge once the range is known, so agreement to the last bit reads as such and not as a tiny value.
    /// </summary>
    private sealed class SemilogData
    {
        private readonly List<(string Label, int Color, double[] X)> _zeros = [];
        private double _min = double.PositiveInfinity, _max = double.NegativeInfinity;

        public void AddLine(Plot plot, Window w, double[] column, string label, int color, bool dashed = false, bool setsRange = true)
        {
            var values = w.Select(column);
            var xs = new List<double>();
            var ys = new List<double>();
            var zeros = new List<double>();
            for (int i = 0; i < values.Length; i++)
            {
                double v = values[i];
                if (!double.IsFinite(v)) continue;
                if (v <= 0) zeros.Add(w.Xs[i]);
                else
                {
                    xs.Add(w.Xs[i]);
                    ys.Add(Math.Log10(v));
                }
            }
            if (zeros.Count > 0) _zeros.Add((label, color, zeros.ToArray()));
            if (xs.Count == 0) return;
            var s = plot.Add.ScatterLine(xs.ToArray(), ys.ToArray(), PlotStyle.SeriesColor(color));
            s.LineWidth = dashed ? 1.5f : 2f;
            if (dashed) s.LinePattern = LinePattern.Dashed;
            s.LegendText = label;
            if (!setsRange) return;
            _min = Math.Min(_min, ys.Min());
            _max = Math.Max(_max, ys.Max());
        }

        public void Finish(Plot plot, string title, Window w, string yLabel)
        {
            plot.Title(title);
            plot.XLabel(w.Label);
            plot.YLabel(yLabel);
            LogAxis.UseDecadeTicks(plot.Axes.Left);
            bool empty = double.IsPositiveInfinity(_min);
            var (low, high) = LogAxis.DecadeLimits(empty ? double.NaN : _min, empty ? double.NaN : _max);
            plot.Axes.SetLimitsY(low, high);
            foreach (var (label, color, x) in _zeros)
            {
                var m = plot.Add.ScatterPoints(x, x.Select(_ => low).ToArray(), PlotStyle.SeriesColor(color));
                m.MarkerShape = MarkerShape.Eks;
                m.MarkerSize = x.Length > 200 ? 5 : 9;
                m.LegendText = $"{label} = 0 exactly ({x.Length}, on the bottom edge)";
            }
            if (empty && _zeros.Count == 0) PlotStyle.AddNoDataNote(plot, 0, (low + high) / 2);
            if (w.Log) LogAxis.UseDecadeTicks(plot.Axes.Bottom);
            plot.ShowLegend(Edge.Bottom);
        }
    }
}

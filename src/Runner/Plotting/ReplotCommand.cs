using System.Globalization;
using System.Text.Json.Nodes;
using ResidualSheaf.Runner.Hunt;
using ScottPlot;

namespace ResidualSheaf.Runner.Plotting;

/// <summary>
/// <c>runner plot RUN_FOLDER</c>: re-draws a finished heat run's plots from its files (trace.csv, events.csv,
/// summary.json) without running anything: with a log time axis, a time window, and as SVG for papers.
/// </summary>
public static class ReplotCommand
{
    /// <summary>Usage of the plot command.</summary>
    public const string Usage = """
        runner plot <heat run folder> [--log-time] [--tmin T] [--tmax T] [--format png|svg] [--out <folder>]

          Re-draws energy, distance, discord and output from the folder's trace.csv, events.csv and summary.json.
          --log-time     log10 time axis (rows at t = 0 are left out)
          --tmin, --tmax time window (in the heat equation's time units)
          --format       png (default) or svg (vector, for papers)
          --out folder   where the figures go (default: the run folder itself, replacing its figures of that format)
        """;

    private const double Floor = 1e-40;

    /// <summary>Runs the command line (arguments after "plot").</summary>
    public static int Run(string[] args)
    {
        string? folder = null, outFolder = null, format = "png";
        bool logTime = false;
        double tMin = double.NegativeInfinity, tMax = double.PositiveInfinity;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--help" or "-h":
                    Console.WriteLine(Usage);
                    return 0;
                case "--log-time":
                    logTime = true;
                    break;
                case "--tmin" or "--tmax" when i + 1 < args.Length:
                    if (!double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                        return Fail($"{args[i]}: '{args[i + 1]}' is not a number");
                    if (args[i] == "--tmin") tMin = v;
                    else tMax = v;
                    i++;
                    break;
                case "--format" when i + 1 < args.Length:
                    format = args[++i];
                    if (format is not ("png" or "svg"))
                        return Fail($"--format: '{format}' is not one of png, svg{(format == "pdf" ? " (PDF is not supported: use svg, which converts to PDF losslessly, e.g. with rsvg-convert -f pdf)" : "")}");
                    break;
                case "--out" when i + 1 < args.Length:
                    outFolder = args[++i];
                    break;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal) || folder is not null)
                        return Fail($"unknown or incomplete argument '{args[i]}'. See runner plot --help.");
                    folder = args[i];
                    break;
            }
        }
        if (folder is null) return Fail("plot needs a heat run folder. See runner plot --help.");
        if (tMax <= tMin) return Fail($"--tmin {tMin.ToString(CultureInfo.InvariantCulture)} must be below --tmax {tMax.ToString(CultureInfo.InvariantCulture)}");
        folder = Path.GetFullPath(folder);
        string trace = Path.Combine(folder, "trace.csv"), summaryPath = Path.Combine(folder, "summary.json");
        if (!Directory.Exists(folder)) return Fail($"'{folder}' is not a folder");
        if (!File.Exists(trace) || !File.Exists(summaryPath))
            return Fail($"'{folder}' is not a finished heat run folder (it needs trace.csv and summary.json; static, lambda-min and hunt folders are not re-drawn)");
        string target = Path.GetFullPath(outFolder ?? folder);
        if (File.Exists(target)) return Fail($"--out: '{target}' is a file, not a folder");
        var summary = JsonNode.Parse(File.ReadAllText(summaryPath))!;
        var rows = ResultsFile.Read(trace);
        var data = new Trace(rows, logTime, tMin, tMax);
        if (data.T.Length == 0) return Fail($"no trace rows in the chosen time window{(logTime ? " with t > 0" : "")}");
        var events = File.Exists(Path.Combine(folder, "events.csv")) ? ResultsFile.Read(Path.Combine(folder, "events.csv")) : [];
        Directory.CreateDirectory(target);
        var written = Draw(summary, data, events, logTime, target, format);
        Console.WriteLine($"runner: re-drew {string.Join(", ", written)} into '{target}'");
        return 0;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"runner: {message}");
        return Program.BadInput;
    }

    /// <summary>The trace's columns within the window, times as drawn (log10 t with --log-time).</summary>
    private sealed class Trace
    {
        public Trace(List<Dictionary<string, string>> rows, bool logTime, double tMin, double tMax)
        {
            var keep = rows.Where(r => Number(r["t"]) is double t && t >= tMin && t <= tMax && (!logTime || t > 0)).ToList();
            Rows = keep;
            T = keep.Select(r => logTime ? Math.Log10(Number(r["t"])!.Value) : Number(r["t"])!.Value).ToArray();
            Times = keep.Select(r => Number(r["t"])!.Value).ToArray();
            Columns = rows.Count == 0 ? [] : rows[0].Keys.ToList();
        }

        public List<Dictionary<string, string>> Rows { get; }

        public double[] T { get; }

        public double[] Times { get; }

        public List<string> Columns { get; }

        public double[] Column(string name) => Rows.Select(r => Number(r[name]) ?? double.NaN).ToArray();
    }

    private static double? Number(string s) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : null;

    private static List<string> Draw(JsonNode summary, Trace data, List<Dictionary<string, string>> events, bool logTime, string target, string format)
    {
        string name = summary["name"]?.ToString() ?? "heat run";
        string status = summary["status"]?.ToString() ?? "";
        bool interrupted = summary["interrupted"]?.GetValue<bool>() == true;
        string state = interrupted ? "interrupted" : summary["converged"]?.GetValue<bool>() == true ? "converged" : $"stopped: {status}";
        string title = $"{name} ({state})";
        string timeLabel = logTime ? "t (heat-equation time, log scale)" : "t (heat-equation time)";
        var written = new List<string>();

        // Energy, with switches marked by direction, and the bound only where summary.json says it applies.
        var energy = new Plot();
        PlotStyle.ApplyFonts(energy);
        bool clamped = false;
        var e = data.Column("E");
        var (et, ey) = LogSeries(data.T, e, ref clamped);
        AddLine(energy, et, ey, "E(t)", 0, dashed: false);
        if (summary["energy_bound"]?["applies"]?.GetValue<bool>() == true && summary["lambda_star"] is JsonValue ls
            && summary["initial_energy"] is JsonValue e0v && summary["alpha"] is JsonValue av)
        {
            double l = ls.GetValue<double>(), e0 = e0v.GetValue<double>(), alpha = av.GetValue<double>();
            var bound = data.Times.Select(t => e0 * Math.Exp(-2 * alpha * l * t)).ToArray();
            var (bt, by) = LogSeries(data.T, bound, ref clamped);
            AddLine(energy, bt, by, $"bound E(0)·exp(−2αλ_* t), λ_* = {l.ToString("G4", CultureInfo.InvariantCulture)}", 1, dashed: true);
        }
        foreach (var (dir, shape, label) in new[] { ("up", MarkerShape.FilledTriangleUp, "switch on (z crosses 0 upwards)"),
                     ("down", MarkerShape.FilledTriangleDown, "switch off (z crosses 0 downwards)"), ("", MarkerShape.OpenCircle, "sliding entry / exit") })
        {
            var at = events.Where(ev => ev["direction"] == dir).Select(ev => Number(ev["t"])).OfType<double>()
                .Where(t => t >= data.Times.FirstOrDefault(double.NaN) && t <= data.Times.LastOrDefault(double.NaN) && (!logTime || t > 0)).ToArray();
            if (at.Length == 0) continue;
            var xs = at.Select(t => logTime ? Math.Log10(t) : t).ToArray();
            var ys = at.Select(t => Interpolate(data.Times, ey.Length == data.T.Length ? ey : LogSeriesAll(e), t)).ToArray();
            var m = energy.Add.ScatterPoints(xs, ys, dir == "up" ? Colors.SeaGreen : dir == "down" ? Colors.Crimson : Colors.Black);
            m.MarkerShape = shape;
            m.MarkerSize = at.Length > 200 ? 4 : 7;
            m.LegendText = $"{label}: {at.Length}";
        }
        Finish(energy, title + " — Dirichlet energy", timeLabel, LogAxis.Label("E = ½ Σ‖(δc)_e‖²", clamped, Floor), logY: true, ey, logTime);
        written.Add(Save(energy, target, "energy", format));

        if (data.Columns.Contains("distance_to_limit") && data.Column("distance_to_limit").Any(double.IsFinite))
        {
            var p = new Plot();
            PlotStyle.ApplyFonts(p);
            bool c2 = false;
            var (dt, dy) = LogSeries(data.T, data.Column("distance_to_limit"), ref c2);
            AddLine(p, dt, dy, $"‖c − limit‖∞ ({summary["limit"]})", 0, dashed: false);
            Finish(p, title + " — distance to the limit", timeLabel, LogAxis.Label("‖c − limit‖∞", c2, Floor), logY: true, dy, logTime);
            written.Add(Save(p, target, "distance", format));
        }

        var kinds = data.Columns.Where(c => c.StartsWith("discord_", StringComparison.Ordinal)).ToList();
        if (kinds.Count > 0)
        {
            var p = new Plot();
            PlotStyle.ApplyFonts(p);
            bool c3 = false;
            var all = new List<double>();
            for (int k = 0; k < kinds.Count; k++)
            {
                var (xt, xy) = LogSeries(data.T, data.Column(kinds[k]), ref c3);
                AddLine(p, xt, xy, kinds[k]["discord_".Length..] + " edges", k, dashed: false);
                all.AddRange(xy);
            }
            Finish(p, title + " — discord per edge type", timeLabel, LogAxis.Label("Σ ‖(δc)_e‖² over the type's edges", c3, Floor), logY: true, all.ToArray(), logTime);
            written.Add(Save(p, target, "discord", format));
        }

        var outputs = data.Columns.Where(c => c.Length > 1 && c[0] == 'y' && c[1..].All(char.IsAsciiDigit)).ToList();
        if (outputs.Count > 0)
        {
            var p = new Plot();
            PlotStyle.ApplyFonts(p);
            var torch = summary["torch_float64_output"] as JsonArray;
            var all = new List<double>();
            for (int k = 0; k < outputs.Count; k++)
            {
                var y = data.Column(outputs[k]);
                AddLine(p, data.T, y, $"{outputs[k]}(t)", k, dashed: false);
                all.AddRange(y.Where(double.IsFinite));
                if (torch is not null && k < torch.Count && torch[k] is JsonValue tv)
                {
                    double r = tv.GetValue<double>();
                    AddLine(p, [data.T[0], data.T[^1]], [r, r], $"TorchSharp {outputs[k]}", k, dashed: true);
                }
            }
            Finish(p, title + " — output stalk vs TorchSharp float64", timeLabel, "output value", logY: false, all.ToArray(), logTime);
            written.Add(Save(p, target, "output", format));
        }
        return written;
    }

    private static double[] LogSeriesAll(double[] y)
    {
        bool c = false;
        return y.Select(v => LogAxis.ToLog10(v, ref c, Floor) ?? double.NaN).ToArray();
    }

    /// <summary>log10 of the finite positive values (zeros at the floor, marked in the axis label), with their times.</summary>
    private static (double[] T, double[] Y) LogSeries(double[] t, double[] y, ref bool clamped)
    {
        var xs = new List<double>(y.Length);
        var ys = new List<double>(y.Length);
        for (int i = 0; i < y.Length; i++)
        {
            if (LogAxis.ToLog10(y[i], ref clamped, Floor) is not double d) continue;
            xs.Add(t[i]);
            ys.Add(d);
        }
        return (xs.ToArray(), ys.ToArray());
    }

    private static double Interpolate(double[] times, double[] values, double t)
    {
        int i = Array.BinarySearch(times, t);
        if (i < 0) i = Math.Min(~i, times.Length - 1);
        return i < values.Length ? values[i] : double.NaN;
    }

    private static void AddLine(Plot plot, double[] t, double[] y, string label, int color, bool dashed)
    {
        var xs = new List<double>();
        var ys = new List<double>();
        for (int i = 0; i < Math.Min(t.Length, y.Length); i++)
        {
            if (!double.IsFinite(t[i]) || !double.IsFinite(y[i])) continue;
            xs.Add(t[i]);
            ys.Add(y[i]);
        }
        if (xs.Count == 0) return;
        var s = plot.Add.ScatterLine(xs.ToArray(), ys.ToArray(), PlotStyle.SeriesColor(color));
        s.LineWidth = dashed ? 1.5f : 2f;
        if (dashed) s.LinePattern = LinePattern.Dashed;
        s.LegendText = label;
    }

    private static void Finish(Plot plot, string title, string xLabel, string yLabel, bool logY, double[] ys, bool logTime)
    {
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        var finite = ys.Where(double.IsFinite).ToArray();
        if (logY)
        {
            LogAxis.UseDecadeTicks(plot.Axes.Left);
            if (finite.Length > 0)
            {
                var (low, high) = LogAxis.DecadeLimits(finite.Min(), finite.Max());
                plot.Axes.SetLimitsY(low, high);
            }
        }
        if (logTime) LogAxis.UseDecadeTicks(plot.Axes.Bottom);
        if (finite.Length == 0) PlotStyle.AddNoDataNote(plot, 0, 0);
        plot.ShowLegend(Edge.Bottom);
    }

    private static string Save(Plot plot, string folder, string name, string format)
    {
        string file = $"{name}.{format}";
        string path = Path.Combine(folder, file);
        if (format == "svg") plot.SaveSvg(path, 1100, 620);
        else plot.SavePng(path, 1100, 620);
        return file;
    }
}

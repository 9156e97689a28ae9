using System.Globalization;

namespace ResidualSheaf.Runner.Plotting;

/// <summary>
/// <c>runner plot RUN_FOLDER</c>: re-draws a finished heat run's plots from its files (trace.csv, events.csv,
/// summary.json) without running anything: with a log time axis, a time window, and as SVG for papers.
/// </summary>
public static class ReplotCommand
{
    /// <summary>Usage of the plot command.</summary>
    public const string Usage = """
        runner plot <heat run folder> [--log-time | --linear-time] [--tmin T] [--tmax T] [--format png|svg|pdf] [--out <folder>]

          Re-draws energy, distance, discord and output from the folder's trace.csv, events.csv and summary.json, exactly as
          the run drew them (same code), with the choices below.
          --log-time     log10 time axis (rows at t = 0 are left out)
          --linear-time  linear time axis
                         (default: log when the switch times span at least two decades, as when the run drew them)
          --tmin, --tmax time window (in the heat equation's time units)
          --format       png (default), svg or pdf (both vector, for papers)
          --out folder   where the figures go (default: the run folder itself, replacing its figures of that format)
        """;

    /// <summary>Runs the command line (arguments after "plot").</summary>
    public static int Run(string[] args)
    {
        string? folder = null, outFolder = null, format = "png";
        var axis = TimeAxis.Auto;
        double tMin = double.NegativeInfinity, tMax = double.PositiveInfinity;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--help" or "-h":
                    Console.WriteLine(Usage);
                    return 0;
                case "--log-time" or "--linear-time":
                    var chosen = args[i] == "--log-time" ? TimeAxis.Log : TimeAxis.Linear;
                    if (axis != TimeAxis.Auto && axis != chosen) return Fail("--log-time and --linear-time exclude each other");
                    axis = chosen;
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
                    if (!FigureFile.Formats.Contains(format))
                        return Fail($"--format: '{format}' is not one of {string.Join(", ", FigureFile.Formats)}");
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
        HeatFigureData data;
        try
        {
            data = HeatFigureData.Read(folder);
        }
        catch (InvalidDataException ex)
        {
            return Fail(ex.Message);
        }
        var options = new HeatFigureOptions(axis, tMin, tMax);
        bool logTime = HeatFigures.UsesLogTime(data, options);
        if (!data.Times.Any(t => t >= tMin && t <= tMax && (!logTime || t > 0)))
            return Fail($"no trace rows in the chosen time window{(logTime ? " with t > 0" : "")}");
        Directory.CreateDirectory(target);
        var written = HeatFigures.Write(data, options, target, format);
        Console.WriteLine($"runner: re-drew {string.Join(", ", written)} into '{target}'");
        return 0;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"runner: {message}");
        return Program.BadInput;
    }
}

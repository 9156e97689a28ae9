using System.Globalization;
using ResidualSheaf.Runner.Output;

namespace ResidualSheaf.Runner.Plotting;

/// <summary>
/// <c>runner spectrum-compare</c>: the λ_min, λ_max and κ distributions of several static runs (e.g. a trained and an untrained
/// network over the same images) in one three-panel figure, with a table of their quantiles.
/// </summary>
public static class SpectrumCompareCommand
{
    /// <summary>Usage of the command.</summary>
    public const string Usage = """
        runner spectrum-compare --out <folder> [--format png|svg|pdf] <label>=<static run folder> …

          Draws the distributions of λ_min, λ_max and κ = λ_max / λ_min of L_free at each input's pattern, read from the
          sweep.csv of finished static runs made with controls.spectrum (or small enough for the dense spectrum), one group
          per run and construction, as histograms side by side on shared log10 bins: spectrum-compare.<format>, three panels
          in one figure. spectrum-compare.csv holds, per group and quantity, n, min, median, max.
          <label>        legend text of that run's group (a run with several constructions gets "<label> (<construction>)")
          --out folder   a new or empty folder for the figure and the table
          --format       png (default), svg or pdf
        Example:
          runner spectrum-compare --out cmp trained=outputs/static-digits-resnet-spectrum-trained-… untrained=outputs/…
        """;

    /// <summary>The figure's file stem.</summary>
    public const string Stem = "spectrum-compare";

    /// <summary>Runs the command line (arguments after "spectrum-compare").</summary>
    public static int Run(string[] args)
    {
        string? outFolder = null, format = "png";
        var runs = new List<(string Label, string Folder)>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--help" or "-h":
                    Console.WriteLine(Usage);
                    return 0;
                case "--out" when i + 1 < args.Length:
                    outFolder = args[++i];
                    break;
                case "--format" when i + 1 < args.Length:
                    format = args[++i];
                    if (!FigureFile.Formats.Contains(format))
                        return Fail($"--format: '{format}' is not one of {string.Join(", ", FigureFile.Formats)}");
                    break;
                default:
                    int eq = args[i].IndexOf('=');
                    if (args[i].StartsWith("--", StringComparison.Ordinal) || eq <= 0 || eq == args[i].Length - 1)
                        return Fail($"'{args[i]}' is neither an option nor <label>=<static run folder>. See runner spectrum-compare --help.");
                    runs.Add((args[i][..eq], args[i][(eq + 1)..]));
                    break;
            }
        }
        if (outFolder is null) return Fail("--out <folder> is required. See runner spectrum-compare --help.");
        if (runs.Count == 0) return Fail("no run to compare: give <label>=<static run folder> at least once");
        if (runs.Select(r => r.Label).Distinct().Count() != runs.Count) return Fail("two runs have the same label");
        var groups = new List<SpectrumGroup>();
        foreach (var (label, folder) in runs)
        {
            if (Read(label, folder, out string error) is not { } read) return Fail(error);
            groups.AddRange(read);
        }
        outFolder = Path.GetFullPath(outFolder);
        try
        {
            OutputPaths.CheckFolder(outFolder, "--out");
        }
        catch (IOException e)
        {
            return Fail(e.Message);
        }
        if (Directory.Exists(outFolder) && Directory.EnumerateFileSystemEntries(outFolder).Any())
            return Fail($"--out: '{outFolder}' is not empty; choose a new folder");
        Directory.CreateDirectory(outFolder);
        string figure = $"{Stem}.{format}";
        FigureFile.Save(SpectrumFigures.Compose(groups), Path.Combine(outFolder, figure), format, 2400, 640);
        WriteTable(Path.Combine(outFolder, $"{Stem}.csv"), groups);
        Console.WriteLine($"runner: wrote {figure} and {Stem}.csv into '{outFolder}'");
        return 0;
    }

    /// <summary>The groups of one static run folder (one per construction), or null with the reason.</summary>
    private static List<SpectrumGroup>? Read(string label, string folder, out string error)
    {
        error = "";
        string sweep = Path.Combine(folder, "sweep.csv");
        if (!Directory.Exists(folder)) { error = $"{label}: '{folder}' is not a folder"; return null; }
        if (!File.Exists(sweep)) { error = $"{label}: '{folder}' has no sweep.csv (not a static run folder)"; return null; }
        List<Dictionary<string, string>> rows;
        try
        {
            rows = Hunt.ResultsFile.Read(sweep);
        }
        catch (InvalidDataException e)
        {
            error = $"{label}: {e.Message}";
            return null;
        }
        foreach (string column in new[] { "construction", "lambda_min", "lambda_max" })
        {
            if (rows.Count > 0 && !rows[0].ContainsKey(column)) { error = $"{label}: {sweep} has no column '{column}'"; return null; }
        }
        var byConstruction = rows.GroupBy(r => r["construction"]).ToList();
        var groups = new List<SpectrumGroup>();
        foreach (var g in byConstruction)
        {
            var pairs = g.Select(r => (Min: Number(r["lambda_min"]), Max: Number(r["lambda_max"])))
                .Where(p => p.Min > 0 && p.Max > 0 && double.IsFinite(p.Min) && double.IsFinite(p.Max)).ToArray();
            if (pairs.Length == 0) continue;
            string name = byConstruction.Count == 1 ? label : $"{label} ({g.Key})";
            groups.Add(new SpectrumGroup(name, [.. pairs.Select(p => p.Min)], [.. pairs.Select(p => p.Max)]));
        }
        if (groups.Count == 0)
        {
            error = $"{label}: {sweep} has no row with positive lambda_min and lambda_max (run the static job with controls.spectrum)";
            return null;
        }
        return groups;
    }

    private static double Number(string cell) =>
        double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : double.NaN;

    private static void WriteTable(string path, IReadOnlyList<SpectrumGroup> groups)
    {
        using var table = new CsvTable(path, ["group", "quantity", "n", "min", "median", "max"]);
        foreach (var g in groups)
        {
            foreach (var (quantity, values) in new[] { ("lambda_min", g.LambdaMin), ("lambda_max", g.LambdaMax), ("condition_number", g.Condition) })
            {
                var sorted = values.Order().ToArray();
                int n = sorted.Length;
                double median = n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
                table.Row(g.Label, quantity, n, sorted[0], median, sorted[^1]);
            }
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"runner spectrum-compare: {message}");
        return Program.BadInput;
    }
}

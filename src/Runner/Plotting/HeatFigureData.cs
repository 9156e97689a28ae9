using System.Globalization;
using System.Text.Json.Nodes;
using ResidualSheaf.Runner.Hunt;

namespace ResidualSheaf.Runner.Plotting;

/// <summary>A heat-run event as the figures mark it.</summary>
/// <param name="Time">When it happened.</param>
/// <param name="Direction">"up" (a unit switches on: z crosses 0 upwards), "down" (switches off), "slide" (sliding entry or
/// exit), "other" (a repelling surface point or a tangential touch).</param>
public readonly record struct SwitchMark(double Time, string Direction);

/// <summary>The energy bound E(t) ≤ E(0)·e^{−2αλ_* t}, drawn only where summary.json says it is a theorem.</summary>
/// <param name="InitialEnergy">E(0).</param>
/// <param name="Alpha">Diffusion constant α.</param>
/// <param name="LambdaStar">λ_*: the smallest λ_min(L_free) over the mask patterns.</param>
public sealed record EnergyBound(double InitialEnergy, double Alpha, double LambdaStar);

/// <summary>
/// What a heat run's figures are drawn from: the columns of its trace, its events and a few fields of its summary. Built in
/// memory when the run ends and read back from the run folder by <c>runner plot</c>, so both draw the same figures.
/// </summary>
public sealed record HeatFigureData
{
    /// <summary>The run's name (config <c>name</c>).</summary>
    public required string Name { get; init; }

    /// <summary>How the run ended, for the titles: "converged", "interrupted at t = …", "stopped: …".</summary>
    public required string State { get; init; }

    /// <summary>Times of the trace rows.</summary>
    public required double[] Times { get; init; }

    /// <summary>Dirichlet energy at the rows.</summary>
    public required double[] Energy { get; init; }

    /// <summary>‖c − limit‖∞ at the rows, or null when the run had no limit.</summary>
    public double[]? Distance { get; init; }

    /// <summary>What the limit is (e.g. "harmonic extension").</summary>
    public string? LimitName { get; init; }

    /// <summary>Discord per edge type at the rows.</summary>
    public IReadOnlyList<(string Kind, double[] Values)> Discord { get; init; } = [];

    /// <summary>Output stalk coordinates at the rows, each with the TorchSharp float64 forward pass when known.</summary>
    public IReadOnlyList<(string Name, double[] Values, double? Reference)> Outputs { get; init; } = [];

    /// <summary>Switches and sliding entries/exits.</summary>
    public IReadOnlyList<SwitchMark> Events { get; init; } = [];

    /// <summary>The energy bound, when it applies.</summary>
    public EnergyBound? Bound { get; init; }

    /// <summary>The title words for a summary: converged, interrupted (with the time) or stopped (with the status).</summary>
    public static string StateOf(JsonNode summary)
    {
        string at = summary["final_time"] is JsonValue ft && ft.TryGetValue(out double t) ? $" at t = {t.ToString("G4", CultureInfo.InvariantCulture)}" : "";
        if (summary["interrupted"] is JsonValue iv && iv.TryGetValue(out bool interrupted) && interrupted) return "interrupted" + at;
        if (summary["converged"] is JsonValue cv && cv.TryGetValue(out bool converged) && converged) return "converged";
        return $"stopped: {summary["status"]?.ToString() ?? "unknown"}{at}";
    }

    /// <summary>The energy bound from a summary, when its <c>energy_bound.applies</c> is true.</summary>
    public static EnergyBound? BoundOf(JsonNode summary)
    {
        if (summary["energy_bound"]?["applies"] is not JsonValue a || !a.TryGetValue(out bool applies) || !applies) return null;
        if (summary["lambda_star"] is not JsonValue ls || !ls.TryGetValue(out double l)) return null;
        if (summary["initial_energy"] is not JsonValue e0v || !e0v.TryGetValue(out double e0) || !(e0 > 0)) return null;
        if (summary["alpha"] is not JsonValue av || !av.TryGetValue(out double alpha)) return null;
        return new EnergyBound(e0, alpha, l);
    }

    /// <summary>Reads a finished heat run's folder: summary.json, trace.csv and (when present) events.csv.</summary>
    /// <exception cref="InvalidDataException">A file is malformed (the message names it).</exception>
    public static HeatFigureData Read(string folder)
    {
        string summaryPath = Path.Combine(folder, "summary.json"), tracePath = Path.Combine(folder, "trace.csv"), eventsPath = Path.Combine(folder, "events.csv");
        JsonNode summary;
        try
        {
            summary = JsonNode.Parse(File.ReadAllText(summaryPath)) ?? throw new InvalidDataException($"'{summaryPath}' is empty");
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new InvalidDataException($"'{summaryPath}' is not valid JSON: {ex.Message}");
        }
        var rows = ResultsFile.Read(tracePath);
        var columns = rows.Count == 0 ? [] : rows[0].Keys.ToList();
        double[] Column(string name) => rows.Select(r => r.TryGetValue(name, out var s) ? Number(s) : double.NaN).ToArray();
        if (!columns.Contains("t") || !columns.Contains("E")) throw new InvalidDataException($"'{tracePath}' has no t and E columns");
        var torch = summary["torch_float64_output"] as JsonArray;
        var outputs = columns.Where(c => c.Length > 1 && c[0] == 'y' && c[1..].All(char.IsAsciiDigit)).Select(c =>
        {
            int k = int.Parse(c[1..], CultureInfo.InvariantCulture);
            double? reference = torch is not null && k < torch.Count && torch[k] is JsonValue v && v.TryGetValue(out double r) ? r : null;
            return (c, Column(c), reference);
        }).ToList();
        var distance = columns.Contains("distance_to_limit") ? Column("distance_to_limit") : null;
        var events = File.Exists(eventsPath)
            ? ResultsFile.Read(eventsPath).Select(r => new SwitchMark(Number(r["t"]), MarkOf(r))).ToList()
            : [];
        return new HeatFigureData
        {
            Name = summary["name"]?.ToString() ?? Path.GetFileName(folder),
            State = StateOf(summary),
            Times = Column("t"),
            Energy = Column("E"),
            Distance = distance is not null && distance.Any(double.IsFinite) ? distance : null,
            LimitName = summary["limit"]?.ToString(),
            Discord = columns.Where(c => c.StartsWith("discord_", StringComparison.Ordinal)).Select(c => (c["discord_".Length..], Column(c))).ToList(),
            Outputs = outputs,
            Events = events,
            Bound = BoundOf(summary),
        };
    }

    private static string MarkOf(Dictionary<string, string> row) =>
        row.TryGetValue("direction", out var d) && d != "" ? d
        : row.TryGetValue("sliding", out var s) && s != "" ? "slide"
        : "other";

    private static double Number(string s) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : double.NaN;
}

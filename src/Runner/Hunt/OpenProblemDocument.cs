using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace ResidualSheaf.Runner.Hunt;

/// <summary>
/// <c>runner open-problem</c>: writes the answer to the open problem (docs/open-problem.md) from a template with the argument
/// and the hunts' own outputs — each hunt's report tables, its session figures, and its flagged cases with the command that
/// re-runs each one — so the document's numbers are those of the folders named, never typed in.
/// </summary>
public static class OpenProblemDocument
{
    /// <summary>Usage of the command.</summary>
    public const string Usage = """
        runner open-problem --template <template.md> --out <document.md> <hunt folder> [<hunt folder> …]

          Replaces the line <!-- hunts --> of the template with one section per hunt folder (a finished or interrupted hunt:
          results.csv, summary.json and report.md written by runner hunt or hunt-merge): its conclusion and tables, the session's
          throughput, and every flagged case (verdict other than none) with its exact and tightened re-runs and the command that
          reproduces its counterexample folder. Example:
            runner open-problem --template docs/open-problem.template.md --out docs/open-problem.md outputs/hunt-stacks outputs/hunt-resnet
        """;

    /// <summary>The template line replaced by the hunt sections.</summary>
    public const string Marker = "<!-- hunts -->";

    /// <summary>At most this many flagged cases are listed per hunt (the rest are counted).</summary>
    public const int MaxListed = 40;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Runs the command line (arguments after "open-problem").</summary>
    public static int Run(string[] args)
    {
        string? template = null, output = null;
        var hunts = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] is "--help" or "-h")
            {
                Console.WriteLine(Usage);
                return 0;
            }
            if (args[i] == "--template" && i + 1 < args.Length) template = args[++i];
            else if (args[i] == "--out" && i + 1 < args.Length) output = args[++i];
            else if (args[i].StartsWith("--", StringComparison.Ordinal)) return HuntCommand.Fail($"unknown or incomplete argument '{args[i]}'. See runner open-problem --help.");
            else hunts.Add(args[i]);
        }
        if (template is null || output is null) return HuntCommand.Fail("open-problem needs --template <template.md> and --out <document.md>");
        if (hunts.Count == 0) return HuntCommand.Fail("open-problem needs at least one hunt folder");
        if (!File.Exists(template)) return HuntCommand.Fail($"--template: '{template}' does not exist");
        string text = File.ReadAllText(template);
        if (!text.Contains(Marker, StringComparison.Ordinal)) return HuntCommand.Fail($"--template: '{template}' has no line {Marker}");
        foreach (string h in hunts)
            foreach (string f in new[] { "results.csv", "summary.json", "report.md" })
                if (!File.Exists(Path.Combine(h, f))) return HuntCommand.Fail($"'{h}' is not a hunt folder with a report: {f} is missing");
        var sb = new StringBuilder();
        foreach (string h in hunts) sb.Append(Section(h));
        File.WriteAllText(output, text.Replace(Marker, sb.ToString().TrimEnd() + "\n", StringComparison.Ordinal));
        Console.Error.WriteLine($"runner: wrote '{output}' from {hunts.Count} hunt folder(s)");
        return 0;
    }

    /// <summary>The section of one hunt folder.</summary>
    public static string Section(string folder)
    {
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")))!;
        var rows = ResultsFile.Read(Path.Combine(folder, "results.csv"));
        string name = summary["name"]!.GetValue<string>();
        int planned = summary["cases_in_config"]!.GetValue<int>();
        var sb = new StringBuilder();
        sb.AppendLine($"### Hunt `{name}`: {rows.Count} of {planned} cases");
        sb.AppendLine();
        sb.AppendLine($"Reproduce: `./run.sh hunt --config configs/{name}.json` (this section: `runner open-problem` on its folder). " +
                      (rows.Count < planned ? $"**Partial**: {planned - rows.Count} cases were not run (the hunt was stopped; `--resume` continues it). " : "") +
                      Session(summary));
        sb.AppendLine();
        sb.Append(ReportBody(File.ReadAllLines(Path.Combine(folder, "report.md"))));
        sb.Append(Flagged(rows, folder));
        return sb.ToString();
    }

    private static string Session(JsonNode summary)
    {
        string total = summary["case_wall_time_s_total"] is JsonValue tv && tv.TryGetValue(out double t) && summary["cases_done"] is JsonValue dv
            && dv.TryGetValue(out int done) && done > 0
            ? $"Worker time over the cases: {t.ToString("F0", Inv)} s, {(t / done).ToString("F2", Inv)} s per case. "
            : "";
        var s = summary["session"];
        // A merge's session is the merge, not the hunt: only a hunt's own session has throughput figures.
        if (s?["cases_per_minute_this_session"] is null) return total;
        string Num(string key, string format) => s[key] is JsonValue v && v.TryGetValue(out double d) ? d.ToString(format, Inv) : "–";
        string Phases(string key, string label) => s[key] is JsonObject p && p.All(kv => kv.Value is JsonValue)
            ? $" {label}, summed over workers (s): " + string.Join(", ", p.Select(kv => $"{kv.Key} {kv.Value!.GetValue<double>().ToString("F0", Inv)}")) + "."
            : "";
        string phases = Phases("phase_seconds_this_session", "Time per phase") + Phases("phase_cpu_seconds_this_session", "CPU per phase");
        return total + $"Last session: {Num("cases_per_minute_this_session", "F1")} cases/min on {s["threads"]} thread{(s["threads"]?.ToString() == "1" ? "" : "s")}, " +
               $"{Num("wall_time_s_this_session", "F0")} s wall, {Num("cpu_time_s_this_session", "F0")} s CPU (shared machine).{phases}";
    }

    /// <summary>The report's conclusion and tables (from its conclusion to its first figure or folder list), headings demoted.</summary>
    private static string ReportBody(string[] lines)
    {
        var sb = new StringBuilder();
        bool on = false;
        foreach (string line in lines)
        {
            if (line.StartsWith("**Conclusion.**", StringComparison.Ordinal)) on = true;
            if (!on) continue;
            if (line.StartsWith("Candidate folders", StringComparison.Ordinal) || line.StartsWith("![", StringComparison.Ordinal)) break;
            sb.AppendLine(line);
        }
        return sb.ToString();
    }

    private static string Flagged(List<Dictionary<string, string>> rows, string folder)
    {
        var flagged = rows.Where(r => r["verdict"] is not ("none" or "certified-convergence"))
            .OrderBy(r => Array.IndexOf(HuntReport.ClassOrder, r["verdict"]) is int k && k >= 0 ? k : int.MaxValue)
            .ThenBy(r => long.Parse(r["case"], Inv)).ToList();
        var sb = new StringBuilder();
        if (flagged.Count == 0)
        {
            sb.AppendLine("No case was flagged.");
            sb.AppendLine();
            return sb.ToString();
        }
        sb.AppendLine($"Flagged cases ({flagged.Count}{(flagged.Count > MaxListed ? $", the first {MaxListed} by verdict" : "")}; λ_min at the limit's pattern, " +
                      "λ_cert the rate certificate; a folder's `config.json` re-runs the case alone):");
        sb.AppendLine();
        sb.AppendLine("| case | verdict | construction | ReLU | blocks | free | weight scale | λ_min | λ_cert | own run | exact re-run (increases) | tightened re-run (increases) | reproduce |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in flagged.Take(MaxListed))
        {
            string id = long.Parse(r["case"], Inv).ToString("D6", Inv);
            string caseFolder = Path.Combine(folder, "counterexamples", $"case-{id}");
            string reproduce = Directory.Exists(caseFolder) ? $"`./run.sh --config <hunt folder>/counterexamples/case-{id}/config.json`" : "–";
            sb.AppendLine($"| {r["case"]} | {r["verdict"]} | {r["construction"]} | {r["relu"]} | {r["blocks"]} | {r["free_dimension"]} | {Short(r["weight_scale"])} | " +
                          $"{Short(r["lambda_min"])} | {Short(r["rate_certificate"])} | {r["status"]} | {Or(r["exact_status"])} ({Or(r["exact_increases"])}) | " +
                          $"{Or(r["tight_status"])} ({Or(r["tight_increases"])}) | {reproduce} |");
        }
        sb.AppendLine();
        return sb.ToString();
    }

    private static string Or(string s) => s.Length == 0 ? "–" : s;

    private static string Short(string s) =>
        double.TryParse(s, NumberStyles.Float, Inv, out double d) ? d.ToString("G3", Inv) : Or(s);
}

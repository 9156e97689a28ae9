using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ResidualSheaf.Runner.Output;
using ResidualSheaf.Runner.Plotting;
using Serilog;

namespace ResidualSheaf.Runner.Hunt;

/// <summary>From a hunt folder's results.csv: candidate folders, summary.json, report.md and its plots.</summary>
public static class HuntReport
{
    /// <summary>Order in which classes claim the limited number of candidate folders (verified counterexamples first).</summary>
    public static readonly string[] ClassOrder = ["real", "non-convergence", "unverified-non-convergence", "unverified-increase", "sliding", "chattering",
        "integration-error", "other-stationary-point", "sliding-equilibrium", "slow-convergence"];

    /// <summary>Values of the rested_at column in report order.</summary>
    public static readonly string[] RestOrder = ["forward-pass", "lowest-stationary-point", "other-stationary-point", "sliding-equilibrium", "limit",
        "at-rest-unranked", "not-at-rest"];

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Writes everything derived from <c>results.csv</c> in <paramref name="folder"/>.</summary>
    public static void Write(HuntConfig cfg, string folder, IReadOnlyList<string> sources, ILogger log, CancellationToken cancel, JsonObject? session = null)
    {
        var rows = ResultsFile.Read(Path.Combine(folder, "results.csv")).OrderBy(r => long.Parse(r["case"], Inv)).ToList();
        var folders = WriteFolders(cfg, folder, rows, log, cancel);
        var summary = Summary(cfg, rows, folders, sources, session);
        var plots = WritePlots(folder, rows);
        summary["plots"] = new JsonArray(plots.Select(p => (JsonNode?)p).ToArray());
        summary["provenance"] = Provenance.Json();
        JsonFile.Write(Path.Combine(folder, "summary.json"), summary);
        File.WriteAllText(Path.Combine(folder, "report.md"), Markdown(cfg, summary, rows, plots));
        log.Information("Report: {Report}", Path.Combine(folder, "report.md"));
    }

    private static List<long> WriteFolders(HuntConfig cfg, string folder, List<Dictionary<string, string>> rows, ILogger log, CancellationToken cancel)
    {
        var chosen = rows.Where(r => r["candidate"] == "true")
            .OrderBy(r => Array.IndexOf(ClassOrder, r["verdict"]) is var k && k < 0 ? ClassOrder.Length : k)
            .ThenBy(r => long.Parse(r["case"], Inv))
            .Take(cfg.CounterexampleFolders)
            .Select(r => long.Parse(r["case"], Inv))
            .ToList();
        foreach (long id in chosen)
        {
            cancel.ThrowIfCancellationRequested();
            string dir = Path.Combine(folder, "counterexamples", $"case-{id:D6}");
            // A folder finished by an earlier session (or a merged shard) is kept as it is.
            if (File.Exists(Path.Combine(dir, "run", "summary.json"))) continue;
            int code = CounterexampleFolder.Write(cfg, id, dir, cancel);
            log.Information("Candidate case {Case}: folder {Folder} (heat run exit {Code})", id, dir, code);
        }
        return chosen;
    }

    private static double? Num(Dictionary<string, string> r, string k) =>
        double.TryParse(r[k], NumberStyles.Float, Inv, out double v) ? v : null;

    private static JsonObject Summary(HuntConfig cfg, List<Dictionary<string, string>> rows, List<long> folders, IReadOnlyList<string> sources, JsonObject? session)
    {
        var classes = new JsonObject();
        foreach (var g in rows.GroupBy(r => r["verdict"]).OrderBy(g => g.Key, StringComparer.Ordinal)) classes[g.Key] = g.Count();
        var groups = new JsonArray();
        foreach (var g in rows.GroupBy(r => (r["construction"], r["relu"])).OrderBy(g => g.Key))
        {
            var list = g.ToList();
            groups.Add(new JsonObject
            {
                ["construction"] = g.Key.Item1,
                ["relu"] = g.Key.Item2,
                ["cases"] = list.Count,
                ["converged"] = list.Count(r => r["converged"] == "true"),
                ["rested_elsewhere"] = list.Count(r => r["reached"] == "other-stationary-point"),
                ["with_energy_increase"] = list.Count(r => r["energy_increases"] != "0"),
                ["real"] = list.Count(r => r["verdict"] == "real"),
                ["non_convergence"] = list.Count(r => r["verdict"] == "non-convergence"),
                ["largest_relative_increase"] = list.Select(r => Num(r, "largest_relative_increase")).Where(v => v is not null).Max(),
                ["with_switches"] = list.Count(r => r["switches"] != "0"),
                ["with_sliding"] = list.Count(r => r["sliding_episodes"] != "0"),
                ["rested_at"] = RestCounts(list),
                ["enumerated"] = list.Count(r => r["stationary_points"] != ""),
                ["with_several_stationary_points"] = list.Count(r => int.TryParse(r["stationary_points"], Inv, out int m) && m >= 2),
                ["max_stationary_points"] = list.Select(r => int.TryParse(r["stationary_points"], Inv, out int m) ? m : (int?)null).Max(),
                ["with_certificate"] = list.Count(r => r["rate_certificate"] != ""),
                ["certificate_min"] = list.Select(r => Num(r, "rate_certificate")).Where(v => v is not null).Min(),
                ["certificate_violations"] = list.Count(r => r["certificate_holds"] == "false"),
            });
        }
        var ids = rows.Select(r => long.Parse(r["case"], Inv)).ToHashSet();
        int real = rows.Count(r => r["verdict"] == "real"), nonconv = rows.Count(r => r["verdict"] == "non-convergence");
        int Count(params string[] verdicts) => rows.Count(r => verdicts.Contains(r["verdict"]));
        // Only verdicts the exact re-run gave (identity-mode heads are not gradient flows and have no exact re-run).
        int junctionReal = rows.Count(r => r["verdict"] == "real" && r["construction"] == "junction" && r["exact_increases"] is not ("" or "0"));
        int oldRule = rows.Count(r => r["verdict"] == "real" && r["exact_increases"] is not ("" or "0") && r.GetValueOrDefault("exact_integration_errors", "") == "");
        int ownErrors = rows.Count(r => r.TryGetValue("exact_integration_errors", out var v) && v is not ("" or "0"));
        int artefacts = Count("sliding", "chattering", "integration-error"), slow = Count("slow-convergence"),
            elsewhere = Count("other-stationary-point", "sliding-equilibrium"), unverified = Count("unverified-increase", "unverified-non-convergence"),
            certified = Count("certified-convergence");
        var o = new JsonObject
        {
            ["name"] = cfg.Name,
            ["fingerprint"] = cfg.Fingerprint(),
            ["cases_in_config"] = cfg.Cases,
            ["cases_done"] = rows.Count,
            ["duplicate_rows"] = rows.Count - ids.Count,
            ["sources"] = new JsonArray(sources.Select(s => (JsonNode?)s).ToArray()),
            ["classes"] = classes,
            ["candidates"] = rows.Count(r => r["candidate"] == "true"),
            ["by_construction_and_relu"] = groups,
            ["counterexample_folders"] = new JsonArray(folders.Select(f => (JsonNode?)$"counterexamples/case-{f:D6}").ToArray()),
            ["case_wall_time_s_total"] = rows.Sum(r => Num(r, "wall_time_s") ?? 0),
            ["conclusion"] = (rows.All(r => r["candidate"] != "true")
                ? certified == 0
                    ? $"No candidates: in all {rows.Count} cases the energy never rose beyond 1e-12 (relative) and every flow reached its limit or came to rest at a stationary point (chord)."
                    : $"No candidates: in all {rows.Count} cases the energy never rose beyond 1e-12 (relative), and every flow reached its limit, came to rest at a stationary point (chord) or is certified to converge."
                : (real == 0 && nonconv == 0
                    ? $"No case shows an energy increase that survives the exact piecewise integrator or an exact flow that fails to come to rest ({rows.Count} cases). "
                    : $"{real} case(s) show an energy increase that survives the exact piecewise integrator and {nonconv} case(s) whose exact flow neither reaches the limit nor comes to rest; see counterexamples/. "
                      + (junctionReal > 0 ? $"{junctionReal} of the {real} are junction sheaves, whose E provably cannot rise: there the exact integrator failed, they are not counterexamples. " : "")
                      + (oldRule > 0 ? $"{oldRule} of the {real} were judged before rises of the exact re-run inside one pattern piece were set apart (no exact_integration_errors column; docs/mathematics.md §6.1). " : ""))
                  + (ownErrors > 0 ? $"{ownErrors} exact re-run(s) showed rises inside one pattern piece, where the closed form cannot rise (the exact integrator's own error, not the flow's; not counted as increases). " : "")
                  + $"Of the {rows.Count(r => r["candidate"] == "true")} candidates: {artefacts} integrator artefact(s) (increases the exact flow does not show), "
                  + $"{slow} slow convergence (the exact flow reaches the limit after t_end), {elsewhere} at rest at another stationary point than the static solve "
                  + $"(the exact flow rests there too: stationary points are not unique, this is not an artefact), {unverified} unverified (no ground truth: "
                  + "the exact re-run stopped at its event cap or the case is above exact_max_free).")
                + (certified > 0
                    ? $" {certified} junction run(s) stopped short of the forward pass (t_end or the plateau rule) with no energy increase and every sample within "
                      + "E(0)e^{-2αλ_cert t}: `certified-convergence`, not candidates, because the theorem (open-problem §2) proves that their flows converge to the "
                      + "forward pass; they were not re-run (verify.certified: trust)."
                    : ""),
        };
        if (session is not null) o["session"] = session;
        return o;
    }

    private static JsonObject RestCounts(List<Dictionary<string, string>> rows)
    {
        var o = new JsonObject();
        foreach (var g in rows.GroupBy(r => r["rested_at"]).OrderBy(g => Array.IndexOf(RestOrder, g.Key) is var k && k < 0 ? RestOrder.Length : k))
            o[g.Key] = g.Count();
        return o;
    }

    private static List<string> WritePlots(string folder, List<Dictionary<string, string>> rows)
    {
        var files = new List<string>();
        string P(string name)
        {
            files.Add(name);
            return Path.Combine(folder, name);
        }
        var byClass = rows.Where(r => r["energy_increases"] != "0").GroupBy(r => r["verdict"]).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Select(r => Num(r, "largest_relative_increase") ?? double.NaN).ToArray())).ToList();
        HuntPlots.IncreaseHistogram(P("increase-histogram.png"), byClass, rows.Count);

        var byConstruction = rows.GroupBy(r => r["construction"]).OrderBy(g => g.Key).ToList();
        HuntPlots.LogLogScatter(P("lambda-min-vs-weight-scale.png"), "λ_min(L_free) at the limit's pattern vs weight scale", "weight scale", "λ_min",
            byConstruction.Select(g => (g.Key, g.Select(r => Num(r, "weight_scale") ?? double.NaN).ToArray(), g.Select(r => Num(r, "lambda_min") ?? double.NaN).ToArray())).ToList());

        var conv = rows.Where(r => r["converged"] == "true" && Num(r, "time_to_converge") is > 0).ToList();
        var lines = new List<(string, double[], double[])>();
        if (conv.Count > 0)
        {
            // The reference is t = C/λ with C the median of t·λ: the 1/λ law the spectral bound predicts, placed through the data.
            var products = conv.Select(r => Num(r, "time_to_converge")!.Value * Num(r, "lambda_min")!.Value * Num(r, "alpha")!.Value).Order().ToArray();
            double c = products[products.Length / 2];
            double lo = conv.Min(r => Num(r, "lambda_min")!.Value * Num(r, "alpha")!.Value), hi = conv.Max(r => Num(r, "lambda_min")!.Value * Num(r, "alpha")!.Value);
            if (lo > 0 && hi > lo) lines.Add(($"t = {c.ToString("G3", Inv)}/(αλ_min)", [lo, hi], [c / lo, c / hi]));
        }
        // Cases that did not converge have no time to converge; their final time is a lower bound on it, drawn hollow so the
        // slowest cases are not silently missing from the figure.
        var notConverged = rows.Where(r => r["converged"] != "true" && Num(r, "final_time") is > 0 && Num(r, "lambda_min") is > 0).ToList();
        HuntPlots.LogLogScatter(P("time-vs-lambda-min.png"), "time to converge vs αλ_min", "αλ_min", "time to converge",
            conv.GroupBy(r => r["construction"]).OrderBy(g => g.Key).Select(g => (g.Key,
                g.Select(r => Num(r, "lambda_min")!.Value * Num(r, "alpha")!.Value).ToArray(), g.Select(r => Num(r, "time_to_converge")!.Value).ToArray())).ToList(),
            lines,
            notConverged.GroupBy(r => r["construction"]).OrderBy(g => g.Key).Select(g => (g.Key,
                g.Select(r => Num(r, "lambda_min")!.Value * Num(r, "alpha")!.Value).ToArray(), g.Select(r => Num(r, "final_time")!.Value).ToArray())).ToList(),
            "not converged: final time, a lower bound");

        var scales = rows.Select(r => Num(r, "weight_scale") ?? double.NaN).Where(double.IsFinite).ToArray();
        var shares = new List<(string, double[], double[])>();
        if (scales.Length > 0)
        {
            double lo = Math.Log10(scales.Min()), hi = Math.Log10(scales.Max());
            int bins = hi > lo ? 12 : 1;
            double w = bins == 1 ? 1 : (hi - lo) / bins;
            int Bin(Dictionary<string, string> r) => bins == 1 ? 0 : Math.Clamp((int)((Math.Log10(Num(r, "weight_scale")!.Value) - lo) / w), 0, bins - 1);
            var centres = Enumerable.Range(0, bins).Select(b => Math.Pow(10, bins == 1 ? lo : lo + (b + 0.5) * w)).ToArray();
            foreach (var (label, pred) in new (string, Func<Dictionary<string, string>, bool>)[]
                     {
                         ("with switches", r => r["switches"] != "0"),
                         ("with sliding", r => r["sliding_episodes"] != "0"),
                         ("with an energy increase", r => r["energy_increases"] != "0"),
                     })
            {
                var share = new double[bins];
                for (int b = 0; b < bins; b++)
                {
                    var inBin = rows.Where(r => Num(r, "weight_scale") is not null && Bin(r) == b).ToList();
                    share[b] = inBin.Count == 0 ? double.NaN : inBin.Count(pred) / (double)inBin.Count;
                }
                shares.Add((label, centres, share));
            }
        }
        HuntPlots.Shares(P("switching-share-vs-weight-scale.png"), "share of cases with switches / sliding / energy increases", "weight scale", shares);
        return files;
    }

    private static string Markdown(HuntConfig cfg, JsonObject summary, List<Dictionary<string, string>> rows, List<string> plots)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"# Hunt `{cfg.Name}` (config fingerprint `{cfg.Fingerprint()}`)");
        sb.AppendLine();
        sb.AppendLine($"{rows.Count} of {cfg.Cases} cases done; master seed {cfg.MasterSeed}; method {cfg.Heat.Method}" +
                      (cfg.Heat.Method is "plain" or "switching-aware" ? $" ({cfg.Heat.Integrator}, rtol {cfg.Heat.Rtol.ToString(Inv)}, atol {cfg.Heat.Atol.ToString(Inv)})" : "") +
                      $"; stop distance {cfg.Heat.StopDistance.ToString(Inv)}. Candidates were re-run with the exact piecewise integrator " +
                      $"(up to {cfg.ExactMaxFree} free coordinates) and with rtol {cfg.VerifyRtol.ToString(Inv)}" +
                      (cfg.VerifyCertified == "trust" ? "; junction runs covered by the rate certificate are not candidates (verify.certified: trust)." : "; runs covered by the rate certificate were re-run too (verify.certified: recheck)."));
        if (cfg.Fixed is { } fx)
        {
            sb.AppendLine();
            sb.AppendLine($"Every case uses one fixed network: `{fx.ConfigPath}` ({fx.Architecture.Blocks!.Length} residual block{(fx.Architecture.Blocks.Length == 1 ? "" : "s")}, weights sha256 " +
                          $"`{fx.WeightsSha256[..16]}…`); cases sample the construction, the input, the initial cochain and α.");
        }
        sb.AppendLine();
        sb.AppendLine("**Conclusion.** " + summary["conclusion"]);
        sb.AppendLine();
        sb.AppendLine("| class | cases |");
        sb.AppendLine("|---|---|");
        foreach (var (k, v) in summary["classes"]!.AsObject()) sb.AppendLine($"| {k} | {v} |");
        sb.AppendLine();
        sb.AppendLine("| construction | ReLU | cases | reached the limit | rested elsewhere | with E increase | real | non-convergence | largest relative increase | with switches | with sliding |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var g in summary["by_construction_and_relu"]!.AsArray())
            sb.AppendLine($"| {g!["construction"]} | {g["relu"]} | {g["cases"]} | {g["converged"]} | {g["rested_elsewhere"]} | {g["with_energy_increase"]} | {g["real"]} | {g["non_convergence"]} | {g["largest_relative_increase"]?.ToString() ?? "–"} | {g["with_switches"]} | {g["with_sliding"]} |");
        sb.AppendLine();
        sb.AppendLine("\"Reached the limit\": within the stop distance of the static solve (the forward pass for junction, the least-squares " +
                      "point reached from the forward pass's masks for chord). \"Rested elsewhere\": the energy stopped decreasing (plateau) away from it. " +
                      "A chord sheaf (and any problem with the output pinned) can have several stationary points — the least-squares points of other " +
                      "self-consistent activation patterns and sliding equilibria — so a flow can rest at one of them; the table below says which.");
        sb.AppendLine();
        sb.AppendLine("Where each case's own run came to rest (`rested_at`; stationary points enumerated up to " +
                      $"{CaseRest.MaxUnits} switching units, sliding sets up to {CaseRest.MaxSlidingUnits}; a junction sheaf with only the input pinned has one, the forward pass):");
        sb.AppendLine();
        sb.AppendLine("| construction | ReLU | " + string.Join(" | ", RestOrder) + " | enumerated | with ≥ 2 stationary points | most points |");
        sb.AppendLine("|---|---|" + string.Concat(RestOrder.Select(_ => "---|")) + "---|---|---|");
        foreach (var g in summary["by_construction_and_relu"]!.AsArray())
            sb.AppendLine($"| {g!["construction"]} | {g["relu"]} | " + string.Join(" | ", RestOrder.Select(k => g["rested_at"]![k]?.ToString() ?? "0")) +
                          $" | {g["enumerated"]} | {g["with_several_stationary_points"]} | {g["max_stationary_points"]?.ToString() ?? "–"} |");
        sb.AppendLine();
        sb.AppendLine("Rate certificate (junction, input pinned only: a proven λ_cert ≤ min over fractional masks of λ_min(L_free(Θ)), so " +
                      "E(t) ≤ E(0)e^{−2αλ_cert t} from every start; `certificate_holds` checks it on every sample of the run):");
        sb.AppendLine();
        sb.AppendLine("| construction | ReLU | cases with a certificate | smallest λ_cert | samples above the bound (cases) |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var g in summary["by_construction_and_relu"]!.AsArray())
            sb.AppendLine($"| {g!["construction"]} | {g["relu"]} | {g["with_certificate"]} | {g["certificate_min"]?.ToString() ?? "–"} | {g["certificate_violations"]} |");
        sb.AppendLine();
        sb.AppendLine("`forward-pass`: at the network's forward pass; `lowest-stationary-point` / `other-stationary-point`: at the least-squares point " +
                      "of a self-consistent pattern, rank 1 / rank k of m by energy (`rested_rank`, `stationary_points`); `sliding-equilibrium`: units held " +
                      "on z = 0 by opposite one-sided velocities; `limit` / `at-rest-unranked`: at the static solve / at a plateau, points not enumerated; " +
                      "`not-at-rest`: none of these at the end of the run.");
        sb.AppendLine();
        sb.AppendLine("Verdicts: `certified-convergence` (not a candidate) — a junction run (input pinned only, ReLU masks) stopped at t_end or by the " +
                      "plateau rule before the forward pass, with no energy increase and every sample within E(0)e^{−2αλ_cert t}: its flow provably " +
                      "converges (λ_cert > 0), only slowly; `real` — the increase survives the exact piecewise integrator; `non-convergence` — the exact flow neither reaches the " +
                      "limit nor comes to rest; `other-stationary-point`, `sliding-equilibrium` — the exact flow comes to rest at another stationary point " +
                      "than the static solve (not an artefact); `slow-convergence` — the run hit t_end still approaching the limit, which the exact flow " +
                      "reaches later (small λ_min); `sliding`, `chattering`, `integration-error` — artefacts of the adaptive run (the exact run shows " +
                      "no increase), named by where they happened; `unverified-increase`, `unverified-non-convergence` — no ground truth (the exact " +
                      "re-run stopped at its event cap, which proves nothing, or the case is above exact_max_free) and the tightened run still increases / " +
                      "still does not settle.");
        sb.AppendLine();
        var folders = summary["counterexample_folders"]!.AsArray();
        if (folders.Count > 0)
        {
            sb.AppendLine("Candidate folders (each holds `config.json` to re-run it alone with `runner --config`, and `run/` with its trace and plots):");
            foreach (var f in folders) sb.AppendLine($"- `{f}`");
            sb.AppendLine();
        }
        foreach (string p in plots) sb.AppendLine($"![{p}]({p})");
        return sb.ToString();
    }
}

using System.Text.Json.Nodes;
using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Spectra;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Models.Weights;
using ResidualSheaf.Runner.Output;
using Spectre.Console;

namespace ResidualSheaf.Runner.Jobs;

/// <summary>
/// The lab's positive-definiteness exercise: λ_min(L_free) for many weight draws at several weight scales, at the mask pattern
/// of a random input (and λ_* over all patterns where enumerable), for every construction.
/// </summary>
public sealed class LambdaMinJob : IJob
{
    /// <summary>λ_* is enumerated only up to this many free mask coordinates per draw (2^12 patterns) to keep sweeps quick.</summary>
    public const int LambdaStarMaskLimit = 12;

    /// <inheritdoc/>
    public int Run(RunContext ctx, CancellationToken cancel)
    {
        var cfg = ctx.Config;
        var lm = cfg.LambdaMin!;
        var results = cfg.Constructions.ToDictionary(c => c, _ => lm.Scales.Select(_ => new List<double>()).ToArray());
        var stars = cfg.Constructions.ToDictionary(c => c, _ => lm.Scales.Select(_ => new List<double>()).ToArray());
        using (var csv = new CsvTable(ctx.Output.File("lambda_min.csv"),
            ["construction", "scale", "draw", "seed", "lambda_min", "lambda_max", "rank", "free_dimension", "edge_dimension", "lambda_star"]))
        {
            for (int k = 0; k < lm.Draws; k++)
            {
                cancel.ThrowIfCancellationRequested();
                long seed = lm.Seed + k;
                var baseNet = TorchReference.PyTorchDefault(cfg.Architecture!, seed);
                var x = InputSampler.Normal(1, baseNet.InputDimension, cfg.Inputs.Seed + k, cfg.Inputs.Scale)[0];
                // Each draw's unscaled weights are exported so any row of the table can be rebuilt (multiply by its scale).
                WeightJson.Write(ctx.Output.File(Path.Combine("weights", $"draw-{k:D3}.json")), baseNet,
                    $"seeded (torch.manual_seed({seed})), unscaled");
                for (int si = 0; si < lm.Scales.Length; si++)
                {
                    var net = NetworkFactory.Scaled(baseNet, lm.Scales[si]);
                    foreach (var c in cfg.Constructions)
                    {
                        var ns = SheafConstructor.Build(net, c);
                        var p = ns.Problem(x);
                        var sol = DirichletSolver.Solve(p);
                        var d = DirichletDiagnostics.Compute(p, sol.Masks);
                        double? star = null;
                        if (ns.Sheaf.MaskCoordinates.Count <= LambdaStarMaskLimit) star = MaskSpectrum.Compute(p).LambdaStar;
                        results[c][si].Add(d.LambdaMin);
                        if (star is double s) stars[c][si].Add(s);
                        csv.Row(StaticLabJob.Name(c), lm.Scales[si], k, seed, d.LambdaMin, d.LambdaMax, d.Rank, d.Columns, d.Rows, star);
                    }
                }
            }
        }
        var report = new JsonObject
        {
            ["name"] = cfg.Name,
            ["job"] = cfg.Job,
            ["architecture"] = TorchReference.PyTorchDefault(cfg.Architecture!, lm.Seed).Describe(),
            ["draws"] = lm.Draws,
            ["weights"] = $"PyTorch default initialisation with torch.manual_seed({lm.Seed} + draw), every weight and bias multiplied by the scale",
            ["pattern"] = "λ_min at the mask pattern of the solution for one random input per draw; λ_* = min over all mask patterns",
        };
        var table = new Table().Title("[bold]λ_min(L_free) over weight draws[/]");
        table.AddColumns("construction", "scale", "min", "median", "max", "λ_* min", "all > 0");
        var per = new JsonObject();
        foreach (var c in cfg.Constructions)
        {
            var arr = new JsonArray();
            for (int si = 0; si < lm.Scales.Length; si++)
            {
                var s = Stats.Of(results[c][si]);
                var st = Stats.Of(stars[c][si]);
                bool positive = results[c][si].All(v => v > 0);
                arr.Add(new JsonObject
                {
                    ["scale"] = lm.Scales[si],
                    ["lambda_min"] = JsonFile.Stats(s),
                    ["lambda_star"] = JsonFile.Stats(st),
                    ["all_positive"] = positive,
                });
                table.AddRow(StaticLabJob.Name(c), lm.Scales[si].ToString("G3", System.Globalization.CultureInfo.InvariantCulture),
                    s.Min.ToString("E3", System.Globalization.CultureInfo.InvariantCulture), s.Median.ToString("E3", System.Globalization.CultureInfo.InvariantCulture),
                    s.Max.ToString("E3", System.Globalization.CultureInfo.InvariantCulture),
                    st.Count == 0 ? "–" : st.Min.ToString("E3", System.Globalization.CultureInfo.InvariantCulture), positive ? "yes" : "[red]no[/]");
            }
            per[StaticLabJob.Name(c)] = arr;
        }
        report["by_construction"] = per;
        var plots = new JsonObject();
        report["plots"] = plots;
        StaticLabPlots.WriteLambdaMin(ctx, lm.Scales, results, plots);
        report["provenance"] = Provenance.Json();
        JsonFile.Write(ctx.Output.File("report.json"), report);
        AnsiConsole.Write(table);
        return 0;
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using ResidualSheaf.Runner.Hunt;
using ResidualSheaf.Runner.Output;
using ResidualSheaf.Runner.Sharding;
using Serilog;

namespace ResidualSheaf.Runner.TrainSweep;

/// <summary>One β of a sweep, over its finished seeds: mean and (population, NumPy's default) standard deviation of the final losses.</summary>
/// <param name="BetaIndex">Index in sweep.beta_times_n_train.</param>
/// <param name="BetaTimesN">β·n_train.</param>
/// <param name="Points">Finished points (seeds) at this β.</param>
/// <param name="NotFinite">Of those, how many diverged or failed (their losses are left out of the means).</param>
/// <param name="Sheaf">Sheaf training: (train mean, train std, test mean, test std) over the finite points.</param>
/// <param name="Gd">Gradient descent of the same seeds: the same four.</param>
/// <param name="TestLosses">Every finite final test loss of sheaf training at this β (for the plot).</param>
public sealed record SweepLevel(int BetaIndex, double BetaTimesN, int Points, int NotFinite, double[] Sheaf, double[] Gd, double[] TestLosses);

/// <summary>A sweep folder's report from its sweep.csv: table.csv (a row per β, sheaf beside gradient descent), summary.json, beta-scaling.png.</summary>
public static class SweepReport
{
    /// <summary>Columns of table.csv.</summary>
    public static readonly string[] TableHeader =
    [
        "beta_index", "beta_times_n_train", "points", "not_finite", "sheaf_train_mean", "sheaf_train_std", "sheaf_test_mean", "sheaf_test_std",
        "gd_train_mean", "gd_train_std", "gd_test_mean", "gd_test_std",
    ];

    /// <summary>Writes the report of <paramref name="folder"/>'s rows.</summary>
    public static void Write(string folder, SweepConfig sweep, Shard shard, ILogger log)
    {
        var rows = ResultsFile.Read(Path.Combine(folder, SweepCommand.RowsFile));
        var levels = Levels(sweep, rows);
        using (var table = new CsvTable(Path.Combine(folder, "table.csv"), TableHeader))
            foreach (var l in levels)
                table.Row([l.BetaIndex, l.BetaTimesN, l.Points, l.NotFinite, .. l.Sheaf.Cast<object?>(), .. l.Gd.Cast<object?>()]);
        var summary = new JsonObject
        {
            ["name"] = sweep.Base.Name,
            ["fingerprint"] = sweep.Fingerprint,
            ["shard"] = shard.ToJson(),
            ["points"] = shard.Expected(sweep.Points),
            ["points_done"] = rows.Count,
            ["diverged"] = rows.Count(r => r["status"] == "diverged"),
            ["failed"] = rows.Count(r => r["status"] == "failed"),
            ["levels"] = new JsonArray(levels.Select(l => (JsonNode?)new JsonObject
            {
                ["beta_times_n_train"] = l.BetaTimesN,
                ["points"] = l.Points,
                ["not_finite"] = l.NotFinite,
                ["sheaf_train_mean"] = JsonFile.Num(l.Sheaf[0]),
                ["sheaf_test_mean"] = JsonFile.Num(l.Sheaf[2]),
                ["sheaf_test_std"] = JsonFile.Num(l.Sheaf[3]),
                ["gd_train_mean"] = JsonFile.Num(l.Gd[0]),
                ["gd_test_mean"] = JsonFile.Num(l.Gd[2]),
            }).ToArray()),
            ["provenance"] = Provenance.Json(),
        };
        Plotting.SweepPlot.Save(Path.Combine(folder, "beta-scaling.png"), $"{sweep.Base.Name}: final losses against β·n_train", levels);
        JsonFile.Write(Path.Combine(folder, "summary.json"), summary);
        foreach (var l in levels)
            log.Information("β·n = {BetaN,-8}: sheaf train {Train:E3}, test {Test:E3} ± {Std:E2} | GD train {GdTrain:E3}, test {GdTest:E3} ({Points} seeds, {Bad} not finite)",
                l.BetaTimesN, l.Sheaf[0], l.Sheaf[2], l.Sheaf[3], l.Gd[0], l.Gd[2], l.Points, l.NotFinite);
    }

    /// <summary>The table's rows from the rows of sweep.csv.</summary>
    public static List<SweepLevel> Levels(SweepConfig sweep, List<Dictionary<string, string>> rows)
    {
        var levels = new List<SweepLevel>();
        for (int b = 0; b < sweep.BetaTimesN.Length; b++)
        {
            var at = rows.Where(r => int.Parse(r["beta_index"], CultureInfo.InvariantCulture) == b).ToList();
            if (at.Count == 0) continue;
            var ok = at.Where(r => r["status"] == "ok").ToList();
            double[] Col(List<Dictionary<string, string>> of, string c) => [.. of.Select(r => SweepCommand.Parse(r[c]))];
            levels.Add(new SweepLevel(b, sweep.BetaTimesN[b], at.Count, at.Count - ok.Count,
                [.. MeanStd(Col(ok, "sheaf_train_loss")), .. MeanStd(Col(ok, "sheaf_test_loss"))],
                [.. MeanStd(Col(at, "gd_train_loss")), .. MeanStd(Col(at, "gd_test_loss"))],
                Col(ok, "sheaf_test_loss")));
        }
        return levels;
    }

    private static double[] MeanStd(double[] v)
    {
        if (v.Length == 0 || v.Any(x => !double.IsFinite(x))) return [double.NaN, double.NaN];
        double mean = v.Average();
        return [mean, Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / v.Length)];
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using ResidualSheaf.Runner.Hunt;
using ResidualSheaf.Runner.Jobs;
using ResidualSheaf.Runner.Output;

namespace ResidualSheaf.Runner.Batch;

/// <summary>
/// <c>summary.json</c> of a batch, computed from <c>batch.csv</c> as it is on disk (so a resumed batch summarises every session):
/// counts by status and the quantiles of every per-input figure.
/// </summary>
public static class BatchSummary
{
    /// <summary>The batch.csv columns summarised by quantiles.</summary>
    public static readonly string[] QuantileColumns =
    [
        "time_to_converge", "final_time", "switches", "sliding_episodes", "energy_increases", "largest_relative_increase", "initial_energy",
        "final_energy", "final_distance", "output_vs_torch_float64", "limit_residual", "limit_energy", .. LimitEnergySplit.Columns, "lambda_min", "nfev",
        "accepted_steps", "wall_time_s",
    ];

    /// <summary>The rows of batch.csv, one per input (the first row of an input wins), in input order.</summary>
    public static List<Dictionary<string, string>> Rows(string folder) =>
        ResultsFile.Read(Path.Combine(folder, BatchCommand.RowsFile))
            .GroupBy(r => long.Parse(r["input"], CultureInfo.InvariantCulture)).OrderBy(g => g.Key).Select(g => g.First()).ToList();

    /// <summary>A numeric cell, or null when empty.</summary>
    public static double? Number(Dictionary<string, string> row, string column) =>
        row.TryGetValue(column, out var s) && s.Length > 0 ? double.Parse(s, CultureInfo.InvariantCulture) : null;

    /// <summary>Builds the summary; <paramref name="session"/> holds this session's figures (threads, wall time).</summary>
    public static JsonObject Build(BatchSetup setup, string folder, JsonObject session)
    {
        var cfg = setup.Config;
        var rows = Rows(folder);
        var byStatus = rows.GroupBy(r => r["status"]).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => KeyValuePair.Create(g.Key, (JsonNode?)g.Count()));
        var quantiles = new JsonObject();
        foreach (string c in QuantileColumns) quantiles[c] = Describe(rows.Select(r => Number(r, c)));
        int converged = rows.Count(r => r["converged"] == "true");
        int expected = setup.Shard.Expected(setup.Count);
        double? worstDistance = rows.Select(r => Number(r, "final_distance")).Where(v => v is not null).DefaultIfEmpty(null).Max();
        return new JsonObject
        {
            ["name"] = cfg.Name,
            ["network"] = setup.Network.Describe(),
            ["construction"] = StaticLabJob.Name(setup.Sheaf.Construction),
            ["method_requested"] = cfg.Heat!.Method,
            ["methods"] = new JsonArray(rows.Select(r => r["method"]).Distinct().Order(StringComparer.Ordinal).Select(m => (JsonNode?)m).ToArray()),
            ["inputs"] = setup.Data.Source.DeepClone(),
            ["pin_output"] = cfg.Heat.PinOutput,
            ["initial"] = cfg.Heat.ToJson()["initial"]!.DeepClone(),
            ["stop_distance"] = cfg.Heat.StopDistance,
            ["shard"] = setup.Shard.ToJson(),
            ["rows"] = rows.Count,
            ["missing_inputs"] = expected - rows.Count,
            ["converged"] = converged,
            ["all_converged"] = converged == expected,
            ["worst_final_distance"] = worstDistance,
            ["by_status"] = new JsonObject(byStatus),
            ["quantile_levels"] = new JsonArray(Quantiles.Levels.Select(q => (JsonNode?)q).ToArray()),
            ["quantiles"] = quantiles,
            ["session"] = session,
        };
    }

    /// <summary>Count, mean and quantiles of the finite values (count 0 and nulls when there are none).</summary>
    public static JsonObject Describe(IEnumerable<double?> values)
    {
        var v = values.Where(x => x is double d && double.IsFinite(d)).Select(x => x!.Value).Order().ToArray();
        var o = new JsonObject { ["count"] = v.Length, ["mean"] = v.Length == 0 ? null : JsonFile.Num(v.Average()) };
        var q = new JsonArray();
        foreach (double level in Quantiles.Levels) q.Add(v.Length == 0 ? null : JsonFile.Num(Quantiles.Of(v, level)));
        o["values"] = q;
        return o;
    }
}

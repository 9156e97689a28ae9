using System.Text.Json.Nodes;
using ResidualSheaf.Runner.Config;
using ResidualSheaf.Runner.Jobs;
using ResidualSheaf.Runner.Output;
using Serilog;

namespace ResidualSheaf.Runner.Batch;

/// <summary>
/// The traced inputs of a batch (<c>heat.trace_inputs</c>, default the first input): each gets <c>traces/input-k/</c> with a
/// standalone heat config (explicit input, initial cochain and output pins, the batch's weights.json) and the single heat run it
/// produces in <c>run/</c> (trace, events, summary, plots) — the same problem and algorithm as the batch row, so its numbers agree.
/// </summary>
public static class BatchTraces
{
    /// <summary>The traced input indices of the batch (those beyond the last input, or of another shard, are dropped).</summary>
    public static long[] Chosen(BatchSetup s)
    {
        var h = s.Config.Heat!;
        IEnumerable<long> k = h.TraceInputs is { } list ? list.Select(i => (long)i) : Enumerable.Range(0, h.TraceFirst ?? 1).Select(i => (long)i);
        return k.Where(i => i < s.Count && s.Shard.Owns(i)).ToArray();
    }

    /// <summary>Writes the folders not yet written (a resumed batch keeps finished ones) and lists them.</summary>
    public static JsonArray Write(BatchSetup s, string folder, CancellationToken cancel, ILogger log)
    {
        var list = new JsonArray();
        foreach (long k in Chosen(s))
        {
            cancel.ThrowIfCancellationRequested();
            string dir = Path.Combine(folder, "traces", $"input-{k}");
            string run = Path.Combine(dir, "run");
            int code = 0;
            if (!File.Exists(Path.Combine(run, "summary.json")))
            {
                if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
                Directory.CreateDirectory(dir);
                string configPath = Path.Combine(dir, "config.json");
                JsonFile.Write(configPath, Config(s, k, Path.Combine(folder, "weights.json")));
                var config = RunConfig.Load(configPath);
                var net = NetworkFactory.Create(config);
                var setup = HeatSetup.Build(config, net);
                code = Program.Run(config, net, run, setup, cancel, quiet: true);
                log.Information("Traced input {Input}: {Folder} (exit {Code})", k, run, code);
            }
            list.Add(new JsonObject { ["input"] = k, ["folder"] = Path.GetRelativePath(folder, run), ["exit_code"] = code });
        }
        return list;
    }

    /// <summary>The standalone single-run config of input <paramref name="k"/>.</summary>
    public static JsonObject Config(BatchSetup s, long k, string weightsPath)
    {
        var cfg = s.Config;
        var o = ResolvedConfig.ToJson(cfg);
        o["name"] = $"{cfg.Name}-input-{k}";
        o["weights"] = new JsonObject { ["source"] = "json", ["path"] = weightsPath };
        o.Remove("inputs");
        var heat = cfg.Heat!.ToJson();
        heat.Remove("trace_inputs");
        heat["input"] = JsonFile.Array(s.Data.Inputs[k]);
        heat["initial"] = new JsonObject { ["kind"] = "values", ["values"] = JsonFile.Array(s.Initial(k, s.Problem(k))) };
        heat["pin_output"] = false;
        heat["pins"] = s.OutputPin(k) is not { } pin
            ? new JsonArray()
            : new JsonArray(pin.Select((v, i) => (JsonNode?)new JsonObject
            {
                ["coordinate"] = s.Sheaf.Sheaf.CoordinateName(s.Sheaf.Output.Offset + i),
                ["value"] = v,
            }).ToArray());
        o["heat"] = heat;
        return o;
    }
}

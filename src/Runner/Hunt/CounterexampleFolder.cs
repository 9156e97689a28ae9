using System.Text.Json.Nodes;
using ResidualSheaf.Models.Weights;
using ResidualSheaf.Runner.Config;
using ResidualSheaf.Runner.Jobs;
using ResidualSheaf.Runner.Output;

namespace ResidualSheaf.Runner.Hunt;

/// <summary>
/// A candidate's folder: a standalone heat-run config (explicit weights, input and initial cochain, so it needs nothing from the
/// hunt) and the heat run it produces (trace, events, summary, plots) in <c>run/</c>.
/// </summary>
public static class CounterexampleFolder
{
    /// <summary>Writes <c>config.json</c> and <c>weights.json</c> into <paramref name="folder"/> and runs the heat job into <c>run/</c>.</summary>
    /// <returns>The heat run's exit code.</returns>
    public static int Write(HuntConfig cfg, long caseId, string folder, CancellationToken cancel)
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        var c = HuntCase.Sample(cfg, caseId);
        var s = CaseRunner.Prepare(cfg, c);
        WeightJson.Write(Path.Combine(folder, "weights.json"), s.Network, cfg.Fixed is { } fx
            ? $"hunt {cfg.Name} case {caseId}: the fixed network of {fx.ConfigPath} (weights sha256 {fx.WeightsSha256})"
            : $"hunt {cfg.Name} case {caseId}: torch.manual_seed({c.WeightSeed}) PyTorch-default weights × {c.WeightScale:R}");
        JsonFile.Write(Path.Combine(folder, "config.json"), Config(cfg, s));
        string configPath = Path.Combine(folder, "config.json");
        var config = RunConfig.Load(configPath);
        var net = NetworkFactory.Create(config);
        var setup = HeatSetup.Build(config, net);
        return Program.Run(config, net, Path.Combine(folder, "run"), setup, cancel, quiet: true);
    }

    /// <summary>The standalone heat config of a prepared case.</summary>
    public static JsonObject Config(HuntConfig cfg, CaseSetup s)
    {
        var heat = cfg.Heat.ToJson();
        heat["alpha"] = s.Case.Alpha;
        if (heat.ContainsKey("integrator")) heat["integrator"] = s.Integrator;
        heat["input"] = JsonFile.Array(s.Input);
        heat["initial"] = new JsonObject { ["kind"] = "values", ["values"] = JsonFile.Array(s.Initial) };
        heat["pin_output"] = false;
        heat["pins"] = s.OutputPin is null
            ? new JsonArray()
            : new JsonArray(s.OutputPin.Select((v, i) => (JsonNode?)new JsonObject
            {
                ["coordinate"] = s.Sheaf.Sheaf.CoordinateName(s.Sheaf.Output.Offset + i),
                ["value"] = v,
            }).ToArray());
        heat.Remove("soft_pins");
        return new JsonObject
        {
            ["name"] = $"{cfg.Name}-case-{s.Case.Id}",
            ["job"] = "heat",
            ["network"] = ResolvedConfig.Network(s.Case.Architecture),
            ["weights"] = new JsonObject { ["source"] = "json", ["path"] = "weights.json" },
            ["constructions"] = new JsonArray(s.Case.Construction.ToString().ToLowerInvariant()),
            ["heat"] = heat,
        };
    }
}

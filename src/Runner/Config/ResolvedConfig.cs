using System.Text.Json.Nodes;
using ResidualSheaf.Models.Graph;
using ResidualSheaf.Models.Networks;

namespace ResidualSheaf.Runner.Config;

/// <summary>The config with every default filled in, written next to the results so a run can be repeated exactly.</summary>
public static class ResolvedConfig
{
    /// <summary>The <c>network</c> section describing an architecture (as a config spells it).</summary>
    public static JsonObject Network(ArchitectureSpec a)
    {
        var o = Body(a);
        // Written only when set, so that the resolved configs of identity-head networks stay as they were.
        if (a.Classifier is int c) o["classifier"] = c;
        if (a.Head != OutputHead.Identity)
        {
            o["head"] = OutputHeads.Name(a.Head);
            o["head_mode"] = OutputHeads.Name(a.HeadMode);
        }
        return o;
    }

    private static JsonObject Body(ArchitectureSpec a) => a.IsMlp
        ? new JsonObject { ["kind"] = "mlp", ["widths"] = new JsonArray(a.Widths!.Select(w => (JsonNode?)w).ToArray()) }
        : new JsonObject
        {
            ["kind"] = "resnet",
            ["relu"] = a.Placement == ReluPlacement.After ? "after" : "before",
            ["blocks"] = new JsonArray(a.Blocks!.Select(b => (JsonNode?)new JsonObject
            {
                ["in"] = b.In,
                ["hidden"] = b.Hidden,
                ["out"] = b.Out,
                ["projection"] = b.Projection,
            }).ToArray()),
        };

    /// <summary>The <c>inputs</c> section: the data files when given (count, seed and scale do not apply then), else count, seed, scale.</summary>
    public static JsonObject Inputs(InputsConfig i)
    {
        var o = i.Path is null ? new JsonObject { ["count"] = i.Count, ["seed"] = i.Seed, ["scale"] = i.Scale } : new JsonObject { ["path"] = i.Path };
        if (i.First is int first) o["first"] = first;
        if (i.TargetsPath is not null) o["targets_path"] = i.TargetsPath;
        if (i.TargetOffset != 0) o["target_offset"] = i.TargetOffset;
        return o;
    }

    /// <summary>The resolved config as JSON (a valid config itself).</summary>
    public static JsonObject ToJson(RunConfig c)
    {
        var network = c.Onnx is null ? Network(c.Architecture!) : new JsonObject { ["onnx"] = Path.GetFullPath(c.Onnx.Source) };
        if (c.Onnx is { Graph.Output: { Head: not OutputHead.Identity } head }) network["head_mode"] = OutputHeads.Name(head.Mode);
        var weights = new JsonObject { ["source"] = c.Weights.Source };
        if (c.Weights.Path is not null) weights["path"] = c.Weights.Path;
        if (c.Weights.Names is { } names) weights["names"] = new JsonObject(names.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));
        var o = new JsonObject
        {
            ["name"] = c.Name,
            ["job"] = c.Job,
            ["seed"] = c.Seed,
            ["network"] = network,
            ["weights"] = weights,
            ["constructions"] = new JsonArray(c.Constructions.Select(x => (JsonNode?)x.ToString().ToLowerInvariant()).ToArray()),
            ["inputs"] = Inputs(c.Inputs),
            ["output_root"] = c.OutputRoot,
        };
        // Written only for the job it applies to, so that the resolved config is itself a valid config of that job.
        if (c.Onnx is not null) o.Remove("weights"); // the model's initializers are its weights
        if (c.Job == "static") o["controls"] = new JsonObject { ["pin_output"] = c.PinOutputControls, ["wrong_offset"] = c.WrongOffset };
        if (c.Job == "static" && c.Spectrum) o["controls"]!["spectrum"] = true;
        if (c.LambdaMin is { } lm)
            o["lambda_min"] = new JsonObject
            {
                ["draws"] = lm.Draws,
                ["scales"] = new JsonArray(lm.Scales.Select(s => (JsonNode?)s).ToArray()),
                ["seed"] = lm.Seed,
            };
        if (c.Heat is { } h) o["heat"] = h.ToJson();
        if (c.Train is { } t)
        {
            o.Remove("inputs"); // job train's data are train.data
            o["train"] = t.ToJson();
        }
        return o;
    }
}

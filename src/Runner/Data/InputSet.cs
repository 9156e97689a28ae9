using System.Text.Json.Nodes;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Runner.Config;

namespace ResidualSheaf.Runner.Data;

/// <summary>
/// The inputs of a run over many inputs (static sweep, batch heat run), read and checked before any output exists: the rows of
/// <c>inputs.path</c>, or <c>inputs.count</c> draws of <c>torch.randn(count, n, dtype=torch.float64, generator=…manual_seed(seed)) * scale</c>;
/// and the pinned-output targets of <c>inputs.targets_path</c> when given.
/// </summary>
/// <param name="Inputs">One network input per row.</param>
/// <param name="Targets">One output target per input, or null (targets are then the forward pass).</param>
/// <param name="Source">How the inputs were obtained, for reports.</param>
public sealed record InputSet(double[][] Inputs, double[][]? Targets, JsonObject Source)
{
    /// <summary>Loads the inputs (and targets) of <paramref name="cfg"/> for <paramref name="net"/>.</summary>
    /// <exception cref="ConfigException">A data file is missing, unreadable, malformed, of the wrong width, or the counts differ.</exception>
    public static InputSet Load(RunConfig cfg, INetwork net)
    {
        var i = cfg.Inputs;
        double[][] inputs;
        JsonObject source;
        if (i.Path is not null)
        {
            inputs = First(DataMatrix.Read(i.Path, "inputs.path", net.InputDimension), i.First, i.Path);
            source = new JsonObject { ["path"] = i.Path, ["count"] = inputs.Length };
            if (i.First is int first) source["first"] = first;
        }
        else
        {
            inputs = InputSampler.Normal(i.Count, net.InputDimension, i.Seed, i.Scale);
            source = new JsonObject
            {
                ["count"] = i.Count,
                ["seed"] = i.Seed,
                ["scale"] = i.Scale,
                ["generator"] = "torch.randn(count, n, dtype=torch.float64, generator=torch.Generator().manual_seed(seed)) * scale",
            };
        }
        double[][]? targets = null;
        if (i.TargetsPath is not null)
        {
            targets = DataMatrix.Read(i.TargetsPath, "inputs.targets_path", net.OutputDimension);
            if (i.First is int first && targets.Length >= first) targets = targets[..first];
            if (targets.Length != inputs.Length)
                throw new ConfigException("inputs.targets_path", $"'{i.TargetsPath}' has {targets.Length} rows; there are {inputs.Length} inputs (one target row per input)");
            source["targets_path"] = i.TargetsPath;
        }
        if (i.TargetOffset != 0) source["target_offset"] = i.TargetOffset;
        return new InputSet(inputs, targets, source);
    }

    private static double[][] First(double[][] rows, int? first, string path)
    {
        if (first is not int n) return rows;
        if (n > rows.Length) throw new ConfigException("inputs.first", $"is {n}, but '{path}' has only {rows.Length} rows");
        return rows[..n];
    }
}

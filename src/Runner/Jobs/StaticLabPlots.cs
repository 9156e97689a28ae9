using System.Text.Json.Nodes;
using ResidualSheaf.Models.Construction;

namespace ResidualSheaf.Runner.Jobs;

/// <summary>The figures of the static and λ_min jobs.</summary>
public static class StaticLabPlots
{
    /// <summary>Per-input output error and residual (semilog, both constructions) and a drawing of each sheaf's graph.</summary>
    public static void Write(RunContext ctx, IReadOnlyDictionary<SkipConstruction, (double[] Err, double[] Res)> data,
        IReadOnlyDictionary<SkipConstruction, NetworkSheaf> sheaves, JsonObject plots)
    {
    }

    /// <summary>λ_min against weight scale for each construction.</summary>
    public static void WriteLambdaMin(RunContext ctx, double[] scales, IReadOnlyDictionary<SkipConstruction, List<double>[]> values, JsonObject plots)
    {
    }
}

using System.Text.Json.Nodes;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Runner.Plotting;

namespace ResidualSheaf.Runner.Jobs;

/// <summary>The figures of the static and λ_min jobs.</summary>
public static class StaticLabPlots
{
    // The lab's figure draws its tolerance at 1e-5; keeping the same line lets readers compare the two figures directly.
    private const double LabTolerance = 1e-5;

    /// <summary>Per-input output error and residual (semilog, both constructions) and a drawing of each sheaf's graph.</summary>
    public static void Write(RunContext ctx, IReadOnlyDictionary<SkipConstruction, (double[] Err, double[] Res)> data,
        IReadOnlyDictionary<SkipConstruction, NetworkSheaf> sheaves, JsonObject plots)
    {
        var order = data.Keys.OrderBy(k => k).ToArray();
        var errors = order.Select(k => (Name(k), data[k].Err)).ToArray();
        var residuals = order.Select(k => (Name(k), data[k].Res)).ToArray();
        SemilogScatterPlot.SaveTwoPanel(ctx.Output.File("errors.png"),
            new SemilogPanel(ctx.Network is ResidualSheaf.Models.Onnx.OnnxNetwork ? "max |sheaf output − ONNX Runtime float64|" : "max |sheaf output − TorchSharp float64|", "max abs error", errors),
            new SemilogPanel("least-squares residual ‖δ_Ω c_Ω − b̃‖", "residual", residuals),
            referenceLine: LabTolerance);
        plots["errors"] = "errors.png";
        foreach (var (construction, sheaf) in sheaves.OrderBy(p => p.Key))
        {
            string file = $"graph-{Name(construction)}.png";
            SheafGraphPlot.Save(ctx.Output.File(file), sheaf.Sheaf, $"sheaf graph ({Name(construction)} construction)");
            plots[$"graph_{Name(construction)}"] = file;
        }
    }

    /// <summary>λ_min against weight scale for each construction.</summary>
    public static void WriteLambdaMin(RunContext ctx, double[] scales, IReadOnlyDictionary<SkipConstruction, List<double>[]> values, JsonObject plots)
    {
        var series = values.OrderBy(p => p.Key)
            .Select(p => (Name(p.Key), scales, p.Value.Select(v => v.ToArray()).ToArray()))
            .ToArray();
        LambdaMinPlot.Save(ctx.Output.File("lambda-min.png"), "λ_min(L_free) at the forward pattern vs weight scale", series);
        plots["lambda_min"] = "lambda-min.png";
    }

    private static string Name(SkipConstruction c) => c.ToString().ToLowerInvariant();
}

using System.Text.Json.Nodes;
using ResidualSheaf.Engine.Spectra;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Runner.Plotting;

namespace ResidualSheaf.Runner.Jobs;

/// <summary>The static job's spectrum figures (<c>controls.spectrum</c>): λ_min, λ_max, κ histograms, one group per construction.</summary>
public static class StaticSpectrumPlots
{
    /// <summary>Writes the figures into the run folder and names them in <paramref name="plots"/>.</summary>
    public static void Write(RunContext ctx, IReadOnlyDictionary<SkipConstruction, List<PatternSpectrum>> spectra, JsonObject plots)
    {
        var groups = spectra.OrderBy(p => p.Key).Select(p => new SpectrumGroup(StaticLabJob.Name(p.Key),
            [.. p.Value.Select(s => s.LambdaMin)], [.. p.Value.Select(s => s.LambdaMax)])).ToArray();
        var files = SpectrumFigures.Write(ctx.Output.PartialPath, groups);
        for (int k = 0; k < files.Length; k++) plots[SpectrumFigures.Stems[k].Replace('-', '_')] = files[k];
    }
}

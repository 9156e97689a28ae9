using ScottPlot;

namespace ResidualSheaf.Runner.Plotting;

/// <summary>One group of per-input spectra of L_free (a construction of one run, or one run of a comparison).</summary>
/// <param name="Label">Legend text.</param>
/// <param name="LambdaMin">λ_min per input.</param>
/// <param name="LambdaMax">λ_max per input.</param>
public sealed record SpectrumGroup(string Label, double[] LambdaMin, double[] LambdaMax)
{
    /// <summary>κ = λ_max / λ_min per input.</summary>
    public double[] Condition => [.. LambdaMax.Zip(LambdaMin, (a, b) => a / b)];
}

/// <summary>
/// Histograms (log10 bins, groups side by side) of λ_min, λ_max and κ of L_free at each input's pattern: the static job's
/// <c>controls.spectrum</c> figures and <c>runner spectrum-compare</c>'s trained-against-untrained ones.
/// </summary>
public static class SpectrumFigures
{
    /// <summary>File stems, in the order of <see cref="Write"/>: λ_min, λ_max, κ.</summary>
    public static readonly string[] Stems = ["lambda-min-histogram", "lambda-max-histogram", "condition-histogram"];

    /// <summary>Writes the three figures into <paramref name="folder"/> as <paramref name="format"/> (<see cref="FigureFile.Formats"/>); returns their file names.</summary>
    public static string[] Write(string folder, IReadOnlyList<SpectrumGroup> groups, string format = "png")
    {
        var files = new string[Stems.Length];
        for (int k = 0; k < Stems.Length; k++)
        {
            files[k] = $"{Stems[k]}.{format}";
            FigureFile.Save(Panel(k, groups), Path.Combine(folder, files[k]), format, 1000, 540);
        }
        return files;
    }

    /// <summary>The three histograms as the panels of one figure (left to right: λ_min, λ_max, κ).</summary>
    public static Multiplot Compose(IReadOnlyList<SpectrumGroup> groups)
    {
        var multiplot = new Multiplot { Layout = new ScottPlot.MultiplotLayouts.Columns() };
        // A new Multiplot already holds one empty subplot: drop it so the figure has exactly the three panels.
        while (multiplot.Count() > 0) multiplot.RemovePlot(multiplot.GetPlot(0));
        for (int k = 0; k < Stems.Length; k++) multiplot.AddPlot(Panel(k, groups));
        return multiplot;
    }

    /// <summary>Panel <paramref name="k"/> (index into <see cref="Stems"/>), not yet saved.</summary>
    private static Plot Panel(int k, IReadOnlyList<SpectrumGroup> groups)
    {
        var (title, x, values) = Panels[k];
        var plot = GroupedLogHistogram.Create([.. groups.Select(g => (g.Label, values(g)))], title, x, "inputs", fine: true);
        if (plot is not null) return plot;
        plot = new Plot();
        PlotStyle.ApplyFonts(plot);
        PlotStyle.AddNoDataNote(plot, 0, 0);
        plot.Title($"{title}: no data (no positive value)");
        return plot;
    }

    private static readonly (string Title, string X, Func<SpectrumGroup, double[]> Values)[] Panels =
    [
        ("λ_min(L_free) at each input's pattern", "λ_min", g => g.LambdaMin),
        ("λ_max(L_free) at each input's pattern", "λ_max", g => g.LambdaMax),
        ("κ = λ_max / λ_min at each input's pattern", "κ", g => g.Condition),
    ];
}

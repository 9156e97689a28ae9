using ScottPlot;
using SkiaSharp;

namespace ResidualSheaf.Runner.Plotting;

/// <summary>Writes a figure as PNG (raster), SVG or PDF (vector, for papers).</summary>
public static class FigureFile
{
    /// <summary>The formats <see cref="Save"/> writes.</summary>
    public static readonly string[] Formats = ["png", "svg", "pdf"];

    /// <summary>Writes <paramref name="plot"/> to <paramref name="path"/> in <paramref name="format"/>.</summary>
    /// <exception cref="ArgumentException">The format is not one of <see cref="Formats"/>.</exception>
    public static void Save(Plot plot, string path, string format, int width, int height)
    {
        switch (format)
        {
            case "png":
                plot.SavePng(path, width, height);
                break;
            case "svg":
                plot.SaveSvg(path, width, height);
                break;
            case "pdf":
                // ScottPlot draws on any Skia canvas; Skia's PDF back end keeps lines and text as vectors.
                using (var stream = File.Create(path))
                using (var document = SKDocument.CreatePdf(stream))
                {
                    var canvas = document.BeginPage(width, height);
                    plot.Render(canvas, width, height);
                    document.EndPage();
                    document.Close();
                }
                break;
            default:
                throw new ArgumentException($"'{format}' is not one of {string.Join(", ", Formats)}", nameof(format));
        }
    }
}

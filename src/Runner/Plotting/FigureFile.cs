using ScottPlot;
using SkiaSharp;

namespace ResidualSheaf.Runner.Plotting;

/// <summary>Writes a figure as PNG (raster), SVG or PDF (vector, for papers).</summary>
public static class FigureFile
{
    /// <summary>The formats the <c>Save</c> methods write.</summary>
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

    /// <summary>Writes a figure of several panels to <paramref name="path"/> in <paramref name="format"/>.</summary>
    /// <exception cref="ArgumentException">The format is not one of <see cref="Formats"/>.</exception>
    public static void Save(Multiplot figure, string path, string format, int width, int height)
    {
        switch (format)
        {
            case "png":
                figure.SavePng(path, width, height);
                break;
            case "svg":
                // Skia's SVG canvas keeps the panels' lines and text as vectors, as ScottPlot's own SaveSvg does for one plot.
                using (var stream = new SKManagedWStream(File.Create(path), disposeManagedStream: true))
                using (var canvas = SKSvgCanvas.Create(SKRect.Create(width, height), stream))
                    figure.Render(canvas, new PixelRect(0, width, height, 0));
                break;
            case "pdf":
                using (var stream = File.Create(path))
                using (var document = SKDocument.CreatePdf(stream))
                {
                    var canvas = document.BeginPage(width, height);
                    figure.Render(canvas, new PixelRect(0, width, height, 0));
                    document.EndPage();
                    document.Close();
                }
                break;
            default:
                throw new ArgumentException($"'{format}' is not one of {string.Join(", ", Formats)}", nameof(format));
        }
    }
}

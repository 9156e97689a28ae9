using ScottPlot;

namespace ResidualSheaf.Runner.Plotting;

/// <summary>
/// A single-headed arrow whose tip stops <see cref="Inset"/> pixels short of its target, so the head is not buried under
/// the vertex marker it points at. The inset is applied in pixels because data units differ between the two axes.
/// </summary>
internal sealed class InsetArrowShape(float inset) : IArrowShape
{
    private static readonly ScottPlot.ArrowShapes.Single Inner = new();

    public float Inset { get; } = inset;

    public void Render(RenderPack rp, PixelLine arrowLine, ArrowStyle arrowStyle)
    {
        float length = arrowLine.Length;
        if (length <= 0) return;
        // Keep at least the head's own length so a very short arrow still shows a head pointing the right way.
        float inset = Math.Min(Inset, Math.Max(length - arrowStyle.ArrowheadLength, 0));
        float dx = arrowLine.DeltaX / length, dy = arrowLine.DeltaY / length;
        var tip = new Pixel(arrowLine.X2 - dx * inset, arrowLine.Y2 - dy * inset);
        Inner.Render(rp, new PixelLine(arrowLine.Pixel1, tip), arrowStyle);
    }
}

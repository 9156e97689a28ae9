using ScottPlot;

namespace ResidualSheaf.Runner.Plotting;

/// <summary>Shared look of the runner's figures, so panels and files produced separately still match.</summary>
internal static class PlotStyle
{
    private static readonly IPalette Palette = new ScottPlot.Palettes.Category10();

    // Distinct shapes keep series apart when a figure is printed in grey or markers overlap.
    private static readonly MarkerShape[] Shapes =
        [MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond, MarkerShape.FilledTriangleDown];

    public static Color SeriesColor(int i) => Palette.GetColor(i);

    // Cool colours only: warm ones are reserved for highlighted edges and must not be mistaken for them.
    private static readonly Color[] Layers =
        [Color.FromHex("#1F77B4"), Color.FromHex("#2CA02C"), Color.FromHex("#9467BD"), Color.FromHex("#17BECF"), Color.FromHex("#8C564B")];

    public static Color LayerColor(int layer) => Layers[LayerColorIndex(layer)];

    /// <summary>Which of the layer colours a layer gets (they repeat every few layers).</summary>
    public static int LayerColorIndex(int layer) => ((layer % Layers.Length) + Layers.Length) % Layers.Length;

    public static MarkerShape SeriesShape(int i) => Shapes[i % Shapes.Length];

    public static readonly Color Highlight = Color.FromHex("#FF7F50");

    public static readonly Color Muted = Color.FromHex("#7F7F7F");

    public const float TitleSize = 18;

    public const float LabelSize = 15;

    public const float TickSize = 13;

    public static void ApplyFonts(Plot plot)
    {
        plot.Axes.Title.Label.FontSize = TitleSize;
        plot.Axes.Bottom.Label.FontSize = LabelSize;
        plot.Axes.Left.Label.FontSize = LabelSize;
        plot.Axes.Bottom.TickLabelStyle.FontSize = TickSize;
        plot.Axes.Left.TickLabelStyle.FontSize = TickSize;
        plot.Legend.FontSize = TickSize;
    }

    /// <summary>Writes a placeholder so an empty run still yields a figure that says why it is blank.</summary>
    public static void AddNoDataNote(Plot plot, double x, double y, string note = "no data")
    {
        var text = plot.Add.Text(note, x, y);
        text.Alignment = Alignment.MiddleCenter;
        text.LabelFontSize = 20;
        text.LabelFontColor = Muted;
    }
}

using ResidualSheaf.Engine.Sheaves;
using ScottPlot;

namespace ResidualSheaf.Runner.Plotting;

/// <summary>
/// Draws a sheaf's underlying graph with vertices on a line in topological order. Skip and chord edges, the ones that
/// distinguish the junction and chord constructions, are highlighted and arched above the main path so they stay legible.
/// </summary>
public static class SheafGraphPlot
{
    private const int PixelsPerVertex = 150;
    private const float VertexSize = 22;
    private const float TipOffset = VertexSize / 2 + 3;

    /// <summary>Writes a PNG of the sheaf's graph; width defaults to a size proportional to the vertex count.</summary>
    public static void Save(string path, CellularSheaf sheaf, string title, int? width = null, int? height = null)
    {
        var (plot, w, ht) = Build(sheaf, title);
        plot.SavePng(path, width ?? w, height ?? ht);
    }

    /// <summary>The figure of <see cref="Save"/>, not yet saved, with its natural width and height in pixels.</summary>
    public static (Plot Plot, int Width, int Height) Build(CellularSheaf sheaf, string title)
    {
        var plot = new Plot();
        PlotStyle.ApplyFonts(plot);
        plot.HideAxesAndGrid();
        // HideAxesAndGrid also hides the title panel; the figure still needs its caption.
        plot.Axes.Title.IsVisible = true;
        plot.Title(title);

        var vertices = sheaf.Vertices;
        // Position by list index, not Id, so a sheaf whose ids are not 0..n-1 still lays out left to right.
        var column = new Dictionary<int, int>();
        for (int i = 0; i < vertices.Count; i++) column[vertices[i].Id] = i;

        var arcs = new ArcStacker();
        double top = 0.35, bottom = -0.45;
        foreach (var e in sheaf.Edges)
        {
            if (!column.TryGetValue(e.Tail, out int t) || !column.TryGetValue(e.Head, out int h)) continue;
            bool highlight = e.Kind is EdgeKind.Skip or EdgeKind.Chord;
            var color = highlight ? PlotStyle.Highlight : PlotStyle.Muted;
            if (!highlight && Math.Abs(h - t) == 1 && arcs.ClaimStraight(t, h))
            {
                DrawStraight(plot, t, h, e.Name, color);
                continue;
            }
            // Highlighted edges go above; long or parallel path edges go below so they never cross vertices either.
            int side = highlight ? 1 : -1;
            double lift = arcs.Height(t, h, side);
            DrawArc(plot, t, h, side * lift, e.Name, color, highlight ? 2.5f : 1.5f);
            if (side > 0) top = Math.Max(top, lift + 0.3);
            else bottom = Math.Min(bottom, -lift - 0.3);
        }

        for (int i = 0; i < vertices.Count; i++) DrawVertex(plot, i, vertices[i]);
        AddKey(plot, sheaf);

        double right = Math.Max(vertices.Count - 1, 0);
        plot.Axes.SetLimits(-0.6, right + 0.6, bottom, top);
        if (vertices.Count == 0) PlotStyle.AddNoDataNote(plot, right / 2, (top + bottom) / 2);

        int w = Math.Max(600, PixelsPerVertex * vertices.Count + 120);
        int ht = (int)Math.Clamp(140 + 190 * (top - bottom), 380, 900);
        return (plot, w, ht);
    }

    /// <summary>Explains the vertex colours (one per layer, repeating) and the two edge colours; only what occurs is listed.</summary>
    private static void AddKey(Plot plot, CellularSheaf sheaf)
    {
        bool highlighted = sheaf.Edges.Any(e => e.Kind is EdgeKind.Skip or EdgeKind.Chord);
        bool plain = sheaf.Edges.Any(e => e.Kind is not (EdgeKind.Skip or EdgeKind.Chord));
        foreach (var group in sheaf.Vertices.Select(v => v.Layer).Distinct().Order().GroupBy(PlotStyle.LayerColorIndex))
        {
            var layers = group.ToList();
            string which = layers.Count <= 3 ? string.Join(", ", layers) : $"{layers[0]}, {layers[1]}, … ({layers.Count} layers)";
            plot.Legend.ManualItems.Add(new LegendItem
            {
                LabelText = $"layer {which} vertex",
                MarkerShape = MarkerShape.FilledCircle,
                MarkerFillColor = PlotStyle.LayerColor(layers[0]),
                MarkerLineColor = Colors.Black,
                MarkerSize = 12,
            });
        }
        plot.Legend.FontSize = 14;
        plot.ShowLegend(Alignment.UpperLeft, Orientation.Horizontal);
        if (!highlighted) return;
        string kinds = string.Join(" / ", sheaf.Edges.Select(e => e.Kind).Where(k => k is EdgeKind.Skip or EdgeKind.Chord)
            .Distinct().Select(k => k.ToString().ToLowerInvariant()));
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"{kinds} edge", LineColor = PlotStyle.Highlight, LineWidth = 2.5f });
        if (plain)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = "other edge", LineColor = PlotStyle.Muted, LineWidth = 1.5f });
    }

    private static void DrawVertex(Plot plot, int x, Vertex v)
    {
        var marker = plot.Add.Marker(x, 0, MarkerShape.FilledCircle, VertexSize, PlotStyle.LayerColor(v.Layer));
        marker.MarkerLineColor = Colors.Black;
        marker.MarkerLineWidth = 1;
        var label = plot.Add.Text($"{v.Name}\nℝ{Superscript(v.Dimension)}", x, 0);
        label.Alignment = Alignment.UpperCenter;
        label.OffsetY = VertexSize / 2 + 4;
        label.LabelFontSize = 16;
        label.LabelBackgroundColor = Colors.White.WithAlpha(0.8);
    }

    private static void DrawStraight(Plot plot, int tail, int head, string name, Color color)
    {
        AddArrow(plot, new Coordinates(tail, 0), new Coordinates(head, 0), color, 1.5f);
        AddEdgeLabel(plot, name, (tail + head) / 2.0, 0, color, above: true);
    }

    private static void DrawArc(Plot plot, int tail, int head, double lift, string name, Color color, float width)
    {
        const int segments = 40;
        // A self-loop has no horizontal extent; give it a small one so it shows as a loop over the vertex.
        double x0 = tail == head ? tail - 0.2 : tail, x1 = tail == head ? head + 0.2 : head;
        var points = new Coordinates[segments + 1];
        for (int k = 0; k <= segments; k++)
        {
            double u = (double)k / segments;
            points[k] = new Coordinates(x0 + (x1 - x0) * u, lift * Math.Sin(Math.PI * u));
        }
        var line = plot.Add.ScatterLine(points[..^2], color);
        line.LineWidth = width;
        line.MarkerSize = 0;
        // The arrowhead takes the curve's final chord so it points into the head vertex along the arc.
        AddArrow(plot, points[^4], points[^1], color, width);
        AddEdgeLabel(plot, name, (x0 + x1) / 2, lift, color, above: lift > 0);
    }

    private static void AddArrow(Plot plot, Coordinates from, Coordinates to, Color color, float width)
    {
        var arrow = plot.Add.Arrow(from, to);
        arrow.ArrowFillColor = color;
        arrow.ArrowLineColor = color;
        arrow.ArrowLineWidth = 0;
        arrow.ArrowWidth = width;
        arrow.ArrowheadWidth = 11;
        arrow.ArrowheadLength = 13;
        arrow.ArrowheadAxisLength = 13;
        arrow.ArrowOffset = 0;
        arrow.ArrowMinimumLength = 0;
        arrow.ArrowShape = new InsetArrowShape(TipOffset);
    }

    private static void AddEdgeLabel(Plot plot, string name, double x, double y, Color color, bool above)
    {
        var text = plot.Add.Text(name, x, y);
        text.Alignment = above ? Alignment.LowerCenter : Alignment.UpperCenter;
        text.OffsetY = above ? -3 : 3;
        text.LabelFontSize = 14;
        text.LabelFontColor = color == PlotStyle.Muted ? Colors.Black.WithAlpha(0.75) : color.Darken(0.25);
        text.LabelBackgroundColor = Colors.White.WithAlpha(0.85);
    }

    private static string Superscript(int n) =>
        string.Concat(n.ToString(System.Globalization.CultureInfo.InvariantCulture).Select(c => "⁰¹²³⁴⁵⁶⁷⁸⁹"[c - '0']));
}

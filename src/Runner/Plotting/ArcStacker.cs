namespace ResidualSheaf.Runner.Plotting;

/// <summary>
/// Chooses arc heights for <see cref="SheafGraphPlot"/> so that arcs over the same stretch of the path nest rather than
/// coincide: longer spans rise higher, and a second arc over an already covered stretch is lifted one more step.
/// </summary>
internal sealed class ArcStacker
{
    private const double BaseHeight = 0.45;
    private const double PerSpan = 0.12;
    private const double Step = 0.3;

    private readonly HashSet<(int, int)> _straight = [];
    private readonly List<(int Low, int High, int Side, double Height)> _arcs = [];

    /// <summary>True the first time a straight segment between two neighbours is asked for; parallels must arc instead.</summary>
    public bool ClaimStraight(int tail, int head) => _straight.Add((Math.Min(tail, head), Math.Max(tail, head)));

    /// <summary>Height (positive) for a new arc on the given side, clear of earlier arcs it overlaps.</summary>
    public double Height(int tail, int head, int side)
    {
        int low = Math.Min(tail, head), high = Math.Max(tail, head);
        double height = BaseHeight + PerSpan * Math.Max(high - low - 1, 0);
        foreach (var a in _arcs)
        {
            bool overlaps = a.Side == side && a.Low < high + (low == high ? 1 : 0) && low < a.High + (a.Low == a.High ? 1 : 0);
            if (overlaps && Math.Abs(a.Height - height) < Step)
                height = a.Height + Step;
        }
        // A second pass catches arcs that the raise above now collides with.
        foreach (var a in _arcs)
            if (a.Side == side && a.Low < high && low < a.High && Math.Abs(a.Height - height) < Step * 0.99)
                height = Math.Max(height, a.Height + Step);
        _arcs.Add((low, high, side, height));
        return height;
    }
}

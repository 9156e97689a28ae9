namespace ResidualSheaf.Runner.Batch;

/// <summary>Sample quantiles with linear interpolation between order statistics (NumPy's default, <c>np.quantile(v, q)</c>).</summary>
public static class Quantiles
{
    /// <summary>The levels reported in summary.json.</summary>
    public static readonly double[] Levels = [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1];

    /// <summary>The q-quantile of <paramref name="sorted"/> (ascending, non-empty).</summary>
    public static double Of(IReadOnlyList<double> sorted, double q)
    {
        if (sorted.Count == 0) throw new ArgumentException("no values", nameof(sorted));
        double h = (sorted.Count - 1) * q;
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}

namespace ResidualSheaf.Runner.Batch;

/// <summary>The times at which a batch records every input's energy: 0, then log-spaced from 1e−3 to the end time.</summary>
public static class EnergyGrid
{
    /// <summary>Log-spaced points after t = 0.</summary>
    public const int Points = 60;

    /// <summary>The grid up to <paramref name="endTime"/>.</summary>
    public static double[] Times(double endTime)
    {
        double lo = Math.Min(1e-3, endTime / 10), hi = endTime;
        var t = new double[Points + 1];
        for (int i = 0; i < Points; i++) t[i + 1] = lo * Math.Pow(hi / lo, i / (double)(Points - 1));
        return t;
    }
}

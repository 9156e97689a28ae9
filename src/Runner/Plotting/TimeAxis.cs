namespace ResidualSheaf.Runner.Plotting;

/// <summary>How the time axis of a heat run's figures is scaled.</summary>
public enum TimeAxis
{
    /// <summary>
    /// Logarithmic when the first switch and the end of the trace are at least <see cref="TimeAxes.AutoLogDecades"/> decades
    /// apart, linear otherwise (and always linear without switches: a single exponential is then a straight line).
    /// </summary>
    Auto,

    /// <summary>Linear time.</summary>
    Linear,

    /// <summary>log10 time; rows at t = 0 are left out.</summary>
    Log,
}

/// <summary>Choosing and naming the time axis.</summary>
public static class TimeAxes
{
    /// <summary>The first switch lying this many decades before the end of the trace makes <see cref="TimeAxis.Auto"/> logarithmic.</summary>
    /// <remarks>
    /// Switches cluster early (the transient) while convergence takes ~1/λ_min; on a linear axis two decades already squeeze the
    /// first percent of the switches into the first pixel column, so they merge into a bar against the left edge.
    /// </remarks>
    public const double AutoLogDecades = 2;

    /// <summary>Parses a config or command-line value: auto, linear or log.</summary>
    /// <returns>Null when the value is none of them.</returns>
    public static TimeAxis? Parse(string value) => value switch
    {
        "auto" => TimeAxis.Auto,
        "linear" => TimeAxis.Linear,
        "log" => TimeAxis.Log,
        _ => null,
    };

    /// <summary>The names accepted by <see cref="Parse"/>.</summary>
    public static readonly string[] Names = ["auto", "linear", "log"];

    /// <summary>Resolves <see cref="TimeAxis.Auto"/> from the switch times: true for a log axis.</summary>
    /// <param name="axis">The requested axis.</param>
    /// <param name="switchTimes">Times of the events drawn as markers.</param>
    /// <param name="endTime">Time of the last trace row drawn.</param>
    public static bool IsLog(TimeAxis axis, IEnumerable<double> switchTimes, double endTime)
    {
        if (axis != TimeAxis.Auto) return axis == TimeAxis.Log;
        double first = double.PositiveInfinity;
        foreach (double t in switchTimes)
            if (t > 0 && double.IsFinite(t)) first = Math.Min(first, t);
        return double.IsFinite(first) && endTime > first && Math.Log10(endTime / first) >= AutoLogDecades;
    }
}

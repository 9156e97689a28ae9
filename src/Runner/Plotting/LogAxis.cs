using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace ResidualSheaf.Runner.Plotting;

/// <summary>
/// ScottPlot 5 has no true log scale: data are plotted as log10 values and the axis is relabelled. This class owns the
/// conversion (with a visible floor for zeros, so exact agreement is not silently dropped) and the decade tick setup.
/// </summary>
public static class LogAxis
{
    /// <summary>Smallest value drawn on a log axis; zeros and negatives are clamped here rather than dropped.</summary>
    public const double Floor = 1e-17;

    /// <summary>log10 of a finite value, clamped at <see cref="Floor"/>; null for NaN/∞ so callers can skip the point.</summary>
    public static double? ToLog10(double value, ref bool clamped) => ToLog10(value, ref clamped, Floor);

    /// <summary>log10 of a finite value, clamped at <paramref name="floor"/>; null for NaN/∞.</summary>
    public static double? ToLog10(double value, ref bool clamped, double floor)
    {
        if (!double.IsFinite(value)) return null;
        if (value < floor)
        {
            clamped = true;
            return Math.Log10(floor);
        }
        return Math.Log10(value);
    }

    /// <summary>The axis label, with a note when some values were clamped to the floor.</summary>
    public static string Label(string label, bool clamped) => Label(label, clamped, Floor);

    /// <summary>The axis label, with a note when some values were clamped to <paramref name="floor"/>.</summary>
    public static string Label(string label, bool clamped, double floor) =>
        clamped ? $"{label}  (values < {Format(Math.Log10(floor))}, incl. 0, drawn at {Format(Math.Log10(floor))})" : label;

    /// <summary>Formats a log10 tick position as a decade, e.g. -16 → "1e-16".</summary>
    public static string Format(double log10) =>
        "1e" + Math.Round(log10).ToString("0", CultureInfo.InvariantCulture);

    /// <summary>Puts major ticks on whole decades (labelled 1eN) and minor ticks at 2..9 × 10^N.</summary>
    /// <param name="axis">The axis.</param>
    /// <param name="labelsUpTo">No labels above this log10 position (a part of the axis that holds something else).</param>
    public static void UseDecadeTicks(IAxis axis, double labelsUpTo = double.PositiveInfinity)
    {
        axis.TickGenerator = new NumericAutomatic
        {
            // Fractional log positions would be labelled as non-decades like 1e-2.5 rounded to 1e-2: forbid them.
            IntegerTicksOnly = true,
            MinorTickGenerator = new LogMinorTickGenerator(),
            LabelFormatter = v => v > labelsUpTo + 1e-9 ? "" : Format(v),
        };
    }

    /// <summary>Axis limits in log10 units covering [min, max] out to whole decades, so every range shows at least one tick.</summary>
    public static (double Low, double High) DecadeLimits(double minLog, double maxLog)
    {
        if (!double.IsFinite(minLog) || !double.IsFinite(maxLog)) return (-16, 0);
        double low = Math.Floor(minLog), high = Math.Ceiling(maxLog);
        if (high - low < 1) high = low + 1;
        // With only one or two decade ticks the data hug the frame and the scale is hard to read; widen by a decade each way.
        if (high - low < 2) (low, high) = (low - 1, high + 1);
        // A sliver of padding keeps markers sitting exactly on a decade from being cut in half by the frame.
        double pad = 0.04 * (high - low);
        return (low - pad, high + pad);
    }
}

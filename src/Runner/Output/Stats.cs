namespace ResidualSheaf.Runner.Output;

/// <summary>Summary statistics of a sample (for reports).</summary>
/// <param name="Count">Sample size.</param>
/// <param name="Min">Smallest value.</param>
/// <param name="Median">Median.</param>
/// <param name="Max">Largest value.</param>
public sealed record Stats(int Count, double Min, double Median, double Max)
{
    /// <summary>Statistics of the finite values of a sample (NaN fields when empty).</summary>
    public static Stats Of(IEnumerable<double> values)
    {
        var v = values.Where(double.IsFinite).Order().ToArray();
        if (v.Length == 0) return new Stats(0, double.NaN, double.NaN, double.NaN);
        double med = v.Length % 2 == 1 ? v[v.Length / 2] : 0.5 * (v[v.Length / 2 - 1] + v[v.Length / 2]);
        return new Stats(v.Length, v[0], med, v[^1]);
    }
}

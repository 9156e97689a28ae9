namespace ResidualSheaf.Runner.Plotting;

/// <summary>One panel of <see cref="SemilogScatterPlot.SaveTwoPanel"/>: a titled log-y scatter of several series.</summary>
/// <param name="Title">Panel title.</param>
/// <param name="YLabel">Y-axis label (the log floor note is appended when needed).</param>
/// <param name="Series">Named series, each plotted against its index 0..N-1.</param>
public sealed record SemilogPanel(string Title, string YLabel, IReadOnlyList<(string Label, double[] Y)> Series);

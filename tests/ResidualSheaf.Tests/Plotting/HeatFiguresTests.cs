using System.Text.Json.Nodes;
using ResidualSheaf.Runner.Plotting;
using ScottPlot;

namespace ResidualSheaf.Tests.Plotting;

/// <summary>
/// The heat run's figures (issue 13, item 13): log time axis when the switches span decades, switch markers by direction,
/// titles that say how the run ended, exact zeros drawn apart from data, empty histograms and non-converged cases that say so.
/// </summary>
public class HeatFiguresTests
{
    private static IEnumerable<string> Legend(Plot plot) =>
        plot.GetPlottables().SelectMany(p => p.LegendItems).Select(i => i.LabelText ?? "")
            .Concat(plot.Legend.ManualItems.Select(i => i.LabelText ?? ""));

    private static HeatFigureData Data(double[] t, double[] energy, double[]? distance = null, SwitchMark[]? events = null) => new()
    {
        Name = "run",
        State = "converged",
        Times = t,
        Energy = energy,
        Distance = distance,
        Events = events ?? [],
    };

    [Theory]
    [InlineData(new double[0], 200, false)]            // no switches: a single exponential, straight on a linear axis
    [InlineData(new[] { 0.1, 3.0 }, 194, true)]          // heat-resnet: switches in the first 2 % of the run
    [InlineData(new[] { 10.0, 50.0 }, 194, false)]       // switches spread over the run
    [InlineData(new[] { 0.0, 1.0 }, 100, true)]          // a switch at t = 0 cannot set a decade; the next one does
    public void AutoIsLogWhenTheFirstSwitchIsDecadesBeforeTheEnd(double[] switches, double end, bool log)
    {
        Assert.Equal(log, TimeAxes.IsLog(TimeAxis.Auto, switches, end));
        Assert.True(TimeAxes.IsLog(TimeAxis.Log, switches, end));
        Assert.False(TimeAxes.IsLog(TimeAxis.Linear, switches, end));
    }

    [Fact]
    public void SwitchMarkersAreCountedByDirection()
    {
        double[] t = [0, 0.01, 0.1, 1, 10, 100];
        var data = Data(t, t.Select(x => Math.Exp(-x)).ToArray(),
            events: [new(0.05, "up"), new(0.5, "up"), new(2, "down"), new(3, "slide"), new(4, "slide")]);
        Assert.True(HeatFigures.UsesLogTime(data, new HeatFigureOptions()));
        var legend = Legend(HeatFigures.Energy(data, new HeatFigureOptions(), logTime: true)).ToList();
        Assert.Contains(legend, l => l.StartsWith("switch on", StringComparison.Ordinal) && l.EndsWith(": 2", StringComparison.Ordinal));
        Assert.Contains(legend, l => l.StartsWith("switch off", StringComparison.Ordinal) && l.EndsWith(": 1", StringComparison.Ordinal));
        Assert.Contains(legend, l => l.StartsWith("sliding", StringComparison.Ordinal) && l.EndsWith(": 2", StringComparison.Ordinal));
    }

    [Fact]
    public void ManyEventsAreRowsOfTicksAboveTheCurveNotMarkersOnIt()
    {
        double[] t = Enumerable.Range(0, 400).Select(i => 0.01 * Math.Pow(1.02, i)).ToArray();
        var events = t.Take(HeatFigures.RugAbove + 50).Select((x, i) => new SwitchMark(x, i % 2 == 0 ? "up" : "slide")).ToArray();
        var plot = HeatFigures.Energy(Data(t, t.Select(x => Math.Exp(-x)).ToArray(), events: events), new HeatFigureOptions(), logTime: true);
        var curveTop = plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().Single(s => s.LegendText == "E(t)").Data.GetScatterPoints().Max(p => p.Y);
        var ticks = plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().Where(s => s.MarkerShape == MarkerShape.VerticalBar).ToList();
        Assert.Equal(2, ticks.Count);
        Assert.All(ticks, s => Assert.All(s.Data.GetScatterPoints(), p => Assert.True(p.Y > curveTop)));
        Assert.True(plot.Axes.GetLimits().Top > ticks.Max(s => s.Data.GetScatterPoints().Max(p => p.Y)));
    }

    [Fact]
    public void ExactZerosAreMarkedOnTheBottomEdgeAndNotDrawnAsData()
    {
        double[] t = [0, 1, 2, 3, 4];
        double[] d = [1, 1e-3, 1e-6, 0, 0];
        var plot = HeatFigures.Distance(Data(t, [1, 1, 1, 1, 1], d), new HeatFigureOptions(TimeAxis.Linear), logTime: false)!;
        double low = plot.Axes.GetLimits().Bottom;
        var line = plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().Single(s => s.LegendText.StartsWith("‖c − limit‖", StringComparison.Ordinal) && !s.LegendText.Contains("= 0 exactly", StringComparison.Ordinal));
        var points = line.Data.GetScatterPoints();
        Assert.Equal(3, points.Count);
        // The line's lowest point is the smallest positive value (1e-6), well above the edge where the zeros sit.
        Assert.Equal(-6, points.Min(p => p.Y), 12);
        Assert.True(low < -6);
        var zeros = plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().Single(s => s.LegendText.Contains("= 0 exactly (2", StringComparison.Ordinal));
        Assert.All(zeros.Data.GetScatterPoints(), p => Assert.Equal(low, p.Y));
        Assert.Equal(MarkerShape.Eks, zeros.MarkerShape);
    }

    [Fact]
    public void TheTitleSaysHowTheRunEnded()
    {
        Assert.Equal("converged", HeatFigureData.StateOf(JsonNode.Parse("""{"converged": true, "interrupted": false, "final_time": 3}""")!));
        Assert.Equal("interrupted at t = 12.5", HeatFigureData.StateOf(JsonNode.Parse("""{"converged": false, "interrupted": true, "final_time": 12.5}""")!));
        Assert.Equal("stopped: Plateau at t = 400", HeatFigureData.StateOf(JsonNode.Parse("""{"converged": false, "interrupted": false, "status": "Plateau", "final_time": 400}""")!));
        var data = Data([0, 1], [1, 0.5]) with { State = "interrupted at t = 1" };
        var plot = HeatFigures.Energy(data, new HeatFigureOptions(), logTime: false);
        Assert.Equal("run (interrupted at t = 1) — Dirichlet energy", plot.Axes.Title.Label.Text);
    }

    [Fact]
    public void TheBoundIsDrawnOnlyWhereTheSummarySaysItApplies()
    {
        var applies = JsonNode.Parse("""{"energy_bound": {"applies": true}, "lambda_star": 0.1, "initial_energy": 2, "alpha": 1}""")!;
        var not = JsonNode.Parse("""{"energy_bound": {"applies": false}, "lambda_star": 0.1, "initial_energy": 2, "alpha": 1}""")!;
        Assert.Equal(new EnergyBound(2, 1, 0.1), HeatFigureData.BoundOf(applies));
        Assert.Null(HeatFigureData.BoundOf(not));
    }

    [Theory]
    [InlineData("png", new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' })]
    [InlineData("svg", new byte[] { (byte)'<', (byte)'?', (byte)'x', (byte)'m', (byte)'l' })]
    [InlineData("pdf", new byte[] { (byte)'%', (byte)'P', (byte)'D', (byte)'F' })]
    public void FiguresAreWrittenInEachFormat(string format, byte[] magic)
    {
        string dir = Directory.CreateTempSubdirectory("rs-fig-").FullName;
        try
        {
            var written = HeatFigures.Write(Data([0, 1, 2], [1, 0.1, 0.01]), new HeatFigureOptions(), dir, format);
            Assert.Equal([$"energy.{format}"], written);
            var bytes = File.ReadAllBytes(Path.Combine(dir, written[0]));
            Assert.Equal(magic, bytes.Take(magic.Length).ToArray());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void AnEmptyIncreaseHistogramSaysThatNothingRose()
    {
        var plot = HuntPlots.IncreaseHistogramPlot([], cases: 40);
        var note = Assert.Single(plot.GetPlottables().OfType<ScottPlot.Plottables.Text>());
        Assert.Equal("no increases in 40 case(s)", note.LabelText);
    }

    [Fact]
    public void CasesThatDidNotConvergeAreShownAsLowerBounds()
    {
        var plot = HuntPlots.LogLogScatterPlot("t vs λ", "αλ_min", "time", [("junction", [0.1, 0.2], [10, 5])],
            censored: [("junction", [1e-6], [1000])], censoredNote: "not converged: final time, a lower bound");
        var legend = Legend(plot).ToList();
        Assert.Contains("junction (2)", legend);
        Assert.Contains("junction, not converged: final time, a lower bound (1)", legend);
        var hollow = plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().Single(s => s.LegendText.Contains("lower bound", StringComparison.Ordinal));
        Assert.Equal(MarkerShape.OpenTriangleUp, hollow.MarkerShape);
    }

    [Fact]
    public void TheGraphPlotExplainsItsVertexColours()
    {
        var (plot, _, _) = SheafGraphPlot.Build(ResidualSheaves.Junction(2), "2 blocks");
        var legend = Legend(plot).ToList();
        Assert.Contains(legend, l => l.StartsWith("layer 0", StringComparison.Ordinal) && l.EndsWith("vertex", StringComparison.Ordinal));
        Assert.Contains("skip edge", legend);
    }

    [Fact]
    public void ExactZerosInASemilogScatterAreMarkedApart()
    {
        var plot = SemilogScatterPlot.Build("errors", "input", "error", [("junction", [0, 1e-16, 0, 2e-15])]);
        Assert.Contains(Legend(plot), l => l == "junction = 0 exactly (2, on the bottom edge)");
        Assert.DoesNotContain("drawn at", plot.Axes.Left.Label.Text);
    }
}

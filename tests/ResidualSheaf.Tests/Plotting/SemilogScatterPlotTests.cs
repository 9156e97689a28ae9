using ResidualSheaf.Runner.Plotting;

namespace ResidualSheaf.Tests.Plotting;

public class SemilogScatterPlotTests
{
    private static double[] Discrepancies(int n, int seed, double center)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => center * Math.Pow(10, 1.5 * (rng.NextDouble() - 0.5))).ToArray();
    }

    [Fact]
    public void TwoSeriesWithReferenceLine()
    {
        var path = PngFile.NewPath("semilog-two-series");
        SemilogScatterPlot.Save(path, "max |sheaf − TorchSharp| per input", "input index", "max abs difference",
            [("junction", Discrepancies(200, 1, 1e-15)), ("chord", Discrepancies(200, 2, 1e-9))], referenceLine: 1e-5,
            width: 900, height: 500);
        PngFile.AssertValid(path, 900, 500);
    }

    [Fact]
    public void DefaultSize()
    {
        var path = PngFile.NewPath("semilog-default-size");
        SemilogScatterPlot.Save(path, "residual", "input index", "residual", [("junction", Discrepancies(20, 3, 1e-12))]);
        PngFile.AssertValid(path, 1000, 560);
    }

    [Fact]
    public void EmptySeriesList()
    {
        var path = PngFile.NewPath("semilog-empty");
        SemilogScatterPlot.Save(path, "nothing", "input index", "residual", []);
        PngFile.AssertValid(path, 1000, 560);
    }

    [Fact]
    public void SeriesWithoutValuesAndWithOnlyNaN()
    {
        var path = PngFile.NewPath("semilog-empty-series");
        SemilogScatterPlot.Save(path, "nothing finite", "input index", "residual",
            [("empty", []), ("nan", [double.NaN, double.PositiveInfinity])], referenceLine: 1e-5);
        PngFile.AssertValid(path, 1000, 560);
    }

    [Fact]
    public void ZerosNegativesAndNaNAreHandled()
    {
        var path = PngFile.NewPath("semilog-zeros-nan");
        double[] y = [0, 1e-16, -3, double.NaN, 2e-14, double.NegativeInfinity, 0, 5e-15, 1e-300];
        SemilogScatterPlot.Save(path, "exact agreement", "input index", "max abs difference", [("junction", y)], referenceLine: 0);
        PngFile.AssertValid(path, 1000, 560);
    }

    [Fact]
    public void SingleConstantValue()
    {
        var path = PngFile.NewPath("semilog-constant");
        SemilogScatterPlot.Save(path, "one point", "input index", "residual", [("chord", [1e-3])]);
        PngFile.AssertValid(path, 1000, 560);
    }

    [Fact]
    public void TwoPanels()
    {
        var path = PngFile.NewPath("semilog-two-panel");
        SemilogScatterPlot.SaveTwoPanel(path,
            new SemilogPanel("junction", "least-squares residual", [("block 1", Discrepancies(100, 4, 1e-14)), ("block 2", Discrepancies(100, 5, 1e-13))]),
            new SemilogPanel("chord", "least-squares residual", [("block 1", Discrepancies(100, 6, 1e-2)), ("block 2", Discrepancies(100, 7, 3e-2))]),
            referenceLine: 1e-5, width: 1600, height: 520);
        PngFile.AssertValid(path, 1600, 520);
    }

    [Fact]
    public void TwoPanelsWithEmptyAndZeroPanels()
    {
        var path = PngFile.NewPath("semilog-two-panel-edge");
        SemilogScatterPlot.SaveTwoPanel(path,
            new SemilogPanel("junction", "residual", []),
            new SemilogPanel("chord", "residual", [("zeros", [0, 0, double.NaN])]));
        PngFile.AssertValid(path, 2000, 560);
    }
}

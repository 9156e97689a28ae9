using ResidualSheaf.Runner.Plotting;

namespace ResidualSheaf.Tests.Plotting;

public class LambdaMinPlotTests
{
    private static readonly double[] Scales = [0.01, 0.03, 0.1, 0.3, 1, 3, 10];

    /// <summary>Draws that scale like scale^power with a spread of about half a decade.</summary>
    private static double[][] Draws(int seed, double power, double constant, int draws = 12)
    {
        var rng = new Random(seed);
        return Scales.Select(s => Enumerable.Range(0, draws)
            .Select(_ => constant * Math.Pow(s, power) * Math.Pow(10, rng.NextDouble() - 0.5)).ToArray()).ToArray();
    }

    [Fact]
    public void JunctionAndChord()
    {
        var path = PngFile.NewPath("lambda-min");
        LambdaMinPlot.Save(path, "λ_min(L_free) vs weight scale",
            [("junction", Scales, Draws(1, 2, 0.5)), ("chord", Scales, Draws(2, 0, 0.2))], width: 900, height: 560);
        PngFile.AssertValid(path, 900, 560);
    }

    [Fact]
    public void EmptySeriesList()
    {
        var path = PngFile.NewPath("lambda-min-empty");
        LambdaMinPlot.Save(path, "nothing", []);
        PngFile.AssertValid(path, 1000, 600);
    }

    [Fact]
    public void SeriesWithoutDraws()
    {
        var path = PngFile.NewPath("lambda-min-no-draws");
        LambdaMinPlot.Save(path, "no draws", [("junction", [], []), ("chord", [1.0, 2.0], [[], [double.NaN]])]);
        PngFile.AssertValid(path, 1000, 600);
    }

    [Fact]
    public void ZerosNegativesNaNAndBadScales()
    {
        var path = PngFile.NewPath("lambda-min-edge");
        LambdaMinPlot.Save(path, "singular Laplacians",
        [
            ("junction", [0, 0.1, 1, 10, double.NaN], [[1], [0, 1e-3, -1e-14], [double.NaN, 2e-2, 0], [0.5, double.PositiveInfinity], [1]]),
            ("chord", [0.1, 1, 10], [[1e-20, 1e-3], [1e-2]]),
        ]);
        PngFile.AssertValid(path, 1000, 600);
    }
}

using System.Globalization;

namespace ResidualSheaf.Tests.Runner;

/// <summary><c>runner spectrum-compare</c> draws the spectra of several static runs in one figure and tabulates their quantiles.</summary>
[Collection("Console")]
public sealed class SpectrumCompareTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rs-spectrum-compare-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A static run folder whose sweep.csv holds the given (construction, λ_min, λ_max) rows.</summary>
    private string StaticRun(string name, params (string Construction, string LambdaMin, string LambdaMax)[] rows)
    {
        string folder = Path.Combine(_dir, name);
        Directory.CreateDirectory(folder);
        var lines = new List<string> { "construction,input,method,lambda_min,lambda_max,spectrum_method" };
        lines.AddRange(rows.Select((r, i) => $"{r.Construction},{i},forward-substitution,{r.LambdaMin},{r.LambdaMax},lanczos"));
        File.WriteAllLines(Path.Combine(folder, "sweep.csv"), lines);
        return folder;
    }

    [Fact]
    public void TwoRunsGiveOneFigureAndTheirQuantiles()
    {
        string trained = StaticRun("trained", ("junction", "4e-5", "250"), ("junction", "1e-5", "200"), ("junction", "2e-5", "300"));
        string untrained = StaticRun("untrained", ("junction", "0.016", "4.5"), ("junction", "0.015", "5"),
            ("chord", "0.5", "3"), ("chord", "0.25", "2"), ("junction", "", ""));
        string outFolder = Path.Combine(_dir, "cmp");
        var (code, output, error) = RunnerCli.Run("spectrum-compare", "--out", outFolder, "--format", "svg", $"trained={trained}", $"untrained={untrained}");
        Assert.True(code == 0, error);
        Assert.Contains("spectrum-compare.svg", output);
        string svg = File.ReadAllText(Path.Combine(outFolder, "spectrum-compare.svg"));
        Assert.Contains("<svg", svg);
        foreach (string legend in new[] { "trained (3)", "untrained (junction) (2)", "untrained (chord) (2)" }) Assert.Contains(legend, svg);
        var table = File.ReadAllLines(Path.Combine(outFolder, "spectrum-compare.csv"));
        Assert.Equal("group,quantity,n,min,median,max", table[0]);
        Assert.Equal(1 + 3 * 3, table.Length);
        // Quantiles worked out by hand from the rows above; the empty row (no spectrum) is left out.
        Assert.Contains("trained,lambda_min,3,1E-05,2E-05,4E-05", table);
        Assert.Contains("trained,lambda_max,3,200,250,300", table);
        Assert.Contains("untrained (chord),lambda_min,2,0.25,0.375,0.5", table);
        Assert.Contains("untrained (junction),lambda_max,2,4.5,4.75,5", table);
        // κ per input, not a ratio of quantiles: 250/4e-5, 200/1e-5, 300/2e-5 → 6.25e6, 2e7, 1.5e7.
        var kappa = table.Single(l => l.StartsWith("trained,condition_number,", StringComparison.Ordinal)).Split(',')[3..]
            .Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal([6.25e6, 1.5e7, 2e7], kappa, (a, b) => Math.Abs(a - b) <= 1e-9 * b);
    }

    [Fact]
    public void APngHasThreePanelsSideBySide()
    {
        string run = StaticRun("a", ("junction", "0.1", "4"), ("junction", "0.12", "4.1"));
        string outFolder = Path.Combine(_dir, "png");
        Assert.Equal(0, RunnerCli.Run("spectrum-compare", "--out", outFolder, $"a={run}").Code);
        var png = File.ReadAllBytes(Path.Combine(outFolder, "spectrum-compare.png"));
        Assert.Equal(0x89, png[0]);
        // The PNG header's width and height (big-endian at bytes 16 and 20): three panels across.
        Assert.Equal(2400, (png[16] << 24) | (png[17] << 16) | (png[18] << 8) | png[19]);
        Assert.Equal(640, (png[20] << 24) | (png[21] << 16) | (png[22] << 8) | png[23]);
    }

    [Theory]
    [InlineData("missing-folder", "is not a folder")]
    [InlineData("no-sweep", "has no sweep.csv")]
    [InlineData("no-column", "has no column 'lambda_max'")]
    [InlineData("no-spectrum", "no row with positive lambda_min and lambda_max")]
    [InlineData("duplicate-label", "same label")]
    [InlineData("not-empty", "is not empty")]
    [InlineData("bad-format", "not one of png, svg, pdf")]
    [InlineData("bare-folder", "neither an option nor <label>=<static run folder>")]
    public void BadInputIsExit2NamingTheProblemAndWritesNothing(string kind, string expected)
    {
        string good = StaticRun("good", ("junction", "0.1", "4"));
        string outFolder = Path.Combine(_dir, "out");
        string run = good;
        var extra = new List<string>();
        switch (kind)
        {
            case "missing-folder": run = Path.Combine(_dir, "nowhere"); break;
            case "no-sweep": run = Path.Combine(_dir, "empty"); Directory.CreateDirectory(run); break;
            case "no-column":
                run = Path.Combine(_dir, "nocol");
                Directory.CreateDirectory(run);
                File.WriteAllLines(Path.Combine(run, "sweep.csv"), ["construction,input,lambda_min", "junction,0,0.1"]);
                break;
            case "no-spectrum": run = StaticRun("nospec", ("junction", "", ""), ("junction", "NaN", "NaN")); break;
            case "duplicate-label": extra.Add($"x={good}"); break;
            case "not-empty": Directory.CreateDirectory(outFolder); File.WriteAllText(Path.Combine(outFolder, "f"), ""); break;
            case "bad-format": extra.AddRange(["--format", "jpg"]); break;
            case "bare-folder": extra.Add(good); break;
        }
        var (code, _, error) = RunnerCli.Run(["spectrum-compare", "--out", outFolder, $"x={run}", .. extra]);
        Assert.Equal(2, code);
        Assert.Contains(expected, error);
        if (kind != "not-empty") Assert.False(Directory.Exists(outFolder), "a refused comparison created its --out folder");
        else Assert.Single(Directory.EnumerateFileSystemEntries(outFolder));
    }

    [Fact]
    public void HelpIsExitZero()
    {
        var (code, output, _) = RunnerCli.Run("spectrum-compare", "--help");
        Assert.Equal(0, code);
        Assert.Contains("spectrum-compare.csv", output);
    }
}

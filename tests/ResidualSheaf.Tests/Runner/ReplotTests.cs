namespace ResidualSheaf.Tests.Runner;

/// <summary><c>runner plot RUN_FOLDER</c> re-draws a finished heat run's figures from its files, as PNG or SVG.</summary>
[Collection("Console")]
public sealed class ReplotTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rs-replot-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void AHeatRunIsRedrawnFromItsFilesAsSvgWithALogTimeAxis()
    {
        string run = Path.Combine(_dir, "run");
        Assert.Equal(0, RunnerCli.Run("--config", Path.Combine(HeatRunTests.ConfigsFolder, "heat-resnet.json"), "--out", run).Code);
        string figures = Path.Combine(_dir, "figures");
        var (code, output, error) = RunnerCli.Run("plot", run, "--log-time", "--tmin", "1e-3", "--tmax", "100", "--format", "svg", "--out", figures);
        Assert.True(code == 0, error);
        Assert.Contains("energy.svg", output);
        foreach (string f in new[] { "energy.svg", "distance.svg", "discord.svg", "output.svg" })
        {
            string svg = File.ReadAllText(Path.Combine(figures, f));
            Assert.Contains("<svg", svg);
            Assert.Contains("heat-resnet (converged)", svg);
        }
        Assert.Contains("switch off", File.ReadAllText(Path.Combine(figures, "energy.svg")));
        // One drawing path: the figures a run draws from memory are the ones re-drawn from its files, to the byte.
        string same = Path.Combine(_dir, "same");
        Assert.Equal(0, RunnerCli.Run("plot", run, "--out", same).Code);
        foreach (string f in new[] { "energy.png", "distance.png", "discord.png", "output.png" })
            Assert.True(File.ReadAllBytes(Path.Combine(run, f)).SequenceEqual(File.ReadAllBytes(Path.Combine(same, f))), $"{f} differs when re-drawn");
        // PNG into the run folder itself (the default): its figures are replaced by the re-drawn ones.
        var before = File.GetLastWriteTimeUtc(Path.Combine(run, "energy.png"));
        Thread.Sleep(20);
        Assert.Equal(0, RunnerCli.Run("plot", run).Code);
        Assert.True(File.GetLastWriteTimeUtc(Path.Combine(run, "energy.png")) > before);
    }

    [Theory]
    [InlineData("--format", "jpg", "not one of png, svg, pdf")]
    [InlineData("--tmin", "x", "not a number")]
    [InlineData("--frob", "", "unknown")]
    public void BadArgumentsAreExit2(string flag, string value, string expected)
    {
        string run = Path.Combine(_dir, "r");
        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(run, "trace.csv"), "t,E\n0,1\n");
        File.WriteAllText(Path.Combine(run, "summary.json"), "{}");
        var args = value == "" ? new[] { "plot", run, flag } : ["plot", run, flag, value];
        var (code, _, error) = RunnerCli.Run(args);
        Assert.Equal(2, code);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void AFolderThatIsNotAHeatRunIsRefused()
    {
        var (code, _, error) = RunnerCli.Run("plot", _dir);
        Assert.Equal(2, code);
        Assert.Contains("not a finished heat run folder", error);
    }
}

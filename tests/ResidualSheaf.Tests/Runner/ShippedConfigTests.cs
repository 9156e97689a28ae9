using ResidualSheaf.Runner;

namespace ResidualSheaf.Tests.Runner;

/// <summary>
/// Every config the repository ships passes <c>runner validate</c> where it lies (its relative paths resolve from configs/), and
/// hunt and train-sweep configs reach their own commands' dry runs: a field renamed or a fixture moved shows here, not when a user
/// runs the config.
/// </summary>
[Collection("Console")]
public sealed class ShippedConfigTests
{
    /// <summary>Every .json under configs/ except the weight files (configs/weights holds state_dicts, not configs), relative to configs/.</summary>
    private static List<string> ConfigFiles()
    {
        string root = HeatRunTests.ConfigsFolder;
        return [.. Directory.GetFiles(root, "*.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(rel => !rel.StartsWith("weights/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];
    }

    public static TheoryData<string> Configs() => [.. ConfigFiles()];

    [Fact]
    public void TheShippedConfigsAreFound() =>
        // The hunt, sweep and digits configs are the ones most likely to drift; their presence keeps the theory from passing empty.
        Assert.Superset(new HashSet<string> { "hunt-stacks.json", "train/fig3-beta-scaling.json", "heat-digits-resnet-logits-tol1e-5.json", "heat-resnet.json" },
            ConfigFiles().ToHashSet());

    [Theory]
    [MemberData(nameof(Configs))]
    public void ValidatesWhereItLies(string config)
    {
        var (code, output, error) = Validate(Path.Combine(HeatRunTests.ConfigsFolder, config));
        Assert.True(code == 0, $"runner validate --config {config}: exit {code}\n{error}");
        // A dry run prints the resolved config (JSON; a sweep prints what it would run) and writes nothing.
        Assert.True(output.Contains("\"name\"", StringComparison.Ordinal) || error.Contains("nothing was run or written", StringComparison.Ordinal),
            $"runner validate --config {config} printed neither a resolved config nor a dry-run line:\n{output}\n{error}");
    }

    [Fact]
    public void APlainRunOfAHuntConfigNamesTheHuntCommand()
    {
        string path = Path.Combine(HeatRunTests.ConfigsFolder, "hunt-stacks.json");
        var (code, _, error) = RunnerCli.Run("--config", path, "--dry-run");
        Assert.Equal(Program.BadInput, code);
        Assert.Contains("is a hunt config: run it with runner hunt --config", error);
    }

    private static (int Code, string Out, string Error) Validate(string path) => RunnerCli.Run("validate", "--config", path);
}

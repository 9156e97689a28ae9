using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Models.Weights;
using ResidualSheaf.Runner.Hunt;

namespace ResidualSheaf.Tests.Runner;

/// <summary>
/// Hunts over one fixed network (<c>network.config</c>: e.g. trained weights): every case runs that network with the file's
/// weights (checked against the file, not through the hunt's own code), its rows say so, the hash of the weights is part of the
/// fingerprint (a hunt does not resume on other weights), and fields that do not fit are exit 2 naming the field.
/// </summary>
[Collection("Console")]
public sealed class FixedNetworkHuntTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rs-fixed-hunt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Network = """{ "kind": "resnet", "relu": "after", "blocks": [ { "in": 2, "hidden": 4, "out": 2 }, { "in": 2, "hidden": 3, "out": 3, "projection": true } ] }""";

    // A job config naming the network and a weight file written here from a seeded network scaled by 3 (not a default the hunt could draw).
    private string NetworkConfig(string network = Network, double scale = 3)
    {
        var spec = ArchitectureSpec.Residual([new BlockSpec(2, 4, 2, false), new BlockSpec(2, 3, 3, true)], ReluPlacement.After);
        var scaled = ResidualSheaf.Runner.Jobs.NetworkFactory.Scaled(TorchReference.PyTorchDefault(spec, 5), scale);
        WeightJson.Write(Path.Combine(_dir, "w.json"), scaled, "test");
        string path = Path.Combine(_dir, $"net{Guid.NewGuid():N}.json");
        File.WriteAllText(path, $$"""
            { "name": "n", "job": "static", "network": {{network}}, "weights": { "source": "json", "path": "w.json" },
              "inputs": { "count": 1, "seed": 0, "scale": 1.0 } }
            """);
        return path;
    }

    private string Hunt(string networkConfig, int cases = 12, string extra = "")
    {
        string path = Path.Combine(_dir, $"h{Guid.NewGuid():N}.json");
        File.WriteAllText(path, $$"""
            { "name": "fixed", "master_seed": 3, "cases": {{cases}}, "network": { "config": "{{Path.GetFileName(networkConfig)}}" },
              "constructions": ["junction", "chord"], "input_scale": [0.5, 2], "initial_scale": 1, "alpha": [0.5, 2],
              "heat": { "rtol": 1e-8, "atol": 1e-10, "stop_distance": 1e-8, "t_end": 10000 }, "counterexample_folders": 2 {{extra}} }
            """);
        return path;
    }

    [Fact]
    public void EveryCaseRunsTheFilesNetwork()
    {
        string hunt = Hunt(NetworkConfig());
        string folder = Path.Combine(_dir, "out");
        var (code, _, err) = RunnerCli.Run("hunt", "--config", hunt, "--out", folder);
        Assert.True(code == 0, err);
        var rows = ResultsFile.Read(Path.Combine(folder, "results.csv")).ToList();
        Assert.Equal(12, rows.Count);
        Assert.All(rows, r => Assert.Equal("2-4-2;2-3-3P", r["architecture"]));
        Assert.Equal(2, rows.Select(r => r["construction"]).Distinct().Count());
        Assert.True(rows.Select(r => r["alpha"]).Distinct().Count() > 1, "α is not sampled");

        // The prepared case's network carries the file's weights, value for value.
        var cfg = HuntConfig.Load(hunt);
        var file = WeightJson.Read(Path.Combine(_dir, "w.json"));
        var s = CaseRunner.Prepare(cfg, HuntCase.Sample(cfg, 4));
        foreach (var (name, array) in WeightSet.ToArrays(s.Network)) Assert.Equal(file[name].Values, array.Values);
        Assert.Contains("one fixed network", File.ReadAllText(Path.Combine(folder, "report.md")));
    }

    [Fact]
    public void OtherWeightsChangeTheFingerprintAndAHuntDoesNotResumeOnThem()
    {
        string net = NetworkConfig();
        string hunt = Hunt(net, cases: 3);
        string before = HuntConfig.Load(hunt).Fingerprint();
        string folder = Path.Combine(_dir, "out2");
        Assert.Equal(0, RunnerCli.Run("hunt", "--config", hunt, "--out", folder).Item1);
        NetworkConfig(scale: 2);   // rewrites w.json
        Assert.NotEqual(before, HuntConfig.Load(hunt).Fingerprint());
        var (code, _, err) = RunnerCli.Run("hunt", "--config", hunt, "--out", folder, "--resume");
        Assert.Equal(2, code);
        Assert.Contains("fingerprint", err);
    }

    [Theory]
    [InlineData(""", "weight_scale": 2""", "weight_scale")]
    [InlineData("missing-file", "network.config")]
    [InlineData("mlp", "network.config")]
    [InlineData("sha", "network.weights_sha256")]
    [InlineData("extra", "network.blocks")]
    public void BadFixedNetworkFieldsAreExitTwoNamingTheField(string variant, string field)
    {
        string net = NetworkConfig(variant == "mlp" ? """{ "kind": "mlp", "widths": [2, 3, 1] }""" : Network);
        string hunt = Hunt(net, extra: variant.StartsWith(',') ? variant : "");
        string text = File.ReadAllText(hunt);
        if (variant == "missing-file") text = text.Replace(Path.GetFileName(net), "nope.json");
        if (variant == "sha") text = text.Replace("\"config\": ", "\"weights_sha256\": \"00\", \"config\": ");
        if (variant == "extra") text = text.Replace("\"config\": ", "\"blocks\": [1, 2], \"config\": ");
        File.WriteAllText(hunt, text);
        var (code, _, err) = RunnerCli.Run("hunt", "--config", hunt, "--out", Path.Combine(_dir, "bad"));
        Assert.Equal(2, code);
        Assert.Contains(field, err);
        Assert.False(Directory.Exists(Path.Combine(_dir, "bad")));
    }
}

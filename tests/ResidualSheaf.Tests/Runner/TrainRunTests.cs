using System.Text.Json;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Graph;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Onnx;
using ResidualSheaf.Models.Weights;

namespace ResidualSheaf.Tests.Runner;

/// <summary>
/// Job train end to end: a short paraboloid run (MLP and junction resnet) writes history.csv with the documented columns, the
/// loss falls, and the trained weights read back from the state_dict and the ONNX file equal trained.json; bad train sections
/// are exit 2 naming the field with nothing written.
/// </summary>
[Collection("Console")]
public sealed class TrainRunTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rs-train-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string network, string train, string extra = "")
    {
        string path = Path.Combine(_dir, $"c{Guid.NewGuid():N}.json");
        File.WriteAllText(path, $$"""
            { "name": "t", "job": "train", "output_root": "{{Path.Combine(_dir, "outputs").Replace("\\", "/")}}",
              "network": {{network}}, "weights": { "source": "neural-sheaf" }, "train": {{train}} {{extra}} }
            """);
        return path;
    }

    private const string Mlp = """{ "kind": "mlp", "widths": [2, 8, 1] }""";
    private const string Resnet = """{ "kind": "resnet", "blocks": [ { "in": 2, "hidden": 6 } ], "classifier": 1 }""";
    private const string Short = """{ "data": { "kind": "paraboloid", "n_train": 40, "n_test": 10 }, "epochs": 3, "steps_per_epoch": 200, "dt": 0.01, "baseline": { "learning_rate": 0.01 } }""";

    [Theory]
    [Trait("Category", "Slow")]
    [InlineData("mlp")]
    [InlineData("resnet")]
    public void ShortRunWritesHistoryAndTrainedWeights(string kind)
    {
        string network = kind == "mlp" ? Mlp : Resnet;
        var spec = kind == "mlp"
            ? ArchitectureSpec.Mlp(2, 8, 1)
            : ArchitectureSpec.Residual([new BlockSpec(2, 6, 2, false)], ReluPlacement.After).WithHead(OutputHead.Identity, OutputEdgeMode.Jacobian, 1);
        string outDir = Path.Combine(_dir, "run");
        var (code, _, err) = RunnerCli.Run("--config", Write(network, Short), "--out", outDir);
        Assert.True(code == 0, err);
        var lines = File.ReadAllLines(Path.Combine(outDir, "history.csv"));
        Assert.Equal(string.Join(",", ResidualSheaf.Runner.Jobs.TrainJob.Columns), lines[0]);
        var sheaf = lines.Skip(1).Where(l => l.StartsWith("sheaf,")).Select(l => l.Split(',')).ToArray();
        var gd = lines.Skip(1).Where(l => l.StartsWith("gd,")).ToArray();
        Assert.Equal(4, sheaf.Length);
        Assert.Equal(4, gd.Length);
        double first = double.Parse(sheaf[0][4], System.Globalization.CultureInfo.InvariantCulture);
        double last = double.Parse(sheaf[^1][4], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(last < first, $"train loss {first} → {last}");
        var json = WeightJson.Read(Path.Combine(outDir, "trained.json"));
        var pt = StateDictFile.Read(Path.Combine(outDir, "trained_state_dict.pt"));
        Assert.Equal(json.Keys.Order(), pt.Keys.Order());
        foreach (var (name, a) in json) Assert.Equal(a.Values, pt[name].Values);
        var trained = WeightSet.FromArrays(spec, json, "trained.json");
        var onnx = OnnxNetwork.Load(Path.Combine(outDir, "trained.onnx"));
        foreach (double[] x in new[] { new[] { 0.3, -1.2 }, new[] { 1.5, 0.7 } })
            Assert.Equal(trained.Forward(x)[0], onnx.Forward(x)[0], 1e-14);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        Assert.Equal(last, summary.RootElement.GetProperty("sheaf").GetProperty("final_train_loss").GetDouble());
        Assert.True(File.Exists(Path.Combine(outDir, "loss.png")));
    }

    [Theory]
    [InlineData("""{ "epochs": 3 }""", "train.data")]
    [InlineData("""{ "data": { "kind": "spiral" } }""", "train.data.kind")]
    [InlineData("""{ "data": { "kind": "paraboloid" }, "dt": -1 }""", "train.dt")]
    [InlineData("""{ "data": { "kind": "paraboloid" }, "init": "ones" }""", "train.init")]
    [InlineData("""{ "data": { "kind": "paraboloid" }, "momentum": 1 }""", "train.momentum")]
    [InlineData("""{ "data": { "kind": "files", "path": "nope.csv", "targets_path": "nope.csv" } }""", "train.data.path")]
    [InlineData("""{ "data": { "kind": "circular" } }""", "network.head")]
    public void BadTrainSectionsAreExitTwoNamingTheField(string train, string field)
    {
        var (code, _, err) = RunnerCli.Run("--config", Write(Mlp, train));
        Assert.Equal(2, code);
        Assert.Contains(field, err);
        Assert.False(Directory.Exists(Path.Combine(_dir, "outputs")));
    }

    [Fact]
    public void DataFilesWithABadRowAreExitTwoNamingFileAndRow()
    {
        File.WriteAllText(Path.Combine(_dir, "x.csv"), "x1,x2\n0.1,0.2\n0.3,oops\n");
        File.WriteAllText(Path.Combine(_dir, "y.csv"), "y\n1\n2\n");
        var (code, _, err) = RunnerCli.Run("--config", Write(Mlp, """{ "data": { "kind": "files", "path": "x.csv", "targets_path": "y.csv" } }"""));
        Assert.Equal(2, code);
        Assert.Contains("train.data.path", err);
        Assert.Contains("row 1", err);
    }
}

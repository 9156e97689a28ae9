using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Models.Weights;
using ResidualSheaf.Runner;

namespace ResidualSheaf.Tests.Runner;

/// <summary>Every kind of bad input gives exit code 2, a message naming the field or tensor, and no output folder.</summary>
[Collection("Console")]
public sealed class BadInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rs-bad-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Outputs => Path.Combine(_dir, "outputs");

    private (int Code, string Error) Run(string json)
    {
        string path = Path.Combine(_dir, "config.json");
        File.WriteAllText(path, json);
        var err = new StringWriter();
        var old = Console.Error;
        Console.SetError(err);
        try
        {
            return (Program.Main(["--config", path]), err.ToString());
        }
        finally
        {
            Console.SetError(old);
        }
    }

    private string Config(string network, string extra = "") =>
        $$"""{ "name": "t", "job": "static", "output_root": "{{Outputs}}", "inputs": {"count": 2}, "network": {{network}} {{extra}} }""";

    private const string Block = """{ "kind": "resnet", "blocks": [ { "in": 3, "hidden": 3, "out": 3 } ] }""";

    [Theory]
    [InlineData("""{ "name": "t", "job": "static", "netwrok": {} }""", "netwrok")]
    [InlineData("""{ "name": "t", "job": "statics", "network": {} }""", "'job'")]
    [InlineData("""{ "name": 5, "job": "static" }""", "'name': expected a string")]
    [InlineData("""{ "name": "t", "job": "static", "network": { "kind": "resnet", "blocks": [ { "in": 3, "hiden": 3 } ] } }""", "network.blocks[0].hidden")]
    [InlineData("""{ "name": "t", "job": "static", "network": { "kind": "resnet", "blocks": [ { "in": 2, "hidden": 3, "out": 3 } ] } }""", "needs \"projection\": true")]
    [InlineData("""{ "name": "t", "job": "static", "network": { "kind": "resnet", "blocks": [ { "in": 3, "hidden": 3 }, { "in": 4, "hidden": 3, "out": 4 } ] } }""", "network.blocks[1].in")]
    [InlineData("""{ "name": "t", "job": "static", "network": { "kind": "mlp", "widths": [2, "4", 1] } }""", "network.widths[1]")]
    [InlineData("""{ "name": "t", "job": "static", "network": { "kind": "mlp", "widths": [2, 1] }, "inputs": { "scale": 1e400 } }""", "inputs.scale")]
    [InlineData("""{ "name": "t", "job": "static", "network": { "kind": "mlp", "widths": [2, 1] }, "inputs": { "count": 0 } }""", "inputs.count")]
    [InlineData("""{ "name": "t", "job": "static", "network": { "kind": "mlp", "widths": [2, 1] }, "constructions": ["chord"] }""", "constructions")]
    [InlineData("""{ "name": "t", "job": "static", "network": { "kind": "mlp", "widths": [2, 1] }, "weights": { "source": "json", "path": "missing.json" } }""", "weights.path")]
    [InlineData("""{ "name": "t", "job": "static", "network": { "kind": "mlp", "widths": [2, 1] }, "lambda_min": {} }""", "lambda_min")]
    [InlineData("""{ "name": "t", "job": "static", "network": { "kind": "mlp", "widths": [2, 1] }, "inputs": { "count": NaN } }""", "not valid JSON")]
    public void ConfigErrorsNameTheField(string json, string expected)
    {
        var (code, error) = Run(json);
        Assert.Equal(2, code);
        Assert.Contains(expected, error);
        Assert.False(Directory.Exists(Outputs) && Directory.EnumerateFileSystemEntries(Outputs).Any());
    }

    [Fact]
    public void WeightsJsonWithWrongShapeNamesTheTensor()
    {
        File.WriteAllText(Path.Combine(_dir, "w.json"), """{ "tensors": { "fc1.weight": [[1, 2, 3]], "fc1.bias": [0] } }""");
        var (code, error) = Run($$"""{ "name": "t", "job": "static", "output_root": "{{Outputs}}", "network": { "kind": "mlp", "widths": [2, 1] }, "weights": { "source": "json", "path": "w.json" } }""");
        Assert.Equal(2, code);
        Assert.Contains("'fc1.weight' has shape [1, 3]", error);
        Assert.False(Directory.Exists(Outputs) && Directory.EnumerateFileSystemEntries(Outputs).Any());
    }

    [Fact]
    public void WeightsJsonWithNonFiniteEntryIsRejected()
    {
        File.WriteAllText(Path.Combine(_dir, "w.json"), """{ "tensors": { "fc1.weight": [[1, 2e999]], "fc1.bias": [0] } }""");
        var (code, error) = Run($$"""{ "name": "t", "job": "static", "output_root": "{{Outputs}}", "network": { "kind": "mlp", "widths": [2, 1] }, "weights": { "source": "json", "path": "w.json" } }""");
        Assert.Equal(2, code);
        Assert.Contains("fc1.weight", error);
        Assert.Contains("not finite", error);
    }

    [Fact]
    public void StateDictOfTheWrongArchitectureNamesTheTensor()
    {
        var other = TorchReference.PyTorchDefault(ArchitectureSpec.Residual([new BlockSpec(3, 5, 3, false)], ReluPlacement.After), 1);
        StateDictFile.Write(Path.Combine(_dir, "m.pth"), other);
        var (code, error) = Run(Config(Block, """, "weights": { "source": "state_dict", "path": "m.pth" }"""));
        Assert.Equal(2, code);
        Assert.Contains("'fc1.weight' has shape [5, 3]", error);
        Assert.False(Directory.Exists(Outputs) && Directory.EnumerateFileSystemEntries(Outputs).Any());
    }

    [Fact]
    public void CorruptStateDictIsRejected()
    {
        File.WriteAllText(Path.Combine(_dir, "m.pth"), "not a zip");
        var (code, error) = Run(Config(Block, """, "weights": { "source": "state_dict", "path": "m.pth" }"""));
        Assert.Equal(2, code);
        Assert.Contains("cannot be read as a PyTorch state_dict", error);
    }

    [Fact]
    public void EmptyOutputRootIsRefused()
    {
        var (code, error) = Run("""{ "name": "t", "job": "static", "output_root": "", "network": { "kind": "mlp", "widths": [2, 1] } }""");
        Assert.Equal(2, code);
        Assert.Contains("'output_root': must not be empty", error);
    }

    [Fact]
    public void DuplicateKeysAreRefusedNamingTheKey()
    {
        var (code, error) = Run($$"""{ "name": "t", "job": "static", "output_root": "{{Outputs}}", "network": { "kind": "mlp", "widths": [2, 1], "widths": [2, 3, 1] } }""");
        Assert.Equal(2, code);
        Assert.Contains("'network.widths': appears more than once", error);
    }

    [Fact]
    public void ADirectoryGivenAsConfigOrWeightsFileIsCalledADirectory()
    {
        var err = new StringWriter();
        var old = Console.Error;
        Console.SetError(err);
        try
        {
            Assert.Equal(2, Program.Main(["--config", _dir]));
        }
        finally
        {
            Console.SetError(old);
        }
        Assert.Contains("is a directory, not a config file", err.ToString());
        Directory.CreateDirectory(Path.Combine(_dir, "w.json"));
        var (code, error) = Run($$"""{ "name": "t", "job": "static", "output_root": "{{Outputs}}", "network": { "kind": "mlp", "widths": [2, 1] }, "weights": { "source": "json", "path": "w.json" } }""");
        Assert.Equal(2, code);
        Assert.Contains("'weights.path'", error);
        Assert.Contains("is a directory", error);
    }

    [Fact]
    public void OutputRootUnderARegularFileNamesTheField()
    {
        File.WriteAllText(Path.Combine(_dir, "plain"), "x");
        string root = Path.Combine(_dir, "plain", "outputs");
        var (code, error) = Run($$"""{ "name": "t", "job": "static", "output_root": "{{root}}", "network": { "kind": "mlp", "widths": [2, 1] } }""");
        Assert.Equal(2, code);
        Assert.Contains("'output_root'", error);
        Assert.Contains("is a regular file", error);
    }

    [Fact]
    public void NonFiniteInitialEnergyIsRefusedNamingTheField()
    {
        var (code, error) = Run($$"""
            { "name": "t", "job": "heat", "output_root": "{{Outputs}}", "network": { "kind": "resnet", "blocks": [ { "in": 3, "hidden": 3 } ] },
              "heat": { "initial": { "kind": "normal", "seed": 1, "scale": 1e200 } } }
            """);
        Assert.Equal(2, code);
        Assert.Contains("'heat.initial.scale'", error);
        Assert.Contains("not a finite", error);
        Assert.False(Directory.Exists(Outputs) && Directory.EnumerateFileSystemEntries(Outputs).Any());
    }

    [Fact]
    public void UsageErrors()
    {
        Assert.Equal(2, Program.Main([]));
        Assert.Equal(2, Program.Main(["--config"]));
        Assert.Equal(2, Program.Main(["--frobnicate"]));
        Assert.Equal(0, Program.Main(["--help"]));
    }
}

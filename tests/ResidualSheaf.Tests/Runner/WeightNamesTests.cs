using System.Text.Json;
using ResidualSheaf.Runner.Config;
using ResidualSheaf.Runner.Jobs;

namespace ResidualSheaf.Tests.Runner;

/// <summary><c>weights.names</c>: a state_dict saved with the user's own parameter names loads into a declared architecture.</summary>
public sealed class WeightNamesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rs-names-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private RunConfig Parse(string names)
    {
        using var doc = JsonDocument.Parse($$"""
            { "name": "t", "job": "static", "network": { "kind": "mlp", "widths": [3, 4, 2] },
              "weights": { "source": "state_dict", "path": "theirs.pt", "names": {{names}} } }
            """);
        return RunConfig.Parse(doc.RootElement, _dir);
    }

    /// <summary>Copies tests/fixtures/state_dict/theirs.pt (an MLP 3 → 4 → 2 saved by PyTorch as encoder.0.*, head.*) next to the config.</summary>
    private void CopyFixture()
    {
        string fixture = Path.Combine(ResidualSheaf.Tests.Models.Onnx.OnnxFixtures.Folder, "..", "state_dict", "theirs.pt");
        File.Copy(fixture, Path.Combine(_dir, "theirs.pt"));
    }

    [Fact]
    public void StateDictWithTheirNamesLoadsUnderOurs()
    {
        CopyFixture();
        var net = NetworkFactory.Create(Parse("""{ "fc1": "encoder.0", "fc2.weight": "head.weight", "fc2.bias": "head.bias" }"""));
        Assert.Equal(["fc1", "fc2"], net.Layers.Select(l => l.Name));
        // PyTorch's own forward pass of the saved module, printed by the fixture's export.py.
        var y = net.Forward([0.3, -1.2, 2.0]);
        Assert.True(Math.Abs(y[0] - 0.2502536068132748) <= 1e-15, $"{y[0]}");
        Assert.True(Math.Abs(y[1] - -0.38063737428805466) <= 1e-15, $"{y[1]}");
    }

    [Fact]
    public void UnknownOursOrMissingTheirsNamesTheField()
    {
        CopyFixture();
        var e1 = Assert.Throws<ConfigException>(() => Parse("""{ "fc9": "encoder.0" }"""));
        Assert.Equal("weights.names.fc9", e1.Field);
        var e2 = Assert.Throws<ConfigException>(() => NetworkFactory.Create(Parse("""{ "fc1": "encoder.7", "fc2": "head" }""")));
        Assert.Contains("'fc1' → 'encoder.7'", e2.Message);
        // Without the map the file's names do not fit the architecture: the usual error names the tensor.
        var e3 = Assert.Throws<ConfigException>(() => NetworkFactory.Create(Parse("""{ "fc2": "head" }""")));
        Assert.Contains("fc1", e3.Message);
    }
}

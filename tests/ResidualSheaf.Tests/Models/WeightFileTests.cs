using ResidualSheaf.Models.Graph;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Models.Weights;

namespace ResidualSheaf.Tests.Models;

public sealed class WeightFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rs-weights-").FullName;
    private static readonly ArchitectureSpec Stack =
        ArchitectureSpec.Residual([new BlockSpec(2, 4, 4, true), new BlockSpec(4, 3, 4, false)], ReluPlacement.Before);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void JsonRoundTripIsExact()
    {
        var net = TorchReference.PyTorchDefault(Stack, 9);
        string path = Path.Combine(_dir, "w.json");
        WeightJson.Write(path, net, "test");
        var back = WeightSet.FromArrays(Stack, WeightJson.Read(path), path);
        Assert.Equal(net.Layers.Count, back.Layers.Count);
        for (int l = 0; l < net.Layers.Count; l++)
        {
            Assert.Equal(net.Layers[l].Name, back.Layers[l].Name);
            Assert.Equal(net.Layers[l].Weight, back.Layers[l].Weight);
            Assert.Equal(net.Layers[l].Bias, back.Layers[l].Bias);
        }
    }

    [Fact]
    public void StateDictRoundTripThroughPyBridge()
    {
        var net = TorchReference.PyTorchDefault(Stack, 10);
        string path = Path.Combine(_dir, "w.pth");
        StateDictFile.Write(path, net);
        var arrays = StateDictFile.Read(path);
        Assert.Contains("blocks.0.proj.weight", arrays.Keys);
        var back = WeightSet.FromArrays(Stack, arrays, path);
        // Seeded weights are float32 numbers, so a float32 state_dict carries them exactly.
        for (int l = 0; l < net.Layers.Count; l++) Assert.Equal(net.Layers[l].Weight, back.Layers[l].Weight);
    }

    [Fact]
    public void StateDictOfAStackWithAClassifierHoldsEveryTensor()
    {
        // Once, the file held only the body module: classifier.* was missing (issue 18). Float64, so every value is exact.
        var spec = Stack.WithHead(OutputHead.Softmax, ResidualSheaf.Engine.Sheaves.OutputEdgeMode.Jacobian, 3);
        var net = TorchReference.NeuralSheafDefault(spec, 5);
        string path = Path.Combine(_dir, "classifier.pt");
        StateDictFile.Write(path, net, TorchSharp.torch.ScalarType.Float64);
        var arrays = StateDictFile.Read(path);
        var expected = WeightSet.ToArrays(net).ToDictionary(p => p.Name, p => p.Array);
        Assert.Equal(expected.Keys.Order(), arrays.Keys.Order());
        Assert.Contains("classifier.weight", arrays.Keys);
        foreach (var (name, a) in expected)
        {
            Assert.Equal(a.Shape, arrays[name].Shape);
            Assert.Equal(a.Values, arrays[name].Values);
        }
    }

    [Fact]
    public void StateDictOfAnotherArchitectureIsRejectedByTensorName()
    {
        var other = TorchReference.PyTorchDefault(ArchitectureSpec.Residual([new BlockSpec(2, 5, 4, true), new BlockSpec(4, 3, 4, false)], ReluPlacement.Before), 1);
        string path = Path.Combine(_dir, "other.pth");
        StateDictFile.Write(path, other);
        var e = Assert.Throws<ArgumentException>(() => WeightSet.FromArrays(Stack, StateDictFile.Read(path), path));
        Assert.Contains("'blocks.0.fc1.weight' has shape [5, 2]", e.Message);
    }

    [Fact]
    public void MissingAndExtraTensorsAreNamed()
    {
        var arrays = WeightSet.ToArrays(TorchReference.PyTorchDefault(Stack, 1)).ToDictionary(p => p.Name, p => p.Array);
        arrays.Remove("blocks.1.fc2.bias");
        var e = Assert.Throws<ArgumentException>(() => WeightSet.FromArrays(Stack, arrays, "src"));
        Assert.Contains("'blocks.1.fc2.bias' is missing", e.Message);
        arrays["blocks.1.fc2.bias"] = new NamedArray([4], new double[4]);
        arrays["blocks.7.fc1.weight"] = new NamedArray([1], [0.0]);
        e = Assert.Throws<ArgumentException>(() => WeightSet.FromArrays(Stack, arrays, "src"));
        Assert.Contains("blocks.7.fc1.weight", e.Message);
    }

    [Theory]
    [InlineData("{\"tensors\": {\"fc1.weight\": [[1, 2], [3]]}}", "ragged")]
    [InlineData("{\"tensors\": {\"fc1.weight\": [[1, \"x\"]]}}", "not a number")]
    [InlineData("{\"tensor\": {}}", "unknown key 'tensor'")]
    [InlineData("{\"tensors\": ", "not valid JSON")]
    public void BadWeightJsonIsRejected(string text, string expected)
    {
        string path = Path.Combine(_dir, "bad.json");
        File.WriteAllText(path, text);
        var e = Assert.ThrowsAny<ArgumentException>(() => WeightJson.Read(path));
        Assert.Contains(expected, e.Message);
    }
}

using ResidualSheaf.Models.Onnx;

namespace ResidualSheaf.Tests.Models.Onnx;

/// <summary>Files the product cannot map are refused with the node (or the file) named.</summary>
public sealed class OnnxBadInputTests
{
    [Theory]
    [InlineData("broken_unsupported_operator.onnx", "/Tanh", "unsupported operator Tanh")]
    [InlineData("broken_inconsistent_shapes.onnx", "fc2", "inconsistent shapes")]
    [InlineData("broken_add_shapes.onnx", "residual_add", "without a projection")]
    [InlineData("broken_missing_initializer.onnx", "/layers.1/Gemm", "layers.1.weight")]
    public void BrokenGraphNamesTheNode(string fixture, string node, string problem)
    {
        var e = Assert.Throws<OnnxModelException>(() => OnnxNetwork.Load(OnnxFixtures.Path(fixture)));
        Assert.Equal(node, e.Node);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void TextFileIsNotAnOnnxModel()
    {
        var e = Assert.Throws<OnnxModelException>(() => OnnxNetwork.Load(OnnxFixtures.Path("broken_not_onnx.onnx")));
        Assert.Null(e.Node);
        Assert.Contains("is not an ONNX model", e.Message);
    }

    [Fact]
    public void DynamicFeatureDimensionIsRefused()
    {
        var e = Assert.Throws<OnnxModelException>(() => OnnxNetwork.Load(OnnxFixtures.Path("broken_dynamic_features.onnx")));
        Assert.Contains("dimension 1 ('features') is dynamic", e.Message);
    }
}

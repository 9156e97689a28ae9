using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Onnx;
using ResidualSheaf.Models.Torch;
using TorchSharp;

namespace ResidualSheaf.Tests.Models.Onnx;

/// <summary>
/// Where a PyTorch export is an architecture we also build natively, the sheaf read from ONNX is the native one (same cells,
/// maps, layers and, bit for bit, the same harmonic extension), and ONNX Runtime agrees with the TorchSharp module.
/// </summary>
public sealed class OnnxGraphMappingTests
{
    [Fact]
    public void MlpExportIsTheNativeMlp()
    {
        var onnx = OnnxNetwork.Load(OnnxFixtures.Path("mlp.onnx"));
        var native = new Mlp(Renamed(onnx.Layers, Enumerable.Range(1, onnx.Layers.Count).Select(l => $"fc{l}").ToArray()));
        AssertSameSheafAndNumbers(onnx, native, "mlp.onnx", SkipConstruction.Junction);
    }

    [Theory]
    [InlineData("resblock_after.onnx", ReluPlacement.After)]
    [InlineData("resblock_before.onnx", ReluPlacement.Before)]
    public void LabBlockExportIsTheNativeBlockInBothConstructions(string fixture, ReluPlacement placement)
    {
        var onnx = OnnxNetwork.Load(OnnxFixtures.Path(fixture));
        var l = Renamed(onnx.Layers, ["fc1", "fc2"]);
        var native = new ResidualStack([new ResidualBlock(l[0], l[1], null, placement)]);
        AssertSameSheafAndNumbers(onnx, native, fixture, SkipConstruction.Junction);
        AssertSameSheafAndNumbers(onnx, native, fixture, SkipConstruction.Chord);
    }

    [Fact]
    public void ProjectionStackExportIsTheNativeStack()
    {
        var onnx = OnnxNetwork.Load(OnnxFixtures.Path("stack_projection.onnx"));
        // The reader emits a block's projection with its addition, after fc2: fc1, fc2 (block 1), fc1, fc2, proj (block 2).
        var l = Renamed(onnx.Layers, ["blocks.0.fc1", "blocks.0.fc2", "blocks.1.fc1", "blocks.1.fc2", "blocks.1.proj"]);
        Assert.Null(l[4].Bias);
        var native = new ResidualStack([new ResidualBlock(l[0], l[1], null, ReluPlacement.After), new ResidualBlock(l[2], l[3], l[4], ReluPlacement.After)]);
        AssertSameSheafAndNumbers(onnx, native, "stack_projection.onnx", SkipConstruction.Junction);
    }

    [Fact]
    public void ManySkipsKeepsTheBiasedProjectionAsALayerAndAbsorbsTheBiasFreeOne()
    {
        var onnx = OnnxNetwork.Load(OnnxFixtures.Path("many_skips.onnx"));
        var adds = onnx.Graph.Nodes.OfType<ResidualSheaf.Models.Graph.AddNode>().ToArray();
        Assert.Equal(2, adds.Length); // (fc3 a2 + proj x) + short a1: consecutive Adds
        Assert.All(adds[0].Projections, Assert.Null); // proj has a bias: a Linear node, its edge folded into the junction
        Assert.Null(adds[1].Projections[0]);
        Assert.NotNull(adds[1].Projections[1]); // short (bias-free) on a1, which fc2 also reads: a projection skip
        Assert.Equal(5, adds[1].Projections[1]!.In);
    }

    private static LinearLayer[] Renamed(IReadOnlyList<LinearLayer> layers, string[] names)
    {
        Assert.Equal(names.Length, layers.Count);
        return layers.Select((l, k) => new LinearLayer(l.In, l.Out, l.Weight, l.Bias, names[k])).ToArray();
    }

    private static void AssertSameSheafAndNumbers(OnnxNetwork onnx, INetwork native, string fixture, SkipConstruction construction)
    {
        var a = SheafConstructor.Build(onnx, construction);
        var b = SheafConstructor.Build(native, construction);
        Assert.Equal(b.Sheaf.Vertices.Select(v => (v.Dimension, v.Offset, v.Layer)), a.Sheaf.Vertices.Select(v => (v.Dimension, v.Offset, v.Layer)));
        Assert.Equal(b.Sheaf.Edges.Select(e => (e.Tail, e.Head, e.Kind, e.Layer, e.Dimension, e.Affine)), a.Sheaf.Edges.Select(e => (e.Tail, e.Head, e.Kind, e.Layer, e.Dimension, e.Affine)));
        var all = new MaskPattern(a.Sheaf.TotalDimension);
        for (int k = 0; k < a.Sheaf.Edges.Count; k++)
        {
            Assert.Equal(b.Sheaf.Edges[k].TailMap.Entries(all), a.Sheaf.Edges[k].TailMap.Entries(all));
            Assert.Equal(b.Sheaf.Edges[k].HeadMap.Entries(all), a.Sheaf.Edges[k].HeadMap.Entries(all));
        }
        Assert.Equal(b.Sheaf.MaskCoordinates, a.Sheaf.MaskCoordinates);
        Assert.Equal(b.Input.Offset, a.Input.Offset);
        Assert.Equal(b.Output.Offset, a.Output.Offset);

        using var ort = OnnxRuntimeReference.Open(OnnxFixtures.Path(fixture));
        using var torch64 = TorchReference.Create(native, torch.ScalarType.Float64);
        foreach (var x in InputSampler.Normal(20, onnx.InputDimension, 3, scale: 2.0))
        {
            var sa = DirichletSolver.Solve(a.Problem(x), initialMasks: a.ForwardMasks(x));
            var sb = DirichletSolver.Solve(b.Problem(x), initialMasks: b.ForwardMasks(x));
            Assert.Equal(sb.Cochain, sa.Cochain); // bit for bit
            if (construction != SkipConstruction.Junction) continue;
            var yo = ort.Forward(x);
            var yt = torch64.Forward(x);
            for (int i = 0; i < yo.Length; i++) Assert.True(Math.Abs(yo[i] - yt[i]) <= 1e-12, $"ONNX Runtime {yo[i]} vs TorchSharp {yt[i]}");
        }
    }
}

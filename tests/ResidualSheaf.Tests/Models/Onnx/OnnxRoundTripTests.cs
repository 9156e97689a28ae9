using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Onnx;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Runner.Config;
using ResidualSheaf.Runner.Jobs;
using TorchSharp;

namespace ResidualSheaf.Tests.Models.Onnx;

/// <summary>
/// Our declared configs written to ONNX by the product and read back give the same sheaf (every cell, name, map and layer) and,
/// bit for bit, the same solutions; ONNX Runtime on the written file agrees with TorchSharp, which checks the writer itself.
/// </summary>
public sealed class OnnxRoundTripTests
{
    public static TheoryData<string> Configs() =>
        ["lab14-static.json", "lab14-two-blocks.json", "lab14-projection.json", "golden-mlp.json", "heat-two-blocks.json", "heat-resnet.json"];

    [Theory]
    [MemberData(nameof(Configs))]
    public void DeclaredConfigSurvivesTheRoundTrip(string configName)
    {
        string configs = Path.Combine(OnnxFixtures.Folder, "..", "..", "..", "configs");
        var native = NetworkFactory.Create(RunConfig.Load(Path.Combine(configs, configName)));
        var bytes = OnnxWriter.Write(native);
        var back = OnnxNetwork.FromBytes(bytes, configName);
        Assert.Equal(native.Layers.Select(l => l.Name).Order(), back.Layers.Select(l => l.Name).Order());
        bool skips = native.Graph.HasAdditions;
        foreach (var construction in skips ? new[] { SkipConstruction.Junction, SkipConstruction.Chord } : [SkipConstruction.Junction])
        {
            var a = SheafConstructor.Build(native, construction);
            var b = SheafConstructor.Build(back, construction);
            Assert.Equal(a.Sheaf.Vertices, b.Sheaf.Vertices); // names, dimensions, offsets, layers
            Assert.Equal(a.Sheaf.Edges.Select(e => (e.Name, e.Tail, e.Head, e.Kind, e.Layer, e.Offset)), b.Sheaf.Edges.Select(e => (e.Name, e.Tail, e.Head, e.Kind, e.Layer, e.Offset)));
            var all = new MaskPattern(a.Sheaf.TotalDimension);
            for (int k = 0; k < a.Sheaf.Edges.Count; k++)
            {
                Assert.Equal(a.Sheaf.Edges[k].TailMap.Entries(all), b.Sheaf.Edges[k].TailMap.Entries(all));
                Assert.Equal(a.Sheaf.Edges[k].HeadMap.Entries(all), b.Sheaf.Edges[k].HeadMap.Entries(all));
                Assert.Equal(a.Sheaf.Edges[k].Affine, b.Sheaf.Edges[k].Affine);
            }
            foreach (var x in InputSampler.Normal(10, native.InputDimension, 1, scale: 2.0))
                Assert.Equal(DirichletSolver.Solve(a.Problem(x), initialMasks: a.ForwardMasks(x)).Cochain,
                    DirichletSolver.Solve(b.Problem(x), initialMasks: b.ForwardMasks(x)).Cochain);
        }
        using var ort = OnnxRuntimeReference.FromBytes(bytes);
        using var torch64 = TorchReference.Create(native, torch.ScalarType.Float64);
        foreach (var x in InputSampler.Normal(50, native.InputDimension, 2, scale: 2.0))
        {
            var yo = ort.Forward(x);
            var yt = torch64.Forward(x);
            for (int i = 0; i < yo.Length; i++) Assert.True(Math.Abs(yo[i] - yt[i]) <= 1e-12, $"{configName}: ONNX Runtime {yo[i]} vs TorchSharp {yt[i]}");
        }
    }
}

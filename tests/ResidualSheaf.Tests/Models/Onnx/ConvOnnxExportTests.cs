using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Graph;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Onnx;
using ResidualSheaf.Runner.Data;
using Xunit.Abstractions;

namespace ResidualSheaf.Tests.Models.Onnx;

/// <summary>
/// Convolutional models read from ONNX, written back by the product (Conv, AveragePool, GlobalAveragePool, Flatten) and read
/// again, give the same sheaf and bit for bit the same harmonic extension; ONNX Runtime on the written file (its float32 copy:
/// ORT's CPU provider has no double Conv) agrees with ONNX Runtime on PyTorch's own export and with PyTorch's float64 outputs,
/// which checks the writer against references it did not produce.
/// </summary>
[Collection("Console")]
public sealed class ConvOnnxExportTests(ITestOutputHelper output)
{
    private static double[][] Npy(string name) => NpyMatrix.Parse(File.ReadAllBytes(DigitsResNetTests.Fixture(name)));

    [Theory]
    [InlineData("conv_single", "conv_single_inputs.npy", "conv_single_outputs.npy")]
    [InlineData("conv_bn_pool", "conv_bn_pool_inputs.npy", "conv_bn_pool_outputs.npy")]
    [InlineData("digits_resnet", "test_images.npy", "test_outputs.npy")]
    [InlineData("digits_resnet_untrained_logits", "test_images.npy", null)]
    public void AConvModelSurvivesTheRoundTripAndRunsInOnnxRuntime(string fixture, string inputsFile, string? torchFile)
    {
        var net = OnnxNetwork.Load(DigitsResNetTests.Fixture(fixture + ".onnx"));
        var bytes = OnnxWriter.Write(net);
        var back = OnnxNetwork.FromBytes(bytes, "exported");
        var a = SheafConstructor.Build(net);
        var b = SheafConstructor.Build(back);
        Assert.Equal(a.Sheaf.Vertices, b.Sheaf.Vertices); // names, dimensions, offsets, layers
        Assert.Equal(a.Sheaf.Edges.Select(e => (e.Name, e.Tail, e.Head, e.Kind, e.Layer, e.Offset)), b.Sheaf.Edges.Select(e => (e.Name, e.Tail, e.Head, e.Kind, e.Layer, e.Offset)));
        var all = new MaskPattern(a.Sheaf.TotalDimension);
        for (int k = 0; k < a.Sheaf.Edges.Count; k++)
        {
            Assert.Equal(a.Sheaf.Edges[k].TailMap.GetType(), b.Sheaf.Edges[k].TailMap.GetType());
            Assert.Equal(a.Sheaf.Edges[k].TailMap.Entries(all), b.Sheaf.Edges[k].TailMap.Entries(all));
            Assert.Equal(a.Sheaf.Edges[k].HeadMap.Entries(all), b.Sheaf.Edges[k].HeadMap.Entries(all));
            Assert.Equal(a.Sheaf.Edges[k].Affine, b.Sheaf.Edges[k].Affine);
        }
        var inputs = Npy(inputsFile).Take(40).ToArray();
        var torch = torchFile is null ? null : Npy(torchFile);
        using var ortExported = OnnxRuntimeReference.FromBytes(OnnxPrecision.Convert(bytes, float32: true));
        using var ortPyTorch = OnnxRuntimeReference.Open(DigitsResNetTests.Fixture(fixture + "_float32.onnx"));
        double ortGap = 0, engineGap = 0, torchGap = 0;
        for (int i = 0; i < inputs.Length; i++)
        {
            var y = a.OutputOf(DirichletSolver.Solve(a.Problem(inputs[i])).Cochain);
            Assert.Equal(y, b.OutputOf(DirichletSolver.Solve(b.Problem(inputs[i])).Cochain));
            var exported = ortExported.Forward(inputs[i]);
            var pytorch = ortPyTorch.Forward(inputs[i]);
            Assert.Equal(y.Length, exported.Length);
            for (int j = 0; j < y.Length; j++)
            {
                ortGap = Math.Max(ortGap, Math.Abs(exported[j] - pytorch[j]));
                engineGap = Math.Max(engineGap, Math.Abs(exported[j] - y[j]));
                if (torch is not null) torchGap = Math.Max(torchGap, Math.Abs(exported[j] - torch[i][j]));
            }
        }
        output.WriteLine($"{fixture}: {bytes.Length} bytes; ORT(exported, float32) vs ORT(PyTorch's export, float32) {ortGap:E2}, " +
                         $"vs the engine (float64) {engineGap:E2}, {(torch is null ? "no PyTorch float64 outputs committed" : $"vs PyTorch float64 {torchGap:E2}")}");
        Assert.True(ortGap <= 1e-5, $"ONNX Runtime on the exported file differs from ONNX Runtime on PyTorch's export by {ortGap:E2}");
        Assert.True(engineGap <= 1e-5, $"ONNX Runtime on the exported file differs from the engine by {engineGap:E2}");
        Assert.True(torchGap <= 1e-5, $"ONNX Runtime on the exported file differs from PyTorch float64 by {torchGap:E2}");
    }

    [Fact]
    public void ExportOnnxWritesAConvModelThatReadsBackToTheSameNetwork()
    {
        string dir = Directory.CreateTempSubdirectory("rs-conv-export-").FullName;
        try
        {
            string config = Path.Combine(dir, "config.json"), outFile = Path.Combine(dir, "out.onnx");
            string model = DigitsResNetTests.Fixture("conv_bn_pool.onnx");
            File.WriteAllText(config, $$"""{ "name": "t", "job": "static", "network": { "onnx": "{{model.Replace("\\", "/")}}" } }""");
            var (code, _, error) = ResidualSheaf.Tests.Runner.RunnerCli.Run("export-onnx", "--config", config, "--out", outFile);
            Assert.True(code == 0, error);
            var original = OnnxNetwork.Load(model);
            var back = OnnxNetwork.Load(outFile);
            foreach (var x in Npy("conv_bn_pool_inputs.npy")) Assert.Equal(original.Forward(x), back.Forward(x));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The engine keeps a convolution's bias per output element; one that varies within a channel has no Conv form.</summary>
    [Fact]
    public void ABiasVaryingWithinAChannelIsRefusedNamingTheLayer()
    {
        var geometry = new Conv2dGeometry(1, 3, 3, 1, 2, 2);
        var g = new LayerGraphBuilder("x", geometry.InDimension);
        var bias = new double[geometry.OutDimension];
        bias[1] = 0.5;
        var conv = g.Operator(g.Input, new Conv2dMap(geometry, [1.0, 2.0, 3.0, 4.0]), bias, "h", "conv", 1);
        var e = Assert.Throws<NotSupportedException>(() => OnnxWriter.Write(new GraphOnly(g.Output(conv))));
        Assert.Contains("'h'", e.Message);
        Assert.Contains("varies within channel 0", e.Message);
    }

    private sealed class GraphOnly(LayerGraph graph) : INetwork
    {
        public int InputDimension => Graph.Input.Width;
        public int OutputDimension => Graph.Output.Width;
        public LayerGraph Graph { get; } = graph;
        public IReadOnlyList<LinearLayer> Layers => [];
        public double[] Forward(ReadOnlySpan<double> x) => Graph.Forward(x);
        public string Describe() => "a hand-built graph";
    }
}

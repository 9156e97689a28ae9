using Google.Protobuf;
using Onnx;
using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Onnx;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Runner.Data;
using Xunit.Abstractions;

namespace ResidualSheaf.Tests.Models.Onnx;

/// <summary>
/// The convolutional fixtures of tests/fixtures/digits (written by its train.py with PyTorch): a one-node Conv, a
/// Conv → BatchNormalization → ReLU → AveragePool → GlobalAveragePool → Gemm graph, and the trained digits ResNet's harmonic
/// extension on the 300 committed test images, each against PyTorch's float64 outputs (committed .npy; ONNX Runtime's CPU provider
/// has no double Conv) and ONNX Runtime on the float32 twin of the file; refusals name the node.
/// </summary>
[Collection("Console")]
public sealed class DigitsResNetTests(ITestOutputHelper output)
{
    internal static string Fixture(string name) => Path.Combine(Path.GetDirectoryName(OnnxFixtures.Folder)!, "digits", name);

    [Theory]
    [InlineData("conv_single")]
    [InlineData("conv_bn_pool")]
    public void ConvolutionalGraphsEqualPyTorchInFloat64AndOnnxRuntimeInFloat32(string fixture)
    {
        var net = OnnxNetwork.Load(Fixture(fixture + ".onnx"));
        Assert.False(net.IsFloat32);
        var sheaf = SheafConstructor.Build(net);
        using var ort = OnnxRuntimeReference.Open(Fixture(fixture + "_float32.onnx"));
        var inputs = Npy(fixture + "_inputs.npy");
        var torchOutputs = Npy(fixture + "_outputs.npy");
        double worst64 = 0, worst32 = 0;
        for (int k = 0; k < inputs.Length; k++)
        {
            var sol = DirichletSolver.Solve(sheaf.Problem(inputs[k]));
            Assert.Equal(DirichletMethod.ForwardSubstitution, sol.Method);
            var y = sheaf.OutputOf(sol.Cochain);
            var reference = ort.Forward(inputs[k]);
            Assert.Equal(torchOutputs[k].Length, y.Length);
            for (int i = 0; i < y.Length; i++)
            {
                worst64 = Math.Max(worst64, Math.Abs(y[i] - torchOutputs[k][i]));
                worst32 = Math.Max(worst32, Math.Abs(y[i] - reference[i]));
            }
        }
        output.WriteLine($"{fixture}: {net.Describe()}; max |sheaf − PyTorch float64| = {worst64:E2}, max |sheaf − ONNX Runtime float32| = {worst32:E2}");
        Assert.True(worst64 <= 1e-12, $"float64 deviation {worst64:E2}");
        Assert.True(worst32 <= 1e-5, $"float32 deviation {worst32:E2}");
    }

    [Fact]
    public void HarmonicExtensionOfTheDigitsResNetEqualsPyTorchAndOnnxRuntimeOnTheTestImages()
    {
        var net = OnnxNetwork.Load(Fixture("digits_resnet.onnx"));
        var sheaf = SheafConstructor.Build(net);
        using var ort = OnnxRuntimeReference.Open(Fixture("digits_resnet_float32.onnx"));
        var images = Npy("test_images.npy");
        var labels = Npy("test_labels.npy");
        var torchOutputs = Npy("test_outputs.npy");
        Assert.True(images.Length >= 100);
        Assert.Equal(64, images[0].Length);
        double worst64 = 0, worst32 = 0;
        int correct = 0;
        for (int k = 0; k < images.Length; k++)
        {
            var sol = DirichletSolver.Solve(sheaf.Problem(images[k]));
            Assert.Equal(DirichletMethod.ForwardSubstitution, sol.Method);
            var y = sheaf.OutputOf(sol.Cochain);
            var reference = ort.Forward(images[k]);
            for (int i = 0; i < y.Length; i++)
            {
                worst64 = Math.Max(worst64, Math.Abs(y[i] - torchOutputs[k][i]));
                worst32 = Math.Max(worst32, Math.Abs(y[i] - reference[i]));
            }
            Assert.Equal(ArgMax(reference), ArgMax(y));
            Assert.Equal(ArgMax(torchOutputs[k]), ArgMax(y));
            if (ArgMax(y) == (int)labels[k][0]) correct++;
        }
        output.WriteLine($"{net.Describe()}; {sheaf.Sheaf.TotalDimension} vertex coordinates; max |sheaf − PyTorch float64| = {worst64:E2}, " +
            $"max |sheaf − ONNX Runtime float32| = {worst32:E2} over {images.Length} images; accuracy {correct}/{images.Length}");
        Assert.True(worst64 <= 1e-10, $"float64 deviation {worst64:E2}");
        Assert.True(worst32 <= 1e-5, $"float32 deviation {worst32:E2}");
        // train.py reports 99.3 % on these images; the classifier, not only the arithmetic, must be the trained one.
        Assert.True(correct >= 0.95 * images.Length, $"accuracy {correct}/{images.Length}");
    }

    /// <summary>
    /// The harmonic extension against a second float64 reference, TorchSharp's conv2d / avg_pool2d / linear run node by node on the
    /// graph's weights (<see cref="TorchGraphModule"/>; it shares no arithmetic with the sheaf's maps), on all 300 test images, for
    /// the trained and the untrained model: ≤ 1e−10 and the same predicted class as ONNX Runtime (float32 twin) on every image.
    /// </summary>
    [Theory]
    [InlineData("digits_resnet")]
    [InlineData("digits_resnet_untrained")]
    public void HarmonicExtensionEqualsTorchSharpFloat64OfTheGraphOnAllTestImages(string model)
    {
        var net = OnnxNetwork.Load(Fixture(model + ".onnx"));
        var sheaf = SheafConstructor.Build(net);
        using var torch = new TorchGraphModule(net.Graph);
        using var ort = OnnxRuntimeReference.Open(Fixture(model + "_float32.onnx"));
        var images = Npy("test_images.npy");
        double worst = 0;
        int sameClass = 0;
        foreach (var x in images)
        {
            var y = sheaf.OutputOf(DirichletSolver.Solve(sheaf.Problem(x)).Cochain);
            var t = torch.Forward(x);
            for (int i = 0; i < y.Length; i++) worst = Math.Max(worst, Math.Abs(y[i] - t[i]));
            if (ArgMax(y) == ArgMax(ort.Forward(x))) sameClass++;
        }
        output.WriteLine($"{model}: max |sheaf − TorchSharp float64| = {worst:E2} over {images.Length} images; class equal to ONNX Runtime on {sameClass}");
        Assert.True(worst <= 1e-10, $"float64 deviation {worst:E2}");
        Assert.Equal(images.Length, sameClass);
    }

    private static double[][] Npy(string name) => NpyMatrix.Parse(File.ReadAllBytes(Fixture(name)));

    [Theory]
    [InlineData("group", "group = 2")]
    [InlineData("auto_pad", "auto_pad = SAME_UPPER")]
    [InlineData("auto_pad_lower", "auto_pad = SAME_LOWER")]
    [InlineData("kernel_shape", "kernel_shape [5, 5] differs from the weight")]
    [InlineData("pads", "inconsistent shapes")]
    [InlineData("channels", "inconsistent shapes")]
    public void UnsupportedConvAttributesAndInconsistentShapesNameTheNode(string edit, string message)
    {
        var (model, conv) = EditedConv(edit);
        var e = Assert.Throws<OnnxModelException>(() => OnnxNetwork.FromModel(model, "edited conv_single.onnx"));
        Assert.Contains(message, e.Message);
        Assert.Equal(conv.Name.Length > 0 ? conv.Name : $"Conv→{conv.Output[0]}", e.Node);
    }

    /// <summary>The same refusals through the runner: exit 2, the message names the node, no output folder.</summary>
    [Theory]
    [InlineData("group", "group = 2")]
    [InlineData("auto_pad_lower", "auto_pad = SAME_LOWER")]
    [InlineData("channels", "inconsistent shapes")]
    public void RefusedConvIsExitTwoNamingTheNodeAndWritesNothing(string edit, string message)
    {
        var (model, conv) = EditedConv(edit);
        string dir = Directory.CreateTempSubdirectory("rs-conv-").FullName;
        try
        {
            string file = Path.Combine(dir, "edited.onnx"), outputs = Path.Combine(dir, "outputs");
            File.WriteAllBytes(file, model.ToByteArray());
            string config = Path.Combine(dir, "config.json");
            File.WriteAllText(config, $$"""{ "name": "t", "job": "static", "output_root": "{{outputs.Replace("\\", "/")}}", "network": { "onnx": "{{file.Replace("\\", "/")}}" } }""");
            var (code, _, error) = ResidualSheaf.Tests.Runner.RunnerCli.Run("--config", config);
            Assert.Equal(2, code);
            string node = conv.Name.Length > 0 ? conv.Name : $"Conv→{conv.Output[0]}";
            Assert.Contains($"ONNX node '{node}'", error);
            Assert.Contains(message, error);
            Assert.False(Directory.Exists(outputs) && Directory.EnumerateFileSystemEntries(outputs).Any());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static (ModelProto Model, NodeProto Conv) EditedConv(string edit)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Fixture("conv_single.onnx")));
        var conv = model.Graph.Node.Single(n => n.OpType == "Conv");
        switch (edit)
        {
            case "group":
                conv.Attribute.Remove(conv.Attribute.Single(a => a.Name == "group")); // the export writes group = 1
                conv.Attribute.Add(new AttributeProto { Name = "group", I = 2, Type = AttributeProto.Types.AttributeType.Int });
                break;
            case "auto_pad" or "auto_pad_lower":
                conv.Attribute.Add(new AttributeProto { Name = "auto_pad", S = ByteString.CopyFromUtf8(edit == "auto_pad" ? "SAME_UPPER" : "SAME_LOWER"), Type = AttributeProto.Types.AttributeType.String });
                break;
            case "kernel_shape":
                conv.Attribute.Remove(conv.Attribute.Single(a => a.Name == "kernel_shape"));
                conv.Attribute.Add(new AttributeProto { Name = "kernel_shape", Ints = { 5, 5 }, Type = AttributeProto.Types.AttributeType.Ints });
                break;
            case "pads":
                // Negative pads shrink the 7×9 input below the (dilated) kernel.
                conv.Attribute.Remove(conv.Attribute.Single(a => a.Name == "pads"));
                conv.Attribute.Add(new AttributeProto { Name = "pads", Ints = { -3, -3, -3, -3 }, Type = AttributeProto.Types.AttributeType.Ints });
                break;
            default:
                // Three input channels declared, the weight expects four.
                model.Graph.Input[0].Type.TensorType.Shape.Dim[1].DimValue = 4;
                break;
        }
        return (model, conv);
    }

    private static int ArgMax(double[] v)
    {
        int best = 0;
        for (int i = 1; i < v.Length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}

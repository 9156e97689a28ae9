using System.Text.Json;
using ResidualSheaf.Models.Training;
using ResidualSheaf.Tests.Models.Onnx;

namespace ResidualSheaf.Tests.Training;

/// <summary>
/// The reference library's data sets drawn through TorchSharp equal the values PyTorch draws with the library's formulas and order
/// of calls (tests/fixtures/training/datasets_golden.json, written by datasets_golden.py with Debian's python3-torch 1.13).
/// </summary>
public class ReferenceDatasetsTests
{
    [Theory]
    [InlineData("paraboloid")]
    [InlineData("saddle")]
    [InlineData("circular")]
    [InlineData("blobs")]
    public void DataSetsAreTorchsDraws(string kind)
    {
        string path = Path.Combine(Path.GetDirectoryName(OnnxFixtures.Folder)!, "training", "datasets_golden.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var set = doc.RootElement.GetProperty("sets").GetProperty(kind);
        var x = set.GetProperty("x").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var y = set.GetProperty("y").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var data = ReferenceDatasets.Generate(kind, 300, 100, 42);
        Assert.Equal(300, data.TrainCount);
        Assert.Equal(100, data.TestCount);
        double[] gx = [.. data.TrainInputs, .. data.TestInputs], gy = [.. data.TrainTargets, .. data.TestTargets];
        Assert.Equal(x.Length, gx.Length);
        Assert.Equal(y.Length, gy.Length);
        double worst = 0;
        for (int i = 0; i < x.Length; i++) worst = Math.Max(worst, Math.Abs(x[i] - gx[i]));
        for (int i = 0; i < y.Length; i++) worst = Math.Max(worst, Math.Abs(y[i] - gy[i]));
        Assert.True(worst <= 1e-14, $"largest difference {worst:e3}");
    }
}

using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Graph;
using ResidualSheaf.Models.Torch;

namespace ResidualSheaf.Tests.Training;

/// <summary>The flow's forward pass under its parameter block (the logged loss's predictions) is the TorchSharp module's forward.</summary>
public class TrainingForwardTests
{
    [Theory]
    [InlineData("mlp", OutputHead.Identity, SkipConstruction.Junction)]
    [InlineData("mlp", OutputHead.Softmax, SkipConstruction.Junction)]
    [InlineData("resnet", OutputHead.Sigmoid, SkipConstruction.Junction)]
    [InlineData("resnet", OutputHead.Softmax, SkipConstruction.Chord)]
    public void PredictionsAreTheTorchForwardPass(string kind, OutputHead head, SkipConstruction construction)
    {
        var (flow, state) = TrainingNetworks.Problem(kind, head, construction);
        var net = TrainingNetworks.Network(kind, head);
        var (x, _) = TrainingNetworks.Batch(net, head, 11);
        var prediction = new double[flow.Samples * net.OutputDimension];
        flow.Predict(state.AsSpan(flow.ParameterOffset), x, prediction, new double[flow.StalkDimension]);
        using var torch = TorchReference.Create(net);
        for (int s = 0; s < flow.Samples; s++)
        {
            var expected = torch.Forward(x.AsSpan(s * net.InputDimension, net.InputDimension).ToArray());
            for (int k = 0; k < expected.Length; k++) Assert.Equal(expected[k], prediction[s * net.OutputDimension + k], 1e-13);
        }
    }
}

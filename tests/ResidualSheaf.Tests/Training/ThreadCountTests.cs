using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Engine.Training;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Graph;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Models.Training;

namespace ResidualSheaf.Tests.Training;

/// <summary>
/// The joint right-hand side cuts the samples into fixed chunks and adds the chunks' weight gradients in chunk order, so Euler
/// training gives the same numbers, bit for bit, on 1, 2, 3 or 5 threads (MLP and residual network), and the threaded
/// right-hand side equals the serial one.
/// </summary>
public class ThreadCountTests
{
    [Theory]
    [InlineData("mlp")]
    [InlineData("resnet")]
    public void EulerTrainingIsTheSameForAnyThreadCount(string kind)
    {
        var spec = kind == "mlp"
            ? ArchitectureSpec.Mlp(2, 9, 1)
            : ArchitectureSpec.Residual([new BlockSpec(2, 5, 2, false)], ReluPlacement.After).WithHead(OutputHead.Identity, OutputEdgeMode.Jacobian, 1);
        var net = TorchReference.NeuralSheafDefault(spec, 4);
        var data = ReferenceDatasets.Generate("paraboloid", 37, 0, 42);
        double[]? reference = null;
        foreach (int threads in new[] { 1, 2, 3, 5 })
        {
            using var flow = TrainingSheaf.Create(net, SkipConstruction.Junction, data.TrainInputs, data.TrainTargets, 1.0, 0.05);
            flow.UseThreads(threads);
            Assert.Equal(Math.Min(threads, flow.Chunks), flow.Threads);
            var state = new double[flow.StateLength];
            flow.InitialParameters().CopyTo(state, flow.ParameterOffset);
            RandomStalks.Draw(flow, state, 1);
            var serial = new double[flow.StateLength];
            var threaded = new double[flow.StateLength];
            flow.Derivative(state.AsSpan(), serial.AsSpan());
            flow.Derivative(state, threaded);
            Assert.Equal(serial, threaded);
            var euler = new EulerTraining(flow, 0.01);
            for (int k = 0; k < 200; k++) euler.Step(state);
            reference ??= state;
            Assert.Equal(reference, state);
        }
    }
}

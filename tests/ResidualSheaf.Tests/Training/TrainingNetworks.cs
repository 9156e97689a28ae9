using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Engine.Training;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Graph;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Models.Training;

namespace ResidualSheaf.Tests.Training;

/// <summary>Small training problems shared by the training tests: networks, a batch, targets fitting the head, a random state.</summary>
internal static class TrainingNetworks
{
    /// <summary>The (network, head, construction) cases of the gradient and Jacobian tests: MLP and resnet, every head, junction and chord.</summary>
    public static TheoryData<string, OutputHead, SkipConstruction> Cases => new()
    {
        { "mlp", OutputHead.Identity, SkipConstruction.Junction },
        { "mlp", OutputHead.Sigmoid, SkipConstruction.Junction },
        { "mlp", OutputHead.Softmax, SkipConstruction.Junction },
        { "resnet", OutputHead.Identity, SkipConstruction.Junction },
        { "resnet", OutputHead.Softmax, SkipConstruction.Junction },
        { "resnet", OutputHead.Sigmoid, SkipConstruction.Chord },
    };

    public const int Samples = 7;

    /// <summary>mlp [2, 5, 4, c] or resnet (one block 2→3→2, ReLU after, identity skip, classifier 2→c), He-normal weights.</summary>
    public static INetwork Network(string kind, OutputHead head, int seed = 3)
    {
        int c = head == OutputHead.Softmax ? 3 : head == OutputHead.Sigmoid ? 1 : 2;
        var spec = kind == "mlp"
            ? ArchitectureSpec.Mlp(2, 5, 4, c).WithHead(head, OutputEdgeMode.Jacobian)
            : ArchitectureSpec.Residual([new BlockSpec(2, 3, 2, false)], ReluPlacement.After).WithHead(head, OutputEdgeMode.Jacobian, c);
        return TorchReference.NeuralSheafDefault(spec, seed);
    }

    public static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>Inputs N(0, 1); targets: N(0,1) (identity), 0/1 (sigmoid), one-hot (softmax).</summary>
    public static (double[] X, double[] Y) Batch(INetwork net, OutputHead head, int seed)
    {
        var rng = new Random(seed);
        var x = new double[Samples * net.InputDimension];
        for (int i = 0; i < x.Length; i++) x[i] = Normal(rng);
        int c = net.OutputDimension;
        var y = new double[Samples * c];
        for (int s = 0; s < Samples; s++)
            for (int k = 0; k < c; k++)
                y[s * c + k] = head switch
                {
                    OutputHead.Identity => Normal(rng),
                    OutputHead.Sigmoid => rng.Next(2),
                    _ => k == s % c ? 1 : 0,
                };
        return (x, y);
    }

    /// <summary>The flow with a random N(0,1) state (stalks) and the network's own weights.</summary>
    public static (JointFlow Flow, double[] State) Problem(string kind, OutputHead head, SkipConstruction construction = SkipConstruction.Junction,
        double alpha = 0.9, double beta = 0.05)
    {
        var net = Network(kind, head);
        var (x, y) = Batch(net, head, 11);
        var flow = TrainingSheaf.Create(net, construction, x, y, alpha, beta);
        var state = new double[flow.StateLength];
        var rng = new Random(5);
        for (int i = 0; i < flow.ParameterOffset; i++) state[i] = Normal(rng);
        flow.InitialParameters().CopyTo(state, flow.ParameterOffset);
        flow.ApplyPins(state);
        return (flow, state);
    }

    /// <summary>One sample's stalk of the named vertex in a state (for reading values out, not for computing them).</summary>
    public static Span<double> Stalk(JointFlow flow, double[] state, int s, string vertex)
    {
        var v = flow.Sheaf.Vertex(vertex);
        return flow.Stalks(state, s).Slice(v.Offset, v.Dimension);
    }
}

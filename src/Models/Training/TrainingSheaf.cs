using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Engine.Training;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Weights;

namespace ResidualSheaf.Models.Training;

/// <summary>
/// A network's joint training flow: its sheaf (junction or chord), the input pinned, and the output edge on the output
/// pre-activation — the tail of the head's smooth edge when the network has a sigmoid or softmax head (its a_out vertex is left out:
/// the target takes its place), else the output vertex. Every Linear layer (projections and a classifier included) is trained.
/// </summary>
public static class TrainingSheaf
{
    /// <summary>The flow of <paramref name="network"/> over the samples (rows of <paramref name="inputs"/>, <paramref name="targets"/>).</summary>
    public static JointFlow Create(INetwork network, SkipConstruction construction, double[] inputs, double[] targets, double alpha, double beta)
    {
        var ns = SheafConstructor.Build(network, construction);
        var sheaf = ns.Sheaf;
        if (sheaf.SmoothEdges.Count > 1) throw new ArgumentException("training supports one output head");
        if (sheaf.SmoothEdges.Count == 0)
            return JointFlow.Create(sheaf, ns.Input, ns.Output, TrainingHead.Identity, inputs, targets, alpha, beta);
        var head = sheaf.SmoothEdges[0];
        return JointFlow.Create(sheaf, ns.Input, sheaf.Vertices[head.Tail], new TrainingHead(head.Function), inputs, targets, alpha, beta,
            [sheaf.Vertices[head.Head]]);
    }

    /// <summary>The network with the trained parameters of <paramref name="theta"/> in place of its own (same architecture and head).</summary>
    public static INetwork Trained(INetwork network, JointFlow flow, ReadOnlySpan<double> theta)
    {
        var arrays = new Dictionary<string, NamedArray>(StringComparer.Ordinal);
        foreach (var p in flow.Parameters)
        {
            arrays[p.Name + ".weight"] = new NamedArray([p.Rows, p.Columns], theta.Slice(p.WeightOffset, p.Rows * p.Columns).ToArray());
            if (p.HasBias) arrays[p.Name + ".bias"] = new NamedArray([p.Rows], theta.Slice(p.BiasOffset, p.Rows).ToArray());
        }
        return WeightSet.FromArrays(ArchitectureSpec.Of(network), arrays, "trained parameters");
    }
}

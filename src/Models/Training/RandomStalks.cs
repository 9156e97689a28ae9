using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Engine.Training;
using ResidualSheaf.Models.Torch;
using static TorchSharp.torch;

namespace ResidualSheaf.Models.Training;

/// <summary>
/// The reference library's <c>init_stalks(method='random')</c> through libtorch's global generator: after
/// <c>torch.manual_seed(seed)</c>, one <c>torch.randn(dim, batch, dtype=float64)</c> per stalk — first the heads of weight edges
/// (the pre-activations z_1 … z_{k+1} of an MLP, and junction vertices), then the other free vertices (a_1 … a_k), each in sheaf
/// order; entry (i, s) goes to coordinate i of sample s. For an MLP this is the library's order of calls.
/// </summary>
public static class RandomStalks
{

    /// <summary>Fills every free stalk of every sample of <paramref name="state"/>; the input is pinned afterwards.</summary>
    public static void Draw(JointFlow flow, Span<double> state, long seed)
    {
        TorchRuntime.EnsureLoaded();
        var sheaf = flow.Sheaf;
        var weightHeads = sheaf.Edges.Where(e => e.Kind == EdgeKind.Weight).Select(e => e.Head).ToHashSet();
        var free = sheaf.Vertices.Where(v => v.Id != flow.Input.Id && IsTrained(flow, v)).ToArray();
        var order = free.Where(v => weightHeads.Contains(v.Id)).Concat(free.Where(v => !weightHeads.Contains(v.Id)));
        lock (TorchReference.SeedLock)
        {
            using var scope = NewDisposeScope();
            manual_seed(seed);
            foreach (var v in order)
            {
                using var t = randn(v.Dimension, flow.Samples, dtype: ScalarType.Float64).contiguous();
                var values = t.data<double>().ToArray();
                for (int i = 0; i < v.Dimension; i++)
                    for (int s = 0; s < flow.Samples; s++) flow.Stalks(state, s)[v.Offset + i] = values[i * flow.Samples + s];
            }
        }
        flow.ApplyPins(state);
    }

    // Vertices some linear edge touches (an excluded a_out vertex has only its smooth edge).
    private static bool IsTrained(JointFlow flow, Vertex v) => flow.Sheaf.Edges.Any(e => e.Head == v.Id || e.Tail == v.Id);
}

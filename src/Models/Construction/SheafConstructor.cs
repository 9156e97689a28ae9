using ResidualSheaf.Models.Construction.Contributors;
using ResidualSheaf.Models.Networks;

namespace ResidualSheaf.Models.Construction;

/// <summary>
/// Turns networks into sheaves by walking their <see cref="Graph.LayerGraph"/>: one vertex per intermediate quantity, one edge
/// per unary operation, and for every addition either a junction vertex (exact) or the book's chord. Vertices and edges are
/// emitted in topological order, so for MLPs and junction blocks δ_Ω is square and block unitriangular.
/// </summary>
public static class SheafConstructor
{
    /// <summary>The sheaf of any network; <paramref name="construction"/> decides how its additions are built.</summary>
    public static NetworkSheaf Build(INetwork network, SkipConstruction construction = SkipConstruction.Junction)
    {
        var graph = network.Graph;
        var walk = SheafWalk.Run(graph, construction);
        // Without an addition both constructions build the same exact sheaf; recording it as the junction one keeps callers that
        // read Junction as "exact" (ForwardMasks, the static job's report) right.
        var recorded = graph.HasAdditions ? construction : SkipConstruction.Junction;
        return new NetworkSheaf(network, walk.Builder.Build(), walk.VertexOf(graph.Input), walk.VertexOf(graph.Output), recorded);
    }

    /// <summary>Path graph x — z1 — a1 — z2 — … — z_{k+1} (sheaf-math §2).</summary>
    public static NetworkSheaf BuildMlp(Mlp mlp) => Build(mlp);

    /// <summary>A stack of residual blocks; block k's output vertex is block k+1's input (free, not pinned).</summary>
    public static NetworkSheaf BuildStack(ResidualStack stack, SkipConstruction construction) => Build(stack, construction);
}

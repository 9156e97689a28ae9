using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Graph;

namespace ResidualSheaf.Models.Construction.Contributors;

/// <summary>
/// An addition. Each addend reaches the cells of the sum either by its own edge (an addend whose value feeds only this addition,
/// see <see cref="SheafWalk.IsFolded"/>) or by a copy edge from the addend's vertex with F_tail = P or I. The two subclasses are the
/// two skip constructions: where those edges land, and what turns them into the sum.
/// </summary>
internal abstract class AdditionContributor : LayerContributor
{
    /// <inheritdoc/>
    public override void Contribute(SheafWalk walk, LayerNode node) => Contribute(walk, (AddNode)node);

    protected abstract void Contribute(SheafWalk walk, AddNode add);

    /// <summary>Adds every addend's edge into <paramref name="target"/>, addend k through <paramref name="headMap"/>(k).</summary>
    protected static void AddendEdges(SheafWalk walk, AddNode add, Vertex target, Func<int, RestrictionMap> headMap, string copyName, EdgeKind copyKind)
    {
        for (int k = 0; k < add.Inputs.Count; k++)
        {
            var addend = add.Inputs[k];
            if (walk.IsFolded(addend))
            {
                walk.UnaryContributorOf(addend).EmitInto(walk, (UnaryNode)addend, target, headMap(k));
                continue;
            }
            var p = add.Projections[k];
            RestrictionMap tail = p is null ? SelectionMap.Identity(add.Width) : new DenseMap(p.Out, p.In, p.Weight);
            walk.Builder.AddEdge(copyName, walk.VertexOf(addend), target, tail, headMap(k), null, copyKind, add.Layer, p?.Name);
        }
    }
}

/// <summary>
/// The exact construction (sheaf-math §3.2): a junction vertex p holding all k addends, one edge per addend into its block
/// (F_p = π_k), and the sum edge p → s with F_p = [I … I], F_s = I.
/// </summary>
internal sealed class JunctionContributor : AdditionContributor
{
    public static readonly JunctionContributor Instance = new();

    /// <inheritdoc/>
    protected override void Contribute(SheafWalk walk, AddNode add)
    {
        int o = add.Width, k = add.Inputs.Count;
        var p = walk.Builder.AddVertex("p" + add.Scope, k * o, add.Layer);
        var s = walk.Builder.AddVertex(add.Name, o, add.Layer);
        AddendEdges(walk, add, p, i => SelectionMap.Block(o, i, k), "skip" + add.Scope, EdgeKind.Skip);
        walk.Builder.AddEdge("sum" + add.Scope, p, s, new SumMap(o, k), SelectionMap.Identity(o), null, EdgeKind.Sum, add.Layer);
        walk.Bind(add, s);
    }
}

/// <summary>
/// The book's chord (sheaf-math §3.1): every addend's edge lands on the post-addition vertex with F = I, so each demands
/// equality with its addend rather than the sum; kept as the negative control it is in the lab.
/// </summary>
internal sealed class ChordContributor : AdditionContributor
{
    public static readonly ChordContributor Instance = new();

    /// <inheritdoc/>
    protected override void Contribute(SheafWalk walk, AddNode add)
    {
        var s = walk.Builder.AddVertex(add.Name, add.Width, add.Layer);
        AddendEdges(walk, add, s, _ => SelectionMap.Identity(add.Width), "chord" + add.Scope, EdgeKind.Chord);
        walk.Bind(add, s);
    }
}

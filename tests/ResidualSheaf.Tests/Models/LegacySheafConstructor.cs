using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;

namespace ResidualSheaf.Tests.Models;

// Frozen copy of SheafConstructor as it was before the layer-graph redesign (commit e97fc29), kept as the independent
// reference that the graph-built sheaves must reproduce cell for cell: the redesign's rule is that no printed number changes.
// Do not edit it to follow later changes of the constructor.

/// <summary>The pre-redesign sheaf constructor (switch on the concrete network type), frozen as a test reference.</summary>
internal static class LegacySheafConstructor
{
    /// <summary>The sheaf of any supported network.</summary>
    internal static NetworkSheaf Build(INetwork network, SkipConstruction construction = SkipConstruction.Junction) => network switch
    {
        Mlp mlp => BuildMlp(mlp),
        ResidualStack stack => BuildStack(stack, construction),
        _ => throw new NotSupportedException($"no sheaf construction for {network.GetType().Name}"),
    };

    /// <summary>Path graph x — z1 — a1 — z2 — … — z_{k+1} (sheaf-math §2).</summary>
    internal static NetworkSheaf BuildMlp(Mlp mlp)
    {
        var b = new SheafBuilder();
        var x = b.AddVertex("x", mlp.InputDimension, 0);
        var prev = x;
        Vertex z = x;
        for (int l = 0; l < mlp.Layers.Count; l++)
        {
            var layer = mlp.Layers[l];
            int ell = l + 1;
            z = b.AddVertex($"z{ell}", layer.Out, ell);
            b.AddEdge($"W{ell}", prev, z, Dense(layer), SelectionMap.Identity(layer.Out), layer.Bias, EdgeKind.Weight, ell);
            if (l < mlp.Layers.Count - 1)
            {
                var a = b.AddVertex($"a{ell}", layer.Out, ell);
                b.AddEdge($"R{ell}", z, a, new ReluMaskMap(layer.Out, z.Offset), SelectionMap.Identity(layer.Out), null, EdgeKind.Relu, ell);
                prev = a;
            }
        }
        return new NetworkSheaf(mlp, b.Build(), x, z, SkipConstruction.Junction);
    }

    /// <summary>A stack of residual blocks; block k's output vertex is block k+1's input (free, not pinned).</summary>
    internal static NetworkSheaf BuildStack(ResidualStack stack, SkipConstruction construction)
    {
        var b = new SheafBuilder();
        var x = b.AddVertex("x", stack.InputDimension, 0);
        var input = x;
        for (int k = 0; k < stack.Blocks.Count; k++)
        {
            string sfx = stack.Blocks.Count == 1 ? "" : $"_{k + 1}";
            input = construction == SkipConstruction.Junction
                ? AddJunctionBlock(b, stack.Blocks[k], input, sfx, k + 1)
                : AddChordBlock(b, stack.Blocks[k], input, sfx, k + 1);
        }
        return new NetworkSheaf(stack, b.Build(), x, input, construction);
    }

    private static Vertex AddJunctionBlock(SheafBuilder b, ResidualBlock blk, Vertex input, string sfx, int layer)
    {
        int m = blk.Hidden, o = blk.Out;
        var z1 = b.AddVertex("z1" + sfx, m, layer);
        var a1 = b.AddVertex("a1" + sfx, m, layer);
        b.AddEdge("W1" + sfx, input, z1, Dense(blk.Fc1), SelectionMap.Identity(m), blk.Fc1.Bias, EdgeKind.Weight, layer);
        b.AddEdge("R1" + sfx, z1, a1, new ReluMaskMap(m, z1.Offset), SelectionMap.Identity(m), null, EdgeKind.Relu, layer);
        RestrictionMap skipMap = blk.Projection is null ? SelectionMap.Identity(o) : Dense(blk.Projection);
        if (blk.Placement == ReluPlacement.After)
        {
            var p = b.AddVertex("p" + sfx, 2 * o, layer);
            var s = b.AddVertex("s" + sfx, o, layer);
            var y = b.AddVertex("y" + sfx, o, layer);
            b.AddEdge("W2" + sfx, a1, p, Dense(blk.Fc2), SelectionMap.Block(o, 0, 2), blk.Fc2.Bias, EdgeKind.Weight, layer);
            b.AddEdge("skip" + sfx, input, p, skipMap, SelectionMap.Block(o, 1, 2), null, EdgeKind.Skip, layer);
            b.AddEdge("sum" + sfx, p, s, new SumMap(o, 2), SelectionMap.Identity(o), null, EdgeKind.Sum, layer);
            b.AddEdge("Rs" + sfx, s, y, new ReluMaskMap(o, s.Offset), SelectionMap.Identity(o), null, EdgeKind.Relu, layer);
            return y;
        }
        else
        {
            var z2 = b.AddVertex("z2" + sfx, o, layer);
            var p = b.AddVertex("p" + sfx, 2 * o, layer);
            var y = b.AddVertex("y" + sfx, o, layer);
            b.AddEdge("W2" + sfx, a1, z2, Dense(blk.Fc2), SelectionMap.Identity(o), blk.Fc2.Bias, EdgeKind.Weight, layer);
            b.AddEdge("R2" + sfx, z2, p, new ReluMaskMap(o, z2.Offset), SelectionMap.Block(o, 0, 2), null, EdgeKind.Relu, layer);
            b.AddEdge("skip" + sfx, input, p, skipMap, SelectionMap.Block(o, 1, 2), null, EdgeKind.Skip, layer);
            b.AddEdge("sum" + sfx, p, y, new SumMap(o, 2), SelectionMap.Identity(o), null, EdgeKind.Sum, layer);
            return y;
        }
    }

    private static Vertex AddChordBlock(SheafBuilder b, ResidualBlock blk, Vertex input, string sfx, int layer)
    {
        int m = blk.Hidden, o = blk.Out;
        var z1 = b.AddVertex("z1" + sfx, m, layer);
        var a1 = b.AddVertex("a1" + sfx, m, layer);
        b.AddEdge("W1" + sfx, input, z1, Dense(blk.Fc1), SelectionMap.Identity(m), blk.Fc1.Bias, EdgeKind.Weight, layer);
        b.AddEdge("R1" + sfx, z1, a1, new ReluMaskMap(m, z1.Offset), SelectionMap.Identity(m), null, EdgeKind.Relu, layer);
        RestrictionMap chordMap = blk.Projection is null ? SelectionMap.Identity(o) : Dense(blk.Projection);
        if (blk.Placement == ReluPlacement.After)
        {
            // s is the post-addition vertex: the branch and the chord each demand s equal to their addend.
            var s = b.AddVertex("s" + sfx, o, layer);
            var y = b.AddVertex("y" + sfx, o, layer);
            b.AddEdge("W2" + sfx, a1, s, Dense(blk.Fc2), SelectionMap.Identity(o), blk.Fc2.Bias, EdgeKind.Weight, layer);
            b.AddEdge("chord" + sfx, input, s, chordMap, SelectionMap.Identity(o), null, EdgeKind.Chord, layer);
            b.AddEdge("Rs" + sfx, s, y, new ReluMaskMap(o, s.Offset), SelectionMap.Identity(o), null, EdgeKind.Relu, layer);
            return y;
        }
        else
        {
            var z2 = b.AddVertex("z2" + sfx, o, layer);
            var y = b.AddVertex("y" + sfx, o, layer);
            b.AddEdge("W2" + sfx, a1, z2, Dense(blk.Fc2), SelectionMap.Identity(o), blk.Fc2.Bias, EdgeKind.Weight, layer);
            b.AddEdge("R2" + sfx, z2, y, new ReluMaskMap(o, z2.Offset), SelectionMap.Identity(o), null, EdgeKind.Relu, layer);
            b.AddEdge("chord" + sfx, input, y, chordMap, SelectionMap.Identity(o), null, EdgeKind.Chord, layer);
            return y;
        }
    }

    private static DenseMap Dense(LinearLayer l) => new(l.Out, l.In, l.Weight);
}

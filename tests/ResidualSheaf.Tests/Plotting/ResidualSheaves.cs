using ResidualSheaf.Engine.Sheaves;

namespace ResidualSheaf.Tests.Plotting;

/// <summary>Small stacks of residual blocks, in both constructions, shaped like the ones the runner draws.</summary>
internal static class ResidualSheaves
{
    private static DenseMap Weights(int rows, int cols) =>
        new(rows, cols, Enumerable.Range(0, rows * cols).Select(i => 0.1 * (i % 7) - 0.3).ToArray());

    /// <summary>x → [z1 → a1 → z2, j = (prev, z2), out = Σ j] per block: 1 + 5·blocks vertices.</summary>
    public static CellularSheaf Junction(int blocks, int d = 2, int h = 3)
    {
        var b = new SheafBuilder();
        var prev = b.AddVertex("x", d);
        for (int k = 1; k <= blocks; k++)
        {
            var z1 = b.AddVertex($"z{k}.1", h, k);
            var a1 = b.AddVertex($"a{k}.1", h, k);
            var z2 = b.AddVertex($"z{k}.2", d, k);
            var j = b.AddVertex($"j{k}", 2 * d, k);
            var o = b.AddVertex($"y{k}", d, k);
            b.AddEdge($"W{k}.1", prev, z1, Weights(h, d), SelectionMap.Identity(h), null, EdgeKind.Weight, k);
            b.AddEdge($"relu{k}", z1, a1, SelectionMap.Identity(h), SelectionMap.Identity(h), null, EdgeKind.Relu, k);
            b.AddEdge($"W{k}.2", a1, z2, Weights(d, h), SelectionMap.Identity(d), null, EdgeKind.Weight, k);
            b.AddEdge($"skip{k}", prev, j, SelectionMap.Identity(d), SelectionMap.Block(d, 0, 2), null, EdgeKind.Skip, k);
            b.AddEdge($"copy{k}", z2, j, SelectionMap.Identity(d), SelectionMap.Block(d, 1, 2), null, EdgeKind.Skip, k);
            b.AddEdge($"sum{k}", j, o, new SumMap(d, 2), SelectionMap.Identity(d), null, EdgeKind.Sum, k);
            prev = o;
        }
        return b.Build();
    }

    /// <summary>x → [z1 → a1 → y, chord x — y] per block: 1 + 3·blocks vertices.</summary>
    public static CellularSheaf Chord(int blocks, int d = 2, int h = 3)
    {
        var b = new SheafBuilder();
        var prev = b.AddVertex("x", d);
        for (int k = 1; k <= blocks; k++)
        {
            var z1 = b.AddVertex($"z{k}.1", h, k);
            var a1 = b.AddVertex($"a{k}.1", h, k);
            var o = b.AddVertex($"y{k}", d, k);
            b.AddEdge($"W{k}.1", prev, z1, Weights(h, d), SelectionMap.Identity(h), null, EdgeKind.Weight, k);
            b.AddEdge($"relu{k}", z1, a1, SelectionMap.Identity(h), SelectionMap.Identity(h), null, EdgeKind.Relu, k);
            b.AddEdge($"W{k}.2", a1, o, Weights(d, h), SelectionMap.Identity(d), null, EdgeKind.Weight, k);
            b.AddEdge($"chord{k}", prev, o, SelectionMap.Identity(d), SelectionMap.Identity(d), null, EdgeKind.Chord, k);
            prev = o;
        }
        return b.Build();
    }
}

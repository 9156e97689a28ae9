using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Graph;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Tests.Sheaves;

namespace ResidualSheaf.Tests.Models;

/// <summary>
/// The layer-graph walk builds, cell for cell, the sheaves the pre-redesign constructor built (<see cref="LegacySheafConstructor"/>):
/// same vertices in the same order, names, dimensions, offsets, edges, maps and dense δ, so no downstream number can change.
/// </summary>
public class LayerGraphConstructionTests
{
    private static readonly (int In, int Hidden, int Out, bool Projection, ReluPlacement Placement)[][] Stacks =
    [
        [(3, 3, 3, false, ReluPlacement.After)],
        [(3, 3, 3, false, ReluPlacement.Before)],
        [(2, 4, 3, true, ReluPlacement.After)],
        [(2, 4, 3, true, ReluPlacement.Before)],
        [(3, 3, 3, true, ReluPlacement.After)],
        [(3, 5, 3, false, ReluPlacement.After), (3, 4, 2, true, ReluPlacement.After), (2, 2, 2, false, ReluPlacement.After)],
        [(3, 5, 3, false, ReluPlacement.Before), (3, 4, 2, true, ReluPlacement.Before), (2, 2, 2, false, ReluPlacement.Before)],
        [(2, 3, 4, true, ReluPlacement.After), (4, 1, 4, false, ReluPlacement.Before), (4, 2, 4, false, ReluPlacement.After), (4, 3, 1, true, ReluPlacement.Before)],
        [(1, 1, 1, false, ReluPlacement.Before), (1, 1, 1, false, ReluPlacement.Before)],
    ];

    private static readonly int[][] Mlps = [[2, 4, 1], [1, 1], [4, 3], [3, 5, 5, 2], [2, 3, 3, 3, 2]];

    /// <summary>Every architecture by name, with both skip constructions.</summary>
    public static TheoryData<string, SkipConstruction> Cases()
    {
        var data = new TheoryData<string, SkipConstruction>();
        foreach (var c in new[] { SkipConstruction.Junction, SkipConstruction.Chord })
        {
            data.Add("golden", c);
            for (int i = 0; i < Mlps.Length; i++) data.Add($"mlp{i}", c);
            for (int i = 0; i < Stacks.Length; i++) data.Add($"stack{i}", c);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GraphSheafEqualsTheLegacyConstruction(string name, SkipConstruction construction)
    {
        var net = Network(name);
        var built = SheafConstructor.Build(net, construction);
        var legacy = LegacySheafConstructor.Build(net, construction);

        Assert.Equal(legacy.Construction, built.Construction);
        Assert.Equal(legacy.Input, built.Input);
        Assert.Equal(legacy.Output, built.Output);
        var (a, b) = (legacy.Sheaf, built.Sheaf);
        Assert.Equal(a.Vertices, b.Vertices);
        Assert.Equal(a.TotalDimension, b.TotalDimension);
        Assert.Equal(a.EdgeDimension, b.EdgeDimension);
        Assert.Equal(a.MaskCoordinates, b.MaskCoordinates);
        Assert.Equal(Enumerable.Range(0, a.TotalDimension).Select(a.CoordinateName), Enumerable.Range(0, b.TotalDimension).Select(b.CoordinateName));
        Assert.Equal(a.Edges.Count, b.Edges.Count);
        var patterns = Patterns(a, 7).ToArray();
        for (int k = 0; k < a.Edges.Count; k++)
        {
            var (e, f) = (a.Edges[k], b.Edges[k]);
            Assert.Equal((e.Id, e.Name, e.Tail, e.Head, e.Kind, e.Layer, e.Offset, e.Dimension), (f.Id, f.Name, f.Tail, f.Head, f.Kind, f.Layer, f.Offset, f.Dimension));
            Assert.Equal(e.Affine, f.Affine);
            SameMap(e.TailMap, f.TailMap, patterns);
            SameMap(e.HeadMap, f.HeadMap, patterns);
        }
        foreach (var m in patterns)
            Assert.Equal(Coboundary.Assemble(a, m).ToArray(), Coboundary.Assemble(b, m).ToArray());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SolutionsAndForwardMasksAreBitIdentical(string name, SkipConstruction construction)
    {
        var net = Network(name);
        var built = SheafConstructor.Build(net, construction);
        var legacy = LegacySheafConstructor.Build(net, construction);
        var rng = new Random(11);
        for (int t = 0; t < 5; t++)
        {
            var x = Enumerable.Range(0, net.InputDimension).Select(_ => 2 * rng.NextDouble() - 1).ToArray();
            Assert.Equal(net.Forward(x), net.Graph.Forward(x));
            var masks = built.ForwardMasks(x);
            var legacyMasks = LegacyForwardMasks(legacy, x);
            Assert.Equal(legacyMasks is null, masks is null);
            if (masks is not null) Assert.Equal(legacyMasks!.Theta.ToArray(), masks.Theta.ToArray());
            var s1 = DirichletSolver.Solve(legacy.Problem(x), initialMasks: legacyMasks);
            var s2 = DirichletSolver.Solve(built.Problem(x), initialMasks: masks);
            Assert.Equal(s1.Method, s2.Method);
            Assert.Equal(s1.Cochain, s2.Cochain);
            Assert.Equal(s1.Residual, s2.Residual);
        }
    }

    [Fact]
    public void GraphsOfTheLabBlockAreTopologicalWithTheExpectedKinds()
    {
        var g = Network("stack0").Graph;
        Assert.Equal(
            [LayerKind.Input, LayerKind.Linear, LayerKind.Relu, LayerKind.Linear, LayerKind.Add, LayerKind.Relu, LayerKind.Output],
            g.Nodes.Select(n => n.Kind));
        Assert.All(g.Nodes, n => Assert.All(n.Inputs, i => Assert.True(i.Id < n.Id)));
        Assert.Equal(2, g.Consumers(g.Input).Count);
        Assert.True(g.HasAdditions);
        Assert.False(Network("mlp0").Graph.HasAdditions);
    }

    [Fact]
    public void AnAdditionNeedsAddendsOfOneWidth()
    {
        var g = new LayerGraphBuilder("x", 2);
        var z = g.Linear(g.Input, Layer(2, 3, new Random(1), "fc1"), "z1", "W1", 1);
        Assert.Throws<ArgumentException>(() => g.Add([z, g.Input], "s", "", 1));
        var s = g.Add([z, g.Input], "s", "", 1, [null, Layer(2, 3, new Random(2), "proj", bias: false)]);
        Assert.Equal(3, s.Width);
    }

    /// <summary>The Runner's StaticLabJob.ForwardMasks before it moved into Models, on the legacy constructor (frozen copy).</summary>
    private static MaskPattern? LegacyForwardMasks(NetworkSheaf ns, double[] x)
    {
        if (ns.Construction == SkipConstruction.Junction) return null;
        var exact = LegacySheafConstructor.Build(ns.Network, SkipConstruction.Junction);
        var forward = DirichletSolver.Solve(exact.Problem(x)).Cochain;
        var masks = new MaskPattern(ns.Sheaf.TotalDimension);
        foreach (var v in ns.Sheaf.Vertices)
        {
            var twin = exact.Sheaf.Vertices.FirstOrDefault(u => u.Name == v.Name && u.Dimension == v.Dimension);
            if (twin is null) continue;
            for (int i = 0; i < v.Dimension; i++) masks.Theta[v.Offset + i] = forward[twin.Offset + i] >= 0 ? 1.0 : 0.0;
        }
        return masks;
    }

    private static void SameMap(RestrictionMap a, RestrictionMap b, MaskPattern[] patterns)
    {
        Assert.Equal(a.GetType(), b.GetType());
        Assert.Equal((a.Rows, a.Columns), (b.Rows, b.Columns));
        Assert.Equal(a.SelectedColumns, b.SelectedColumns);
        if (a is SwitchingMap sa) Assert.Equal(sa.MaskOffset, ((SwitchingMap)b).MaskOffset);
        foreach (var m in patterns) Assert.Equal(a.Entries(m), b.Entries(m));
    }

    /// <summary>All active, all inactive, and random 0 / ½ / 1 masks.</summary>
    private static IEnumerable<MaskPattern> Patterns(CellularSheaf sheaf, int seed)
    {
        var rng = new Random(seed);
        yield return new MaskPattern(sheaf.TotalDimension);
        var off = new MaskPattern(sheaf.TotalDimension);
        foreach (int j in sheaf.MaskCoordinates) off.Theta[j] = 0;
        yield return off;
        for (int t = 0; t < 3; t++)
        {
            var m = new MaskPattern(sheaf.TotalDimension);
            foreach (int j in sheaf.MaskCoordinates) m.Theta[j] = rng.Next(3) / 2.0;
            yield return m;
        }
    }

    private static INetwork Network(string name)
    {
        if (name == "golden") return GoldenNetwork.Create();
        var rng = new Random(name.Sum(ch => ch) * 31 + name.Length);
        if (name.StartsWith("mlp", StringComparison.Ordinal))
        {
            var w = Mlps[int.Parse(name[3..], System.Globalization.CultureInfo.InvariantCulture)];
            return new Mlp(Enumerable.Range(1, w.Length - 1).Select(l => Layer(w[l - 1], w[l], rng, $"fc{l}")).ToArray());
        }
        var spec = Stacks[int.Parse(name[5..], System.Globalization.CultureInfo.InvariantCulture)];
        return new ResidualStack(spec.Select((b, k) => new ResidualBlock(
            Layer(b.In, b.Hidden, rng, $"blocks.{k}.fc1"),
            Layer(b.Hidden, b.Out, rng, $"blocks.{k}.fc2"),
            b.Projection ? Layer(b.In, b.Out, rng, $"blocks.{k}.proj", bias: false) : null,
            b.Placement)).ToArray());
    }

    private static LinearLayer Layer(int n, int m, Random rng, string name, bool bias = true) =>
        new(n, m, Enumerable.Range(0, n * m).Select(_ => Math.Round(2 * rng.NextDouble() - 1, 3)).ToArray(),
            bias ? Enumerable.Range(0, m).Select(_ => Math.Round(rng.NextDouble() - 0.5, 3)).ToArray() : null, name);
}

using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;

namespace ResidualSheaf.Tests.Sheaves;

/// <summary>The compiled δ against the per-edge restriction maps (Coboundary), on every construction, mask pattern and state.</summary>
public class SparseCoboundaryTests
{
    public static TheoryData<string> Sheaves() => ["G", "block-junction-after", "block-chord-before", "projection-junction", "two-blocks-chord"];

    private static CellularSheaf Build(string name) => name switch
    {
        "G" => SheafConstructor.Build(GoldenNetwork.Create()).Sheaf,
        "block-junction-after" => Residual([new BlockSpec(3, 3, 3, false)], ReluPlacement.After, SkipConstruction.Junction),
        "block-chord-before" => Residual([new BlockSpec(3, 3, 3, false)], ReluPlacement.Before, SkipConstruction.Chord),
        "projection-junction" => Residual([new BlockSpec(2, 4, 3, true)], ReluPlacement.After, SkipConstruction.Junction),
        _ => Residual([new BlockSpec(3, 4, 3, false), new BlockSpec(3, 5, 2, true)], ReluPlacement.After, SkipConstruction.Chord),
    };

    private static CellularSheaf Residual(BlockSpec[] blocks, ReluPlacement relu, SkipConstruction construction) =>
        SheafConstructor.Build(TorchReference.PyTorchDefault(ArchitectureSpec.Residual(blocks, relu), 5), construction).Sheaf;

    [Theory]
    [MemberData(nameof(Sheaves))]
    public void GradientEqualsTheRestrictionMapsUnderRandomMasksAndStates(string name)
    {
        var sheaf = Build(name);
        var sparse = SparseCoboundary.TryCreate(sheaf, 1 << 20);
        Assert.NotNull(sparse);
        var rng = new Random(3);
        var r = new double[sheaf.EdgeDimension];
        var g = new double[sheaf.TotalDimension];
        var rRef = new double[sheaf.EdgeDimension];
        var gRef = new double[sheaf.TotalDimension];
        for (int trial = 0; trial < 50; trial++)
        {
            var c = Enumerable.Range(0, sheaf.TotalDimension).Select(_ => 4 * rng.NextDouble() - 2).ToArray();
            var masks = MaskPattern.From(sheaf, c);
            // Also masks that disagree with the state (frozen modes, sliding) and Filippov fractions.
            if (trial % 2 == 1)
                foreach (int j in sheaf.MaskCoordinates) masks.Theta[j] = rng.Next(3) / 2.0;
            sparse!.Gradient(c, masks, r, g);
            Coboundary.Apply(sheaf, c, masks, rRef);
            Array.Clear(gRef);
            Coboundary.TransposeMultiplyAdd(sheaf, rRef, masks, gRef);
            for (int i = 0; i < r.Length; i++) Assert.Equal(rRef[i], r[i], 1e-13 * (1 + Math.Abs(rRef[i])));
            for (int i = 0; i < g.Length; i++) Assert.Equal(gRef[i], g[i], 1e-13 * (1 + Math.Abs(gRef[i])));
        }
    }

    [Fact]
    public void LargeSheavesAreLeftToTheRestrictionMaps()
    {
        var sheaf = Build("two-blocks-chord");
        var all = SparseCoboundary.TryCreate(sheaf, 1 << 20)!;
        Assert.Null(SparseCoboundary.TryCreate(sheaf, all.Entries - 1));
        Assert.NotNull(SparseCoboundary.TryCreate(sheaf, all.Entries));
    }
}

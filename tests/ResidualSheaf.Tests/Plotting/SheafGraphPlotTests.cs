using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Runner.Plotting;

namespace ResidualSheaf.Tests.Plotting;

public class SheafGraphPlotTests
{
    [Fact]
    public void JunctionStackOfTwoBlocks()
    {
        var path = PngFile.NewPath("graph-junction-2");
        SheafGraphPlot.Save(path, ResidualSheaves.Junction(2), "junction construction, 2 blocks");
        var (width, _) = PngFile.AssertValid(path);
        Assert.True(width >= 11 * 100, $"width {width} should scale with the 11 vertices");
    }

    [Fact]
    public void ChordStackOfTwoBlocks()
    {
        var path = PngFile.NewPath("graph-chord-2");
        SheafGraphPlot.Save(path, ResidualSheaves.Chord(2), "chord construction, 2 blocks", width: 1000, height: 420);
        PngFile.AssertValid(path, 1000, 420);
    }

    [Fact]
    public void WidthGrowsWithVertexCount()
    {
        var small = PngFile.NewPath("graph-junction-1");
        var large = PngFile.NewPath("graph-junction-4");
        SheafGraphPlot.Save(small, ResidualSheaves.Junction(1), "1 block");
        SheafGraphPlot.Save(large, ResidualSheaves.Junction(4), "4 blocks");
        Assert.True(PngFile.AssertValid(large).Width > PngFile.AssertValid(small).Width);
    }

    [Fact]
    public void ParallelAndLongPathEdges()
    {
        var b = new SheafBuilder();
        var u = b.AddVertex("u", 2);
        var v = b.AddVertex("v", 2);
        var w = b.AddVertex("w", 1);
        b.AddEdge("e1", u, v, SelectionMap.Identity(2), SelectionMap.Identity(2), null, EdgeKind.Weight);
        b.AddEdge("e2", u, v, SelectionMap.Identity(2), SelectionMap.Identity(2), null, EdgeKind.Other);
        b.AddEdge("long", u, w, new DenseMap(1, 2, [1, 1]), SelectionMap.Identity(1), null, EdgeKind.Other);
        b.AddEdge("back", w, u, SelectionMap.Identity(1), new DenseMap(1, 2, [1, -1]), null, EdgeKind.Chord);
        var path = PngFile.NewPath("graph-parallel");
        SheafGraphPlot.Save(path, b.Build(), "parallel, long and backward edges");
        PngFile.AssertValid(path);
    }

    [Fact]
    public void EmptySheaf()
    {
        var path = PngFile.NewPath("graph-empty");
        SheafGraphPlot.Save(path, new SheafBuilder().Build(), "empty sheaf", width: 600, height: 400);
        PngFile.AssertValid(path, 600, 400);
    }

    [Fact]
    public void SingleVertexWithoutEdges()
    {
        var b = new SheafBuilder();
        b.AddVertex("x", 5);
        var path = PngFile.NewPath("graph-single");
        SheafGraphPlot.Save(path, b.Build(), "one vertex");
        PngFile.AssertValid(path);
    }
}

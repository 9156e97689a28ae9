using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Graph;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using TorchSharp;

namespace ResidualSheaf.Tests.Heads;

/// <summary>
/// With a sigmoid or softmax head the sheaf gets a_out and the smooth edge z → a_out; forward substitution through it still gives
/// the forward pass, checked against TorchSharp modules with torch.sigmoid / torch.softmax.
/// </summary>
public class HeadStaticSolveTests
{
    public static TheoryData<string, OutputHead> Cases()
    {
        var d = new TheoryData<string, OutputHead>();
        foreach (var k in HeadNetworks.Kinds)
            foreach (var h in new[] { OutputHead.Sigmoid, OutputHead.Softmax })
                d.Add(k, h);
        return d;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardSubstitutionEqualsTorchFloat64(string kind, OutputHead head)
    {
        var net = HeadNetworks.Network(kind, head);
        var ns = SheafConstructor.Build(net);
        Assert.Equal(OutputHeads.VertexName, ns.Output.Name);
        var edge = Assert.Single(ns.Sheaf.SmoothEdges);
        Assert.Equal(ns.Output.Id, edge.Head);
        using var t64 = TorchReference.Create(net, torch.ScalarType.Float64);
        using var t32 = TorchReference.Create(net, torch.ScalarType.Float32);
        var inputs = InputSampler.Normal(60, net.InputDimension, seed: 3, scale: 2.0);
        double worst = 0, worst32 = 0, sumCheck = 0;
        foreach (var x in inputs)
        {
            var sol = DirichletSolver.Solve(ns.Problem(x));
            Assert.Equal(DirichletMethod.ForwardSubstitution, sol.Method);
            Assert.True(sol.Residual < 1e-13, $"residual {sol.Residual}");
            var y = ns.OutputOf(sol.Cochain);
            var reference = t64.Forward(x);
            Assert.Equal(reference.Length, y.Length);
            for (int i = 0; i < y.Length; i++) worst = Math.Max(worst, Math.Abs(y[i] - reference[i]));
            var y32 = t32.Forward(x);
            for (int i = 0; i < y.Length; i++) worst32 = Math.Max(worst32, Math.Abs(y[i] - y32[i]));
            // The head's own value (a_out = φ(z)), the managed forward pass and the sheaf agree.
            var managed = net.Forward(x);
            for (int i = 0; i < y.Length; i++) Assert.Equal(managed[i], y[i], 15);
            if (head == OutputHead.Softmax) sumCheck = Math.Max(sumCheck, Math.Abs(y.Sum() - 1));
        }
        Assert.True(worst <= 1e-12, $"max |sheaf − torch64| = {worst:E3}");
        Assert.True(worst32 <= 1e-5, $"max |sheaf − torch32| = {worst32:E3}");
        Assert.True(sumCheck <= 1e-15);
    }

    [Fact]
    public void SoftmaxOverOneOutputIsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => ArchitectureSpec.Mlp(2, 3, 1).WithHead(OutputHead.Softmax, OutputEdgeMode.Jacobian));
        Assert.Contains("softmax", e.Message);
        Assert.Throws<ArgumentException>(() => ArchitectureSpec.Residual([new BlockSpec(2, 3, 2, false)], ReluPlacement.After)
            .WithHead(OutputHead.Softmax, OutputEdgeMode.Jacobian, classifier: 1));
    }

    [Fact]
    public void IdentityHeadAddsNoVertex()
    {
        var net = TorchReference.PyTorchDefault(ArchitectureSpec.Mlp(2, 4, 2), 1);
        var ns = SheafConstructor.Build(net);
        Assert.Empty(ns.Sheaf.SmoothEdges);
        Assert.Equal("z2", ns.Output.Name);
    }

    [Fact]
    public void ChordConstructionWithHeadSolvesLinearPartThenHead()
    {
        // Least squares on the chord's linear part, then a_out = φ(z): a_out's smooth residual is zero.
        var net = HeadNetworks.Network("resnet", OutputHead.Sigmoid);
        var ns = SheafConstructor.Build(net, SkipConstruction.Chord);
        var x = InputSampler.Normal(1, net.InputDimension, 5)[0];
        var sol = DirichletSolver.Solve(ns.Problem(x), initialMasks: ns.ForwardMasks(x));
        Assert.Equal(0.0, SmoothResidual.Energy(ns.Sheaf, sol.Cochain));
        var z = sol.Cochain.AsSpan(ns.Sheaf.Vertex("z_out").Offset, 2).ToArray();
        var y = ns.OutputOf(sol.Cochain);
        for (int i = 0; i < 2; i++) Assert.Equal(1 / (1 + Math.Exp(-z[i])), y[i], 15);
    }
}

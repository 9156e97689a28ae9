using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Graph;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Tests.Heat;

namespace ResidualSheaf.Tests.Heads;

/// <summary>
/// The heat equation's forces with an output head (heads-and-training.md §1): in jacobian mode −α∇E with ∇E from TorchSharp
/// autograd on the same edge energies; in identity mode the stated formula, which differs from −α∇E; dE/dt and the exact
/// Jacobian Rodas4 gets, against autograd and central differences.
/// </summary>
public class HeadForceTests
{
    private const double Alpha = 0.7;

    public static TheoryData<string, OutputHead> Cases() => HeadStaticSolveTests.Cases();

    private static (HeatEquation Eq, DirichletProblem P, SmoothEdge Head) Equation(string kind, OutputHead head, OutputEdgeMode mode)
    {
        var net = HeadNetworks.Network(kind, head, mode);
        var ns = SheafConstructor.Build(net);
        var x = InputSampler.Normal(1, net.InputDimension, 9)[0];
        var p = ns.Problem(x);
        return (new HeatEquation(p, Alpha), p, ns.Sheaf.SmoothEdges[0]);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void JacobianModeForceIsMinusAlphaGradientByAutograd(string kind, OutputHead head)
    {
        var (eq, p, _) = Equation(kind, head, OutputEdgeMode.Jacobian);
        Assert.True(eq.HasSmoothHead);
        Assert.True(eq.IsGradientFlow);
        var force = new double[eq.FreeDimension];
        double worst = 0;
        for (int trial = 0; trial < 20; trial++)
        {
            var state = HeatReference.Normal(eq.FreeDimension, 100 + trial, scale: 1.5);
            eq.Force(state, force);
            var g = TorchEnergy.Gradient(p, p.Embed(state));
            for (int i = 0; i < g.Length; i++) worst = Math.Max(worst, Math.Abs(force[i] + Alpha * g[i]));
            // dE/dt = −α‖∇E‖² along a gradient flow.
            double rate = -Alpha * g.Sum(v => v * v);
            Assert.True(Math.Abs(eq.EnergyRate(state) - rate) <= 1e-12 * Math.Max(1, Math.Abs(rate)));
            Assert.Equal(DirichletEnergy.Evaluate(p.Sheaf, p.Embed(state)), eq.Energy(state), 12);
        }
        Assert.True(worst <= 1e-12, $"max |force + α∇E| = {worst:E3}");
    }

    /// <summary>
    /// A batch builds each input's equation with <see cref="HeatEquation.WithPinnedValues"/>: it must keep the head's terms (it
    /// once dropped them, so a batch with a head integrated the identity-output flow).
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void EquationForAnotherInputKeepsTheHead(string kind, OutputHead head)
    {
        foreach (var mode in new[] { OutputEdgeMode.Jacobian, OutputEdgeMode.Identity })
        {
            var net = HeadNetworks.Network(kind, head, mode);
            var ns = SheafConstructor.Build(net);
            var xs = InputSampler.Normal(2, net.InputDimension, 9);
            var template = new HeatEquation(ns.Problem(xs[0]), Alpha);
            var other = ns.Problem(xs[1]);
            var shared = template.WithPinnedValues(other);
            var fresh = new HeatEquation(other, Alpha);
            Assert.True(shared.HasSmoothHead);
            Assert.Equal(fresh.IsGradientFlow, shared.IsGradientFlow);
            var a = new double[fresh.FreeDimension];
            var b = new double[fresh.FreeDimension];
            for (int trial = 0; trial < 5; trial++)
            {
                var state = HeatReference.Normal(fresh.FreeDimension, 300 + trial, scale: 1.5);
                fresh.Force(state, a);
                shared.Force(state, b);
                Assert.Equal(a, b);
                Assert.Equal(fresh.Energy(state), shared.Energy(state));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void IdentityModeForceIsTheStatedFormulaAndNotAGradient(string kind, OutputHead head)
    {
        var (eq, p, edge) = Equation(kind, head, OutputEdgeMode.Identity);
        Assert.False(eq.IsGradientFlow);
        var sheaf = p.Sheaf;
        var z = sheaf.Vertices[edge.Tail];
        var a = sheaf.Vertices[edge.Head];
        var force = new double[eq.FreeDimension];
        double worst = 0, differs = 0;
        for (int trial = 0; trial < 20; trial++)
        {
            var state = HeatReference.Normal(eq.FreeDimension, 200 + trial, scale: 1.5);
            var c = p.Embed(state);
            eq.Force(state, force);
            // −α∇E of the linear edges, then ȧ_out += −α(a_out − φ(z)) and ż += −α(φ(z) − a_out).
            var expected = TorchEnergy.Gradient(p, c, head: false).Select(v => -Alpha * v).ToArray();
            var phi = TorchEnergy.Phi(edge.Function, c.AsSpan(z.Offset, z.Dimension).ToArray());
            for (int i = 0; i < z.Dimension; i++)
            {
                double r = c[a.Offset + i] - phi[i];
                expected[p.FreeIndex(a.Offset + i)] += -Alpha * r;
                expected[p.FreeIndex(z.Offset + i)] += -Alpha * -r;
            }
            for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(force[i] - expected[i]));
            var g = TorchEnergy.Gradient(p, c);
            for (int i = 0; i < g.Length; i++) differs = Math.Max(differs, Math.Abs(force[i] + Alpha * g[i]));
            // dE/dt = ∇E · ċ, which is not −α‖∇E‖² here.
            double rate = g.Zip(force, (u, v) => u * v).Sum();
            Assert.True(Math.Abs(eq.EnergyRate(state) - rate) <= 1e-12 * Math.Max(1, Math.Abs(rate)), $"{eq.EnergyRate(state)} vs {rate}");
        }
        Assert.True(worst <= 1e-12, $"max |force − formula| = {worst:E3}");
        Assert.True(differs > 1e-2, $"identity-mode force should differ from −α∇E (max difference {differs:E3})");
    }

    [Theory]
    [InlineData("mlp", OutputHead.Sigmoid, OutputEdgeMode.Jacobian)]
    [InlineData("mlp", OutputHead.Softmax, OutputEdgeMode.Jacobian)]
    [InlineData("resnet", OutputHead.Softmax, OutputEdgeMode.Jacobian)]
    [InlineData("mlp", OutputHead.Sigmoid, OutputEdgeMode.Identity)]
    [InlineData("resnet", OutputHead.Softmax, OutputEdgeMode.Identity)]
    public void ForceJacobianMatchesCentralDifferences(string kind, OutputHead head, OutputEdgeMode mode)
    {
        var (eq, p, _) = Equation(kind, head, mode);
        int n = eq.FreeDimension;
        var state = HeatReference.Normal(n, 31, scale: 1.5);
        var masks = MaskPattern.From(p.Sheaf, p.Embed(state));
        // J = −α L_free(σ) (the linear part; the state is kept away from the switching surfaces) + the head's block.
        var l = p.FreeLaplacian(masks);
        var jac = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) jac[i, j] = -Alpha * l[i, j];
        eq.AddSmoothJacobian(state, jac);
        const double h = 1e-6;
        var fp = new double[n];
        var fm = new double[n];
        double worst = 0;
        for (int j = 0; j < n; j++)
        {
            var sp = (double[])state.Clone();
            var sm = (double[])state.Clone();
            sp[j] += h;
            sm[j] -= h;
            eq.Force(sp, fp);
            eq.Force(sm, fm);
            Assert.True(MaskPattern.From(p.Sheaf, p.Embed(sp)).SameAs(masks, p.Sheaf), "difference step crossed a switching surface");
            for (int i = 0; i < n; i++) worst = Math.Max(worst, Math.Abs((fp[i] - fm[i]) / (2 * h) - jac[i, j]));
        }
        Assert.True(worst <= 1e-7, $"max |J − central difference| = {worst:E3}");
    }

    [Theory]
    [InlineData(OutputHead.Sigmoid, OutputEdgeMode.Jacobian)]
    [InlineData(OutputHead.Softmax, OutputEdgeMode.Identity)]
    public void HeadForceEnergyRateAndJacobianAllocateNothing(OutputHead head, OutputEdgeMode mode)
    {
        var (eq, _, _) = Equation("resnet", head, mode);
        int n = eq.FreeDimension;
        var state = HeatReference.Normal(n, 3);
        var force = new double[n];
        var jac = new double[n, n];
        long allocated = long.MaxValue;
        for (int round = 0; round < 3; round++)
        {
            // The first round warms up (JIT, tiered compilation); the least of the rounds counts.
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int k = 0; k < 100; k++)
            {
                eq.Force(state, force);
                eq.EnergyRate(state);
                eq.Energy(state);
                eq.AddSmoothJacobian(state, jac);
            }
            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, allocated);
    }
}

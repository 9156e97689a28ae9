using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using Xunit.Abstractions;

namespace ResidualSheaf.Tests.Heat;

/// <summary>
/// Piecewise flows that start on a switching surface where both surface forces vanish (the zero cochain of a residual block): the
/// mode is decided at second order instead of repeating a zero-length graze until the event cap (issue 14). No timeouts: the event
/// cap is small, and reaching it is the failure.
/// </summary>
public class TangentSurfaceTests(ITestOutputHelper output)
{
    // MLP [1, 1, 1], W1 = 1, b1 = 0, W2 = 1, b2 = 0.5, x = 0, c(0) = 0: both z1 forces are 0 at t = 0; under θ = 1 the falling a1
    // drags z1 below 0 at once, under θ = 0 z1 is decoupled and stays 0. Forward pass (z1, a1, z2) = (0, 0, 0.5).
    private static readonly NetworkSheaf Tiny = SheafConstructor.Build(
        new Mlp([new LinearLayer(1, 1, [1.0], [0.0], "fc1"), new LinearLayer(1, 1, [1.0], [0.5], "fc2")]));

    private static readonly double[] Times = [0.5, 1, 3];

    [Fact]
    public void ExactFlowFromATangentStartFollowsTheMaskedFlow()
    {
        var p = Tiny.Problem([0.0]);
        var res = new ExactPiecewiseIntegrator(new HeatEquation(p)).Run(new double[3], Times, double.PositiveInfinity, maxEvents: 20);
        output.WriteLine(string.Join(", ", res.Events.Select(e => $"{e.Kind} {e.Name} @ {e.Time:g6}")));
        Assert.Equal(ExactStatus.Converged, res.Status);
        Assert.True(res.Events.Count <= 2, $"{res.Events.Count} events");
        Assert.True(HeatReference.MaxDiff(res.Limit!, [0.0, 0.0, 0.5]) < 1e-14);
        // The closed form of the θ = 0 flow (z1 ≡ 0; z2 = ½(1 − e^{−t}) + …) is checked against RK4 with masks from the state.
        var rk4 = HeatReference.Rk4(p, 1.0, new double[3], Times, 1e-4);
        for (int i = 0; i < Times.Length; i++) Assert.True(HeatReference.MaxDiff(res.States[i], rk4[i]) < 1e-6, $"t = {Times[i]}");
    }

    [Fact]
    public void KrylovFlowFromATangentStartConverges()
    {
        var p = Tiny.Problem([0.0]);
        var res = new KrylovPiecewiseIntegrator(new HeatEquation(p)).Run(new double[3], Times, double.PositiveInfinity, maxEvents: 20);
        Assert.Equal(KrylovStatus.Converged, res.Status);
        Assert.True(HeatReference.MaxDiff(res.Limit!, [0.0, 0.0, 0.5]) < 1e-12);
        var rk4 = HeatReference.Rk4(p, 1.0, new double[3], Times, 1e-4);
        for (int i = 0; i < Times.Length; i++) Assert.True(HeatReference.MaxDiff(res.States[i], rk4[i]) < 1e-6, $"t = {Times[i]}");
    }

    [Fact]
    public void LabBlockFromTheZeroCochainConvergesOnEveryInput()
    {
        var net = TorchReference.PyTorchDefault(ArchitectureSpec.Residual([new BlockSpec(3, 3, 3, false)], ReluPlacement.After), 42);
        var ns = SheafConstructor.Build(net, SkipConstruction.Junction);
        var inputs = InputSampler.Normal(300, net.InputDimension, 0);
        int checkedTrajectories = 0;
        for (int k = 0; k < inputs.Length; k++)
        {
            var p = ns.Problem(inputs[k]);
            var eq = new HeatEquation(p);
            var zero = new double[eq.FreeDimension];
            var res = new ExactPiecewiseIntegrator(eq).Run(zero, Times, double.PositiveInfinity, maxEvents: 100);
            Assert.True(res.Status == ExactStatus.Converged, $"input {k}: {res.Status} after {res.Events.Count} events");
            var forward = p.Restrict(DirichletSolver.Solve(p).Cochain);
            Assert.True(HeatReference.MaxDiff(res.Limit!, forward) < 1e-12, $"input {k}: limit is not the forward pass");
            // Where the start is tangent (events at t = 0), the path itself against RK4 with masks from the state.
            if (checkedTrajectories < 4 && res.Events.Count > 0 && res.Events[0].Time == 0)
            {
                checkedTrajectories++;
                var rk4 = HeatReference.Rk4(p, 1.0, zero, Times, 1e-4);
                for (int i = 0; i < Times.Length; i++)
                    Assert.True(HeatReference.MaxDiff(res.States[i], rk4[i]) < 1e-5, $"input {k}, t = {Times[i]}: {HeatReference.MaxDiff(res.States[i], rk4[i]):e3}");
            }
        }
        Assert.Equal(4, checkedTrajectories);
    }
}

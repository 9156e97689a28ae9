using ResidualSheaf.Engine;
using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Tests.Sheaves;

namespace ResidualSheaf.Tests.Heat;

/// <summary>
/// An exact solve that nobody observes, with a distance rule alone, skips the samples <see cref="DistanceBound"/> proves too far
/// from the target. The reference is the same solve with an observer (every sample evaluated, the code path as it was): equal bit
/// for bit. And the bound itself, against the distance of the evaluated state at many times: it never claims a state that meets
/// the tolerance.
/// </summary>
public sealed class UnobservedSamplingTests
{
    private sealed class Watcher : IHeatObserver
    {
        public int Samples { get; private set; }

        public void OnSample(in HeatSample sample) => Samples++;

        public void OnEvent(HeatEvent e)
        {
        }
    }

    private static NetworkSheaf Sheaf(string name) => SheafConstructor.Build(name == "G"
        ? GoldenNetwork.Create()
        : TorchReference.PyTorchDefault(ArchitectureSpec.Residual([new BlockSpec(3, 3, 3, false)], ReluPlacement.After), 42), SkipConstruction.Junction);

    /// <summary>A pinned problem and the distance rule's target: the forward pass, or with the output pinned off it, the static solve.</summary>
    private static (HeatEquation Eq, double[] Target) Problem(NetworkSheaf ns, double[] x, double? outputOffset)
    {
        var free = ns.Problem(x);
        if (outputOffset is double off)
        {
            var y = ns.OutputOf(DirichletSolver.Solve(free).Cochain).Select(v => v + off).ToArray();
            free = ns.Problem(x, y);
        }
        return (new HeatEquation(free), free.Restrict(DirichletSolver.Solve(free).Cochain));
    }

    [Theory]
    [InlineData("G", 0.0, null, 1e-9)]
    [InlineData("G", 1.0, 0.5, 1e-9)]
    [InlineData("block", 0.0, null, 1e-9)]
    [InlineData("block", 1.0, null, 1e-4)]
    [InlineData("block", 1.0, -0.3, 1e-9)]
    public void AnUnobservedSolveEqualsTheObservedOneBitForBit(string name, double initialScale, double? outputOffset, double tolerance)
    {
        var ns = Sheaf(name);
        var inputs = InputSampler.Normal(120, ns.Network.InputDimension, 3);
        var algorithm = new ExactPiecewiseFlow { SharedPatterns = null };
        int skippedSomewhere = 0;
        for (int k = 0; k < inputs.Length; k++)
        {
            var (eq, target) = Problem(ns, inputs[k], outputOffset);
            var c0 = HeatReference.Normal(eq.FreeDimension, 100 + k, initialScale);
            // Every third input also ends early (the end time, or the event cap): the ways out of the sample loop besides convergence.
            double end = k % 3 == 1 ? 3 : 1e6;
            int maxEvents = k % 3 == 2 ? 1 : 10_000;
            HeatProblem Make() => new(eq, c0) { EndTime = end, MaxEvents = maxEvents, StopRules = [new DistanceStop(target, tolerance)] };
            var watcher = new Watcher();
            var seen = HeatSolver.Solve(Make(), algorithm, watcher);
            var alone = HeatSolver.Solve(Make(), algorithm);
            Assert.Equal(seen.Status, alone.Status);
            Assert.Equal(seen.Message, alone.Message);
            Assert.Equal(BitConverter.DoubleToInt64Bits(seen.FinalTime), BitConverter.DoubleToInt64Bits(alone.FinalTime));
            Assert.Equal(seen.ConvergenceTime, alone.ConvergenceTime);
            Assert.Equal(seen.FinalState.Select(BitConverter.DoubleToInt64Bits), alone.FinalState.Select(BitConverter.DoubleToInt64Bits));
            Assert.Equal(seen.Events.Count, alone.Events.Count);
            if (watcher.Samples > 20) skippedSomewhere++;
        }
        Assert.True(skippedSomewhere > 0, "no run had enough samples for skipping to matter: the test would not exercise it");
    }

    [Theory]
    [InlineData("G", 0.0)]
    [InlineData("G", 0.3)]
    [InlineData("block", 0.0)]
    [InlineData("block", -0.2)]
    public void TheBoundNeverClaimsAStateWithinTheTolerance(string name, double targetShift)
    {
        var ns = Sheaf(name);
        var inputs = InputSampler.Normal(40, ns.Network.InputDimension, 5);
        int claims = 0, points = 0;
        for (int k = 0; k < inputs.Length; k++)
        {
            var (eq, forward) = Problem(ns, inputs[k], null);
            // A shifted target is one the flow heads away from: the bound's second branch (D large) is exercised.
            var target = forward.Select(v => v + targetShift).ToArray();
            var path = new ExactPiecewiseIntegrator(eq).Run(HeatReference.Normal(eq.FreeDimension, 7 + k, 1.0)).Trajectory!;
            var state = new double[eq.FreeDimension];
            var times = Enumerable.Range(0, 801).Select(j => 1e-4 * Math.Pow(10, j / 100.0)).ToList();
            for (int p = 1; p < path.PieceCount; p++) times.AddRange([path.PieceStart(p), path.PieceStart(p) * (1 + 1e-12), path.PieceStart(p) * (1 - 1e-12)]);
            foreach (double tolerance in new[] { 1e-9, 1e-6, 1e-3, 0.1, 1.0 })
            {
                var bound = new DistanceBound(path, target, tolerance);
                foreach (double t in times)
                {
                    points++;
                    if (!bound.Exceeds(t)) continue;
                    claims++;
                    path.StateAt(t, state);
                    double distance = Numerics.MaxAbsDifference(state, target);
                    Assert.True(distance > tolerance, $"input {k}, tolerance {tolerance}, t = {t}: the bound claims a state at distance {distance}");
                }
            }
        }
        // Not vacuous: it proves a good part of the points (most are far from the target at the smaller tolerances).
        Assert.True(claims > points / 4, $"the bound proved only {claims} of {points} points");
    }
}

using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Tests.Sheaves;
using Xunit.Abstractions;

namespace ResidualSheaf.Tests.Heat;

/// <summary>
/// The Krylov flow with an adaptive basis size (<see cref="KrylovBasisSizer"/>: every step builds the minimum, then grows while its
/// error horizon grows faster than the basis's work) against the dense exact piecewise integrator, and the sizer's rule and
/// argument checks.
/// </summary>
public class KrylovAdaptiveBasisTests(ITestOutputHelper output)
{
    private static readonly double[] CheckTimes = [5, 20, 100];

    public static TheoryData<string, bool> Cases() => new()
    {
        { "G", true },
        { "block-after", true },
        { "stack2", true }, { "stack2", false },
        { "conv", true }, { "conv", false },
    };

    private static NetworkSheaf Build(string name) => name switch
    {
        "G" => SheafConstructor.Build(GoldenNetwork.Create(), SkipConstruction.Junction),
        "block-after" => SheafConstructor.Build(TorchReference.PyTorchDefault(ArchitectureSpec.Residual([new BlockSpec(3, 3, 3, false)], ReluPlacement.After), 42), SkipConstruction.Junction),
        // A convolutional network read from ONNX (Conv + BatchNormalization + ReLU + pools + Gemm; 178 free coordinates).
        "conv" => SheafConstructor.Build(ResidualSheaf.Models.Onnx.OnnxNetwork.Load(ResidualSheaf.Tests.Models.Onnx.DigitsResNetTests.Fixture("conv_bn_pool.onnx"))),
        _ => SheafConstructor.Build(TorchReference.PyTorchDefault(ArchitectureSpec.Residual([new BlockSpec(3, 4, 3, false), new BlockSpec(3, 4, 3, false)], ReluPlacement.After), 7), SkipConstruction.Junction),
    };

    /// <summary>
    /// Allowances from 4 to 24 vectors (the bound checked every 4): the switch times and kinds, the states at the check times and
    /// the limit equal the dense exact integrator's (its own eigendecomposition per pattern, no Krylov basis) to 1e−9.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void AdaptiveBasisMatchesTheDenseExactIntegrator(string name, bool useInverse)
    {
        var sheaf = Build(name);
        var inputs = name == "G" ? [GoldenNetwork.X] : InputSampler.Normal(2, sheaf.Input.Dimension, 17);
        int run = 0, events = 0, largest = 0;
        double worst = 0;
        foreach (var x in inputs)
        {
            var eq = new HeatEquation(sheaf.Problem(x));
            var exact = new ExactPiecewiseIntegrator(eq);
            var krylov = new KrylovPiecewiseIntegrator(eq, maxBasis: 24, tolerance: 1e-12, useInverse: useInverse, checkEvery: 4, minBasis: 4);
            for (int seed = 0; seed < 3; seed++, run++)
            {
                var c0 = HeatReference.Normal(eq.FreeDimension, 300 * run + seed + 5, scale: 2.0);
                var reference = exact.Run(c0, CheckTimes);
                var res = krylov.Run(c0, CheckTimes);
                Assert.Equal(ExactStatus.Converged, reference.Status);
                Assert.Equal(KrylovStatus.Converged, res.Status);
                Assert.Equal(CheckTimes.Length, res.States.Length);
                for (int k = 0; k < CheckTimes.Length; k++)
                {
                    double d = HeatReference.MaxDiff(res.States[k], reference.States[k]);
                    worst = Math.Max(worst, d);
                    Assert.True(d <= 1e-9, $"{name} run {run}: t = {CheckTimes[k]}: |krylov − exact| = {d:e2}");
                }
                Assert.True(HeatReference.MaxDiff(res.Limit!, reference.Limit!) <= 1e-9);
                Assert.Equal(reference.Events.Select(e => (e.Coordinate, e.Kind)), res.Events.Select(e => (e.Coordinate, e.Kind)));
                for (int e = 0; e < res.Events.Count; e++) Assert.Equal(reference.Events[e].Time, res.Events[e].Time, 1e-8);
                Assert.InRange(res.LargestBasis, 1, Math.Min(24, eq.FreeDimension));
                events += res.Events.Count;
                largest = Math.Max(largest, res.LargestBasis);
            }
        }
        output.WriteLine($"{name} (inverse {useInverse}): {run} runs, {events} events, largest basis {largest}, max |krylov − exact| = {worst:e2}");
        Assert.True(events > 0);
    }

    /// <summary>
    /// On the conv network (178 free coordinates) 8 vectors are too few for long pieces (4 do not reach the limit in a million
    /// steps): the adaptive run grows past them where that pays and needs fewer steps than a run fixed at 8, and a run fixed at 24
    /// never exceeds 24; all three end at the same limit.
    /// </summary>
    [Fact]
    public void GrowsWhereALargerBasisPays()
    {
        var sheaf = Build("conv");
        var eq = new HeatEquation(sheaf.Problem(InputSampler.Normal(1, sheaf.Input.Dimension, 17)[0]));
        var c0 = HeatReference.Normal(eq.FreeDimension, 5, scale: 2.0);
        var adaptive = new KrylovPiecewiseIntegrator(eq, maxBasis: 24, tolerance: 1e-12, checkEvery: 4, minBasis: 8).Run(c0);
        var small = new KrylovPiecewiseIntegrator(eq, maxBasis: 8, tolerance: 1e-12, checkEvery: 4).Run(c0);
        var large = new KrylovPiecewiseIntegrator(eq, maxBasis: 24, tolerance: 1e-12, checkEvery: 4).Run(c0);
        output.WriteLine($"steps: adaptive {adaptive.Steps} (largest basis {adaptive.LargestBasis}, {adaptive.BasisVectors} vectors), fixed 8: {small.Steps}, fixed 24: {large.Steps} ({large.BasisVectors} vectors)");
        Assert.All(new[] { adaptive, small, large }, r => Assert.Equal(KrylovStatus.Converged, r.Status));
        Assert.True(adaptive.LargestBasis > 8, $"largest basis {adaptive.LargestBasis}");
        Assert.Equal(8, small.LargestBasis);
        Assert.InRange(large.LargestBasis, 5, 24);
        Assert.True(adaptive.Steps < small.Steps, $"adaptive {adaptive.Steps} steps, fixed 8: {small.Steps}");
        Assert.True(HeatReference.MaxDiff(adaptive.Limit!, large.Limit!) <= 1e-12);
        Assert.True(HeatReference.MaxDiff(small.Limit!, large.Limit!) <= 1e-12);
    }

    /// <summary>
    /// The rule itself: never stop below the minimum, always at the maximum, and in between stop when horizon / (k (64 + k)) fell
    /// below 0.8 of the piece's best; each piece starts afresh. The check points are every 8 vectors up to 64, then about a quarter
    /// of the basis apart.
    /// </summary>
    [Fact]
    public void SizerStopsWhenTheHorizonNoLongerPaysForTheBasis()
    {
        var s = new KrylovBasisSizer(16, 200, checkEvery: 8);
        s.BeginPiece();
        Assert.False(s.Enough(8, 1e-9));
        Assert.False(s.Enough(16, 1.0));                        // efficiency 1/1280: the best so far
        Assert.False(s.Enough(24, 1.0 * 0.81 * KrylovBasisSizer.Cost(24) / KrylovBasisSizer.Cost(16)));
        Assert.True(s.Enough(32, 1.0 * 0.79 * KrylovBasisSizer.Cost(32) / KrylovBasisSizer.Cost(16)));
        Assert.True(s.Enough(200, double.MaxValue));
        s.BeginPiece();
        // A horizon growing like k³ keeps paying: no stop up to the maximum.
        for (int k = 16; k < 200; k += 8) Assert.False(s.Enough(k, Math.Pow(k, 3)));
        Assert.Equal(1280, KrylovBasisSizer.Cost(16));
        var checks = Enumerable.Range(0, 201).Where(s.IsCheck).ToArray();
        Assert.Equal([8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 120, 144, 176], checks);
        // min = max: the fixed-size flow (stop exactly at the size, never before).
        var fixedSize = new KrylovBasisSizer(40, 40, checkEvery: 8);
        fixedSize.BeginPiece();
        Assert.False(fixedSize.Enough(32, 1e-12));
        Assert.True(fixedSize.Enough(40, 1e-12));
        Assert.Equal([8, 16, 24, 32, 40], Enumerable.Range(0, 41).Where(fixedSize.IsCheck).ToArray());
    }

    [Fact]
    public void InvalidBasisSizesThrowNamingTheParameter()
    {
        static void Bad(Action a, string param) => Assert.Equal(param, Assert.Throws<ArgumentException>(a).ParamName);
        var eq = new HeatEquation(Build("G").Problem(GoldenNetwork.X));
        Bad(() => _ = new KrylovPiecewiseIntegrator(eq, maxBasis: 12, minBasis: 1), "minBasis");
        Bad(() => _ = new KrylovPiecewiseIntegrator(eq, maxBasis: 12, minBasis: 13), "minBasis");
        Bad(() => _ = new KrylovPiecewiseIntegrator(eq, maxBasis: 1), "maxBasis");
        Bad(() => new KrylovPiecewiseFlow { MinBasis = 1 }.Validate(), nameof(KrylovPiecewiseFlow.MinBasis));
        Bad(() => new KrylovPiecewiseFlow { MaxBasis = 20, MinBasis = 30 }.Validate(), nameof(KrylovPiecewiseFlow.MinBasis));
        Bad(() => new KrylovPiecewiseFlow { MaxBasis = 1 }.Validate(), nameof(KrylovPiecewiseFlow.MaxBasis));
        Bad(() => _ = new KrylovBasisSizer(1, 4, 8), "min");
        Bad(() => _ = new KrylovBasisSizer(5, 4, 8), "max");
        Bad(() => _ = new KrylovBasisSizer(2, 4, 0), "checkEvery");
        new KrylovPiecewiseFlow { MaxBasis = 200, MinBasis = 16 }.Validate();
        // Both sizes are capped by the free dimension (9 for G), the minimum with the maximum.
        var capped = new KrylovPiecewiseIntegrator(eq, maxBasis: 12, minBasis: 10);
        Assert.Equal((9, 9), (capped.MinBasis, capped.MaxBasis));
    }
}

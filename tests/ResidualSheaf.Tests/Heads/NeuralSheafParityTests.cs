using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Graph;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Tests.Heat;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ResidualSheaf.Tests.Heads;

/// <summary>
/// Parity with the reference library (heads-and-training.md §1, §3): its He-normal initialisation through torch's generator, and
/// its Euler loop (SheafDynamics.step / run, restated here in TorchSharp stalk by stalk, a_out included in the stop rule) taking
/// the same number of steps as the engine's generic FixedStepEuler on the same network and initial state.
/// </summary>
public class NeuralSheafParityTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(0, new[] { 2, 4, 1 })]
    [InlineData(42, new[] { 2, 25, 4 })]
    [InlineData(7, new[] { 3, 30, 20, 2 })]
    public void HeNormalWeightsAreTorchsDraws(long seed, int[] dims)
    {
        var net = TorchReference.NeuralSheafDefault(ArchitectureSpec.Mlp(dims), seed);
        // torch.manual_seed(seed), then per layer torch.randn(n_out, n_in, dtype=float64) * (2 / n_in) ** 0.5, done here directly.
        double[][] expected;
        using (NewDisposeScope())
        {
            torch.manual_seed(seed);
            expected = Enumerable.Range(0, dims.Length - 1)
                .Select(l => randn(dims[l + 1], dims[l], dtype: ScalarType.Float64).contiguous().data<double>().ToArray()
                    .Select(v => v * Math.Pow(2.0 / dims[l], 0.5)).ToArray())
                .ToArray();
        }
        for (int l = 0; l < expected.Length; l++)
        {
            Assert.Equal(expected[l], net.Layers[l].Weight);
            Assert.All(net.Layers[l].Bias!, b => Assert.Equal(0.0, b));
        }
        // He normal: the variance is 2 / n_in (a loose check that the scale is applied once).
        var w = net.Layers[0].Weight;
        if (w.Length >= 50) Assert.InRange(w.Select(v => v * v).Average() * dims[0] / 2, 0.5, 1.6);
    }

    public static TheoryData<OutputHead, OutputEdgeMode> Heads()
    {
        var d = new TheoryData<OutputHead, OutputEdgeMode> { { OutputHead.Identity, OutputEdgeMode.Jacobian } };
        foreach (var h in new[] { OutputHead.Sigmoid, OutputHead.Softmax })
            foreach (var m in new[] { OutputEdgeMode.Jacobian, OutputEdgeMode.Identity })
                d.Add(h, m);
        return d;
    }

    [Theory]
    [MemberData(nameof(Heads))]
    [Trait("Category", "Slow")]
    public void AuthorsEulerStepCountsEqualTheLibrarysLoop(OutputHead head, OutputEdgeMode mode) => CompareStepCounts(head, mode, 1e-10, 3);

    [Theory]
    [InlineData(OutputHead.Softmax, OutputEdgeMode.Jacobian)]
    [InlineData(OutputHead.Sigmoid, OutputEdgeMode.Identity)]
    public void AuthorsEulerStepCountsEqualTheLibrarysLoopQuick(OutputHead head, OutputEdgeMode mode) => CompareStepCounts(head, mode, 1e-5, 1);

    private void CompareStepCounts(OutputHead head, OutputEdgeMode mode, double tol, int trials)
    {
        int classes = head == OutputHead.Softmax ? 3 : 1;
        var spec = ArchitectureSpec.Mlp(2, 6, 5, classes).WithHead(head, mode);
        var net = TorchReference.NeuralSheafDefault(spec, 3);
        var ns = SheafConstructor.Build(net);
        double[] x = [0.8, -0.4];
        var p = ns.Problem(x);
        var eq = new HeatEquation(p);
        for (int trial = 0; trial < trials; trial++)
        {
            var init = HeatReference.Normal(eq.FreeDimension, 60 + trial);
            const double dt = 0.01;
            var generic = AuthorsEuler.Run(eq, init, dt, tol);
            var (steps, final) = LibraryEuler((Mlp)net, head, mode, x, init, dt, tol);
            output.WriteLine($"{head} {mode} trial {trial}: engine {generic.Steps} steps, library loop {steps} steps, " +
                $"max |state difference| {HeatReference.MaxDiff(generic.FinalState, final):E2}");
            Assert.True(generic.Converged);
            Assert.Equal(steps, generic.Steps);
            Assert.True(HeatReference.MaxDiff(generic.FinalState, final) <= 1e-12);
        }
    }

    /// <summary>
    /// SheafDynamics.run with init state given: forces from the old state, z then a then a_out, stop when the largest change of
    /// any free stalk (a_out included) is below tol, checked from iteration min_iter − 1 = 4 on. The state vector is in the
    /// engine's free order (z1, a1, …, z_{k+1}, a_out).
    /// </summary>
    private static (long Steps, double[] Final) LibraryEuler(Mlp net, OutputHead head, OutputEdgeMode mode, double[] x, double[] init,
        double dt, double tol)
    {
        using var scope = NewDisposeScope();
        // Explicit scalars that live for the whole loop: an implicit one (z >= 0, dt * pull) can be finalised by the GC while the
        // native call still reads it, which failed this test under load ("Unknown scalar type" from at::ge).
        using Scalar zero = 0.0, one = 1.0, dtS = dt;
        int L = net.Layers.Count, k = L - 1;
        var w = net.Layers.Select(l => tensor(l.Weight, dtype: ScalarType.Float64).reshape(l.Out, l.In)).ToArray();
        var b = net.Layers.Select(l => tensor(l.Bias!, dtype: ScalarType.Float64)).ToArray();
        var z = new Tensor[L];
        var a = new Tensor[L];
        a[0] = tensor(x, dtype: ScalarType.Float64);
        int at = 0;
        for (int l = 0; l < L; l++)
        {
            z[l] = tensor(init.AsSpan(at, net.Layers[l].Out).ToArray(), dtype: ScalarType.Float64);
            at += net.Layers[l].Out;
            if (l < k)
            {
                a[l + 1] = tensor(init.AsSpan(at, net.Layers[l].Out).ToArray(), dtype: ScalarType.Float64);
                at += net.Layers[l].Out;
            }
        }
        bool hasHead = head != OutputHead.Identity;
        Tensor? aOut = hasHead ? tensor(init.AsSpan(at).ToArray(), dtype: ScalarType.Float64) : null;
        Tensor Phi(Tensor v) => head == OutputHead.Sigmoid ? sigmoid(v) : softmax(v, 0);
        const int minIter = 5;
        long iteration = 0;
        for (; iteration < 10_000_000; iteration++)
        {
            using var step = NewDisposeScope();
            var masks = Enumerable.Range(0, k).Select(l => (z[l] >= zero).to_type(ScalarType.Float64)).ToArray();
            var zNew = new Tensor[L];
            var aNew = new Tensor[L];
            aNew[0] = a[0];
            for (int l = 0; l < L; l++)
            {
                var pull = -(z[l] - (mv(w[l], a[l]) + b[l]));
                if (l < k) pull = pull + -(masks[l] * (z[l] - a[l + 1]));
                if (l == k && hasHead)
                {
                    var phi = Phi(z[l]);
                    if (mode == OutputEdgeMode.Identity) pull = pull + -(phi - aOut!);
                    else
                    {
                        var v = phi - aOut!;
                        var jtv = head == OutputHead.Sigmoid ? phi * (one - phi) * v : mv((diag(phi) - outer(phi, phi)).t(), v);
                        pull = pull + -jtv;
                    }
                }
                zNew[l] = z[l] + dtS * pull;
            }
            for (int l = 1; l <= k; l++)
            {
                var act = -(a[l] - masks[l - 1] * z[l - 1]);
                var disc = mv(w[l], a[l]) + b[l] - z[l];
                aNew[l] = a[l] + dtS * (act + -mv(w[l].t(), disc));
            }
            Tensor? aOutNew = hasHead ? aOut! + dtS * -(aOut! - Phi(z[k])) : null;
            double change = 0;
            if (iteration >= minIter - 1)
            {
                for (int l = 0; l < L; l++) change = Math.Max(change, (zNew[l] - z[l]).abs().max().item<double>());
                for (int l = 1; l <= k; l++) change = Math.Max(change, (aNew[l] - a[l]).abs().max().item<double>());
                if (hasHead) change = Math.Max(change, (aOutNew! - aOut!).abs().max().item<double>());
            }
            foreach (var t in zNew.Concat(aNew.Skip(1))) t.MoveToOuterDisposeScope();
            aOutNew?.MoveToOuterDisposeScope();
            (z, a, aOut) = (zNew, aNew, aOutNew);
            if (iteration >= minIter - 1 && change < tol) break;
        }
        var final = new List<double>();
        for (int l = 0; l < L; l++)
        {
            final.AddRange(z[l].data<double>().ToArray());
            if (l < k) final.AddRange(a[l + 1].data<double>().ToArray());
        }
        if (hasHead) final.AddRange(aOut!.data<double>().ToArray());
        return (iteration + 1, final.ToArray());
    }
}

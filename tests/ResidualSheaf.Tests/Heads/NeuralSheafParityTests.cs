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
        // Plain float64 arrays, written from the library's loop and not from the engine. (A TorchSharp restatement failed
        // intermittently under load with "Unknown scalar type": TorchSharp's implicit scalars were freed during native calls.)
        int L = net.Layers.Count, k = L - 1;
        var z = new double[L][];
        var a = new double[L][];
        a[0] = (double[])x.Clone();
        int at = 0;
        for (int l = 0; l < L; l++)
        {
            z[l] = init.AsSpan(at, net.Layers[l].Out).ToArray();
            at += net.Layers[l].Out;
            if (l < k)
            {
                a[l + 1] = init.AsSpan(at, net.Layers[l].Out).ToArray();
                at += net.Layers[l].Out;
            }
        }
        bool hasHead = head != OutputHead.Identity;
        double[]? aOut = hasHead ? init.AsSpan(at).ToArray() : null;
        double[] Affine(int l, double[] v)
        {
            var layer = net.Layers[l];
            var r = new double[layer.Out];
            for (int i = 0; i < layer.Out; i++)
            {
                double sum = 0;
                for (int j = 0; j < layer.In; j++) sum += layer.Weight[i * layer.In + j] * v[j];
                r[i] = sum + layer.Bias![i];
            }
            return r;
        }
        double[] TransposeTimes(int l, double[] v)
        {
            var layer = net.Layers[l];
            var r = new double[layer.In];
            for (int j = 0; j < layer.In; j++)
                for (int i = 0; i < layer.Out; i++) r[j] += layer.Weight[i * layer.In + j] * v[i];
            return r;
        }
        double[] Phi(double[] v)
        {
            if (head == OutputHead.Sigmoid) return v.Select(t => 1 / (1 + Math.Exp(-t))).ToArray();
            double m = v.Max();
            var e = v.Select(t => Math.Exp(t - m)).ToArray();
            double sum = e.Sum();
            return e.Select(t => t / sum).ToArray();
        }
        const int minIter = 5;
        long iteration = 0;
        for (; iteration < 10_000_000; iteration++)
        {
            var masks = Enumerable.Range(0, k).Select(l => z[l].Select(t => t >= 0 ? 1.0 : 0.0).ToArray()).ToArray();
            var zNew = new double[L][];
            var aNew = new double[L][];
            aNew[0] = a[0];
            for (int l = 0; l < L; l++)
            {
                var pre = Affine(l, a[l]);
                var pull = z[l].Select((t, i) => -(t - pre[i])).ToArray();
                if (l < k) for (int i = 0; i < pull.Length; i++) pull[i] += -(masks[l][i] * (z[l][i] - a[l + 1][i]));
                if (l == k && hasHead)
                {
                    var phi = Phi(z[l]);
                    var v = phi.Select((t, i) => t - aOut![i]).ToArray();
                    if (mode == OutputEdgeMode.Identity) for (int i = 0; i < pull.Length; i++) pull[i] += -v[i];
                    else if (head == OutputHead.Sigmoid) for (int i = 0; i < pull.Length; i++) pull[i] += -(phi[i] * (1 - phi[i]) * v[i]);
                    else
                    {
                        // J = diag(φ) − φφᵀ is symmetric: Jᵀv = φ∘v − φ(φ·v).
                        double pv = phi.Select((t, i) => t * v[i]).Sum();
                        for (int i = 0; i < pull.Length; i++) pull[i] += -(phi[i] * v[i] - phi[i] * pv);
                    }
                }
                zNew[l] = z[l].Select((t, i) => t + dt * pull[i]).ToArray();
            }
            for (int l = 1; l <= k; l++)
            {
                var pre = Affine(l, a[l]);
                var disc = pre.Select((t, i) => t - z[l][i]).ToArray();
                var back = TransposeTimes(l, disc);
                aNew[l] = a[l].Select((t, i) => t + dt * (-(t - masks[l - 1][i] * z[l - 1][i]) + -back[i])).ToArray();
            }
            double[]? aOutNew = null;
            if (hasHead)
            {
                var phiK = Phi(z[k]);
                aOutNew = aOut!.Select((t, i) => t + dt * -(t - phiK[i])).ToArray();
            }
            double change = 0;
            if (iteration >= minIter - 1)
            {
                for (int l = 0; l < L; l++) change = Math.Max(change, HeatReference.MaxDiff(zNew[l], z[l]));
                for (int l = 1; l <= k; l++) change = Math.Max(change, HeatReference.MaxDiff(aNew[l], a[l]));
                if (hasHead) change = Math.Max(change, HeatReference.MaxDiff(aOutNew!, aOut!));
            }
            (z, a, aOut) = (zNew, aNew, aOutNew);
            if (iteration >= minIter - 1 && change < tol) break;
        }
        var final = new List<double>();
        for (int l = 0; l < L; l++)
        {
            final.AddRange(z[l]);
            if (l < k) final.AddRange(a[l + 1]);
        }
        if (hasHead) final.AddRange(aOut!);
        return (iteration + 1, final.ToArray());
    }
}

using ResidualSheaf.Engine.Training;
using ResidualSheaf.Models.Graph;
using ResidualSheaf.Models.Networks;

namespace ResidualSheaf.Tests.Training;

/// <summary>
/// Euler parity (issue 18): N steps of the engine's EulerTraining on the joint flow against the update rule of the reference
/// library's SheafTrainer.train_step written out here from the formulas (heads-and-training §2) in plain arrays — per sample
/// stalks, the forces of each edge by hand, weights by −β Σ_batch r aᵀ, all from the old state — for an MLP and a one-block
/// residual network (junction construction, classifier layer), under each head. Weights, biases and stalks agree to 1e−12.
/// </summary>
public class EulerParityTests
{
    private const double Alpha = 0.9, Beta = 0.05, Dt = 0.02;
    private const int Steps = 300;

    [Theory]
    [InlineData("mlp", OutputHead.Identity)]
    [InlineData("mlp", OutputHead.Sigmoid)]
    [InlineData("mlp", OutputHead.Softmax)]
    [InlineData("resnet", OutputHead.Identity)]
    [InlineData("resnet", OutputHead.Sigmoid)]
    [InlineData("resnet", OutputHead.Softmax)]
    public void WeightsAfterNStepsMatchTheHandWrittenRule(string kind, OutputHead head)
    {
        var (flow, state) = TrainingNetworks.Problem(kind, head, alpha: Alpha, beta: Beta);
        var net = TrainingNetworks.Network(kind, head);
        var (x, y) = TrainingNetworks.Batch(net, head, 11);
        string[] names = kind == "mlp" ? ["x", "z1", "a1", "z2", "a2", "z3"] : ["x", "z1", "a1", "p", "s", "y", "z_out"];
        // The hand state: stalks[vertex][sample] and the weights, read once from the same starting point.
        var stalks = names.Select(n => Enumerable.Range(0, flow.Samples).Select(s => TrainingNetworks.Stalk(flow, state, s, n).ToArray()).ToArray()).ToArray();
        var layers = net.Layers.Select(l => (W: (double[])l.Weight.Clone(), B: (double[])l.Bias!.Clone(), l.Out, l.In, l.Name)).ToArray();
        var phi = head switch { OutputHead.Sigmoid => (Func<double[], double[]>)Sigmoid, OutputHead.Softmax => Softmax, _ => z => z };

        var euler = new EulerTraining(flow, Dt);
        for (int n = 0; n < Steps; n++)
        {
            euler.Step(state);
            if (kind == "mlp") MlpStep(stalks, layers, y, phi);
            else ResnetStep(stalks, layers, y, phi);
        }

        double worst = 0;
        foreach (var p in flow.Parameters)
        {
            var l = layers.Single(q => q.Name == p.Name);
            for (int i = 0; i < l.W.Length; i++) worst = Math.Max(worst, Math.Abs(state[flow.ParameterOffset + p.WeightOffset + i] - l.W[i]));
            for (int i = 0; i < l.B.Length; i++) worst = Math.Max(worst, Math.Abs(state[flow.ParameterOffset + p.BiasOffset + i] - l.B[i]));
        }
        for (int v = 0; v < names.Length; v++)
            for (int s = 0; s < flow.Samples; s++)
            {
                var c = TrainingNetworks.Stalk(flow, state, s, names[v]);
                for (int i = 0; i < c.Length; i++) worst = Math.Max(worst, Math.Abs(c[i] - stalks[v][s][i]));
            }
        Assert.Equal(layers.Length, flow.Parameters.Count);
        // The weights did move (the comparison is not of two untouched copies).
        Assert.True(layers.Zip(net.Layers).Max(q => q.First.W.Zip(q.Second.Weight).Max(t => Math.Abs(t.First - t.Second))) > 1e-3);
        Assert.True(worst <= 1e-12, $"largest difference {worst:e3}");
        _ = x;
    }

    private static double[] Sigmoid(double[] z) => z.Select(v => 1 / (1 + Math.Exp(-v))).ToArray();

    private static double[] Softmax(double[] z)
    {
        double m = z.Max();
        var e = z.Select(v => Math.Exp(v - m)).ToArray();
        double s = e.Sum();
        return e.Select(v => v / s).ToArray();
    }

    // W a + b (row-major W of out × in).
    private static double[] Affine((double[] W, double[] B, int Out, int In, string Name) l, double[] a)
    {
        var r = new double[l.Out];
        for (int i = 0; i < l.Out; i++)
        {
            r[i] = l.B[i];
            for (int j = 0; j < l.In; j++) r[i] += l.W[i * l.In + j] * a[j];
        }
        return r;
    }

    private static double[] Sub(double[] a, double[] b) => a.Zip(b, (u, v) => u - v).ToArray();

    private static double[] Mask(double[] z, double[] v) => z.Zip(v, (u, w) => u >= 0 ? w : 0.0).ToArray();

    // −Wᵀ r added into f.
    private static void MinusWt((double[] W, double[] B, int Out, int In, string Name) l, double[] r, double[] f)
    {
        for (int i = 0; i < l.Out; i++)
            for (int j = 0; j < l.In; j++) f[j] -= l.W[i * l.In + j] * r[i];
    }

    private static void Add(double[] f, double[] g, double scale = 1)
    {
        for (int i = 0; i < f.Length; i++) f[i] += scale * g[i];
    }

    // Weight gradient step of one layer from the old residuals r_s = W a_s + b − z_s: W −= dt β Σ_s r_s a_sᵀ, b −= dt β Σ_s r_s.
    private static void WeightUpdate((double[] W, double[] B, int Out, int In, string Name) l, double[][] r, double[][] a)
    {
        var dw = new double[l.W.Length];
        var db = new double[l.Out];
        for (int s = 0; s < r.Length; s++)
            for (int i = 0; i < l.Out; i++)
            {
                db[i] += r[s][i];
                for (int j = 0; j < l.In; j++) dw[i * l.In + j] += r[s][i] * a[s][j];
            }
        for (int k = 0; k < dw.Length; k++) l.W[k] += Dt * (-Beta * dw[k]);
        for (int k = 0; k < db.Length; k++) l.B[k] += Dt * (-Beta * db[k]);
    }

    // SheafTrainer.train_step for the MLP x, z1, a1, z2, a2, z3 (stalks[0..5]).
    private static void MlpStep(double[][][] st, (double[] W, double[] B, int Out, int In, string Name)[] layers, double[] y, Func<double[], double[]> phi)
    {
        int samples = st[0].Length, nOut = layers[^1].Out;
        var residuals = new double[3][][];
        for (int l = 0; l < 3; l++) residuals[l] = new double[samples][];
        var updates = new List<Action>();
        for (int s = 0; s < samples; s++)
        {
            double[] a0 = st[0][s], z1 = st[1][s], a1 = st[2][s], z2 = st[3][s], a2 = st[4][s], z3 = st[5][s];
            var r1 = Sub(Affine(layers[0], a0), z1);
            var r2 = Sub(Affine(layers[1], a1), z2);
            var r3 = Sub(Affine(layers[2], a2), z3);
            (residuals[0][s], residuals[1][s], residuals[2][s]) = (r1, r2, r3);
            var fz1 = Sub(r1, Mask(z1, Sub(z1, a1)));
            var fz2 = Sub(r2, Mask(z2, Sub(z2, a2)));
            var fz3 = Sub(r3, Sub(phi(z3), y.AsSpan(s * nOut, nOut).ToArray()));
            var fa1 = Sub(Mask(z1, z1), a1);
            MinusWt(layers[1], r2, fa1);
            var fa2 = Sub(Mask(z2, z2), a2);
            MinusWt(layers[2], r3, fa2);
            int ss = s;
            updates.Add(() =>
            {
                Add(st[1][ss], fz1, Alpha * Dt);
                Add(st[2][ss], fa1, Alpha * Dt);
                Add(st[3][ss], fz2, Alpha * Dt);
                Add(st[4][ss], fa2, Alpha * Dt);
                Add(st[5][ss], fz3, Alpha * Dt);
            });
        }
        var prev = new[] { st[0].Select(v => (double[])v.Clone()).ToArray(), st[2].Select(v => (double[])v.Clone()).ToArray(), st[4].Select(v => (double[])v.Clone()).ToArray() };
        foreach (var u in updates) u();
        for (int l = 0; l < 3; l++) WeightUpdate(layers[l], residuals[l], prev[l]);
    }

    // The junction sheaf of y = ReLU(W2 ReLU(W1 x + b1) + b2 + x), then z_out = Wc y + bc: stalks x, z1, a1, p = (p_b, p_s), s, y, z_out.
    private static void ResnetStep(double[][][] st, (double[] W, double[] B, int Out, int In, string Name)[] layers, double[] t, Func<double[], double[]> phi)
    {
        int samples = st[0].Length, o = layers[1].Out, nOut = layers[2].Out;
        var res = new double[3][][];
        for (int l = 0; l < 3; l++) res[l] = new double[samples][];
        var old = st.Select(v => v.Select(c => (double[])c.Clone()).ToArray()).ToArray();
        for (int s = 0; s < samples; s++)
        {
            double[] x = old[0][s], z1 = old[1][s], a1 = old[2][s], p = old[3][s], sv = old[4][s], yv = old[5][s], zo = old[6][s];
            double[] pb = p[..o], ps = p[o..];
            var d1 = Sub(Affine(layers[0], x), z1);                 // weight edge W1: x → z1
            var g1 = Sub(a1, Mask(z1, z1));                          // ReLU edge z1 → a1
            var d2 = Sub(Affine(layers[1], a1), pb);                 // weight edge W2: a1 → p (π_b)
            var d3 = Sub(x, ps);                                     // skip x → p (π_s)
            var g = Sub(sv, pb.Zip(ps, (u, v) => u + v).ToArray()); // sum edge p → s
            var h = Sub(yv, Mask(sv, sv));                           // ReLU edge s → y
            var dc = Sub(Affine(layers[2], yv), zo);                 // classifier y → z_out
            (res[0][s], res[1][s], res[2][s]) = (d1, d2, dc);
            var fz1 = Add2(d1, Mask(z1, g1));
            var fa1 = g1.Select(v => -v).ToArray();
            MinusWt(layers[1], d2, fa1);
            var fpb = Add2(d2, g);
            var fps = Add2(d3, g);
            var fs = Add2(g.Select(v => -v).ToArray(), Mask(sv, h));
            var fy = h.Select(v => -v).ToArray();
            MinusWt(layers[2], dc, fy);
            var fzo = Sub(dc, Sub(phi(zo), t.AsSpan(s * nOut, nOut).ToArray()));
            Add(st[1][s], fz1, Alpha * Dt);
            Add(st[2][s], fa1, Alpha * Dt);
            Add(st[3][s], [.. fpb, .. fps], Alpha * Dt);
            Add(st[4][s], fs, Alpha * Dt);
            Add(st[5][s], fy, Alpha * Dt);
            Add(st[6][s], fzo, Alpha * Dt);
        }
        WeightUpdate(layers[0], res[0], old[0]);
        WeightUpdate(layers[1], res[1], old[2]);
        WeightUpdate(layers[2], res[2], old[5]);
    }

    private static double[] Add2(double[] a, double[] b) => a.Zip(b, (u, v) => u + v).ToArray();
}

using System.Globalization;
using System.Text.Json.Nodes;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Runner.Batch;
using ResidualSheaf.Runner.Hunt;

namespace ResidualSheaf.Tests.Runner;

/// <summary>
/// Pinned output over a batch (issue 14): targets = forward pass + inputs.target_offset, and the energy at the limit split by edge
/// kind, checked against the test's own gradient flow and energy of the MLP written from the formulas (plain arrays, no engine).
/// </summary>
public sealed class BatchPinnedSplitTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rs-batch-split-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Config(string inputs, bool pin = true)
    {
        string path = Path.Combine(_dir, "split.json");
        File.WriteAllText(path, $$"""
            { "name": "split", "job": "heat", "seed": 5, "network": { "kind": "mlp", "widths": [ 3, 4, 2 ] }, "inputs": {{inputs}},
              "heat": { "t_end": 5000, "trace_inputs": [], "pin_output": {{(pin ? "true" : "false")}}, "method": "exact", "initial": { "kind": "zeros" } },
              "output_root": "{{Path.Combine(_dir, "outputs").Replace("\\", "/")}}" }
            """);
        return path;
    }

    [Fact]
    public void SplitOfTheLimitEnergyMatchesAnIndependentFlow()
    {
        const double offset = 0.5;
        string folder = Path.Combine(_dir, "run");
        var (code, _, error) = RunnerCli.Run("--config", Config("""{ "count": 5, "seed": 3, "target_offset": 0.5 }"""), "--out", folder);
        Assert.True(code == 0, error);
        var net = (Mlp)TorchReference.PyTorchDefault(ArchitectureSpec.Mlp([3, 4, 2]), 5);
        var inputs = InputSampler.Normal(5, 3, 3);
        var rows = ResultsFile.Read(Path.Combine(folder, BatchCommand.RowsFile));
        Assert.Equal(5, rows.Count);
        foreach (var r in rows)
        {
            int k = int.Parse(r["input"], CultureInfo.InvariantCulture);
            Assert.Equal("true", r["converged"]);
            var (weight, relu) = ReferenceSplit(net, inputs[k], offset);
            double Col(string c) => double.Parse(r[c], CultureInfo.InvariantCulture);
            Assert.True(weight > 1e-4, $"input {k}: an offset target must leave discord on the weight edges");
            Assert.Equal(weight, Col("limit_energy_weight"), 1e-8 * (1 + weight));
            Assert.Equal(relu, Col("limit_energy_relu"), 1e-8 * (1 + relu));
            foreach (string other in new[] { "limit_energy_skip", "limit_energy_sum", "limit_energy_chord", "limit_energy_head", "limit_energy_other" })
                Assert.Equal(0.0, Col(other));
            Assert.Equal(Col("limit_energy"), LimitEnergySplit.Columns.Sum(Col), 1e-12 * (1 + Col("limit_energy")));
        }
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")))!;
        Assert.Equal(5, (int)summary["quantiles"]!["limit_energy_weight"]!["count"]!);
        Assert.Equal(offset, (double)summary["inputs"]!["target_offset"]!);
        Assert.True(File.Exists(Path.Combine(folder, "limit-energy-by-edge-kind.png")));
    }

    [Theory]
    [InlineData("""{ "count": 3, "target_offset": 0.5 }""", false)]
    [InlineData("""{ "count": 1, "target_offset": 0.5 }""", true)]
    public void OffsetOutsideAPinnedBatchIsRefused(string inputs, bool pin)
    {
        var (code, _, error) = RunnerCli.Run("--config", Config(inputs, pin), "--out", Path.Combine(_dir, "refused"));
        Assert.Equal(2, code);
        Assert.Contains("inputs.target_offset", error);
        Assert.False(Directory.Exists(Path.Combine(_dir, "refused")));
    }

    /// <summary>
    /// The limit of the gradient flow of E(z1, a1) = ½‖W1x + b1 − z1‖² + ½‖R(z1)z1 − a1‖² + ½‖W2a1 + b2 − y‖² (y = forward + offset
    /// pinned, masks from the state) from 0 by RK4, and its weight-edge and ReLU-edge parts.
    /// </summary>
    private static (double Weight, double Relu) ReferenceSplit(Mlp net, double[] x, double offset)
    {
        var (l1, l2) = (net.Layers[0], net.Layers[1]);
        int h = l1.Out, o = l2.Out;
        double[] pre = Affine(l1, x);
        double[] y = Affine(l2, pre.Select(v => Math.Max(v, 0)).ToArray()).Select(v => v + offset).ToArray();
        var c = new double[2 * h];
        double[] k1 = new double[2 * h], k2 = new double[2 * h], k3 = new double[2 * h], k4 = new double[2 * h], tmp = new double[2 * h];
        void Force(double[] s, double[] f)
        {
            var r3 = Affine(l2, s.AsSpan(h).ToArray());
            for (int i = 0; i < o; i++) r3[i] -= y[i];
            for (int i = 0; i < h; i++)
            {
                double z = s[i], a = s[h + i], mask = z >= 0 ? 1 : 0;
                double r1 = pre[i] - z, r2 = mask * z - a;
                f[i] = r1 - mask * r2;
                double back = 0;
                for (int j = 0; j < o; j++) back += l2.Weight[j * h + i] * r3[j];
                f[h + i] = r2 - back;
            }
        }
        const double dt = 0.01;
        for (int step = 0; step < 400_000; step++)
        {
            Force(c, k1);
            for (int i = 0; i < c.Length; i++) tmp[i] = c[i] + 0.5 * dt * k1[i];
            Force(tmp, k2);
            for (int i = 0; i < c.Length; i++) tmp[i] = c[i] + 0.5 * dt * k2[i];
            Force(tmp, k3);
            for (int i = 0; i < c.Length; i++) tmp[i] = c[i] + dt * k3[i];
            Force(tmp, k4);
            double change = 0;
            for (int i = 0; i < c.Length; i++)
            {
                double d = dt / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
                c[i] += d;
                change = Math.Max(change, Math.Abs(d));
            }
            if (change < 1e-15) break;
        }
        double weight = 0, relu = 0;
        var out2 = Affine(l2, c.AsSpan(h).ToArray());
        for (int i = 0; i < h; i++)
        {
            double z = c[i], a = c[h + i];
            weight += 0.5 * (pre[i] - z) * (pre[i] - z);
            double r2 = (z >= 0 ? z : 0) - a;
            relu += 0.5 * r2 * r2;
        }
        for (int j = 0; j < o; j++) weight += 0.5 * (out2[j] - y[j]) * (out2[j] - y[j]);
        return (weight, relu);
    }

    private static double[] Affine(LinearLayer l, double[] x)
    {
        var r = new double[l.Out];
        for (int i = 0; i < l.Out; i++)
        {
            double s = l.Bias?[i] ?? 0;
            for (int j = 0; j < l.In; j++) s += l.Weight[i * l.In + j] * x[j];
            r[i] = s;
        }
        return r;
    }
}

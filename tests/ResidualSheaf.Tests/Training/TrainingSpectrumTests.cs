using MathNet.Numerics.LinearAlgebra;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Models.Training;
using Xunit.Abstractions;

namespace ResidualSheaf.Tests.Training;

/// <summary>
/// The spectrum of L_free over training (spectrum.csv) against a dense MathNet eigendecomposition of L = δᵀδ assembled in the test
/// from the formulas for an MLP [2, h, 1] (free stalks z1, a1, z2; edges z1 − W1 x − b1, a1 − R z1, z2 − W2 a1 − b2 with
/// R = diag(𝟙[W1 x + b1 ≥ 0])), under parameters moved away from the network's own: λ_1, λ_max, κ and the per-block energies
/// of both eigenvectors.
/// </summary>
public class TrainingSpectrumTests(ITestOutputHelper output)
{
    [Fact]
    public void LambdasAndBlockEnergiesMatchADenseEigendecompositionOfTheLaplacianWrittenOut()
    {
        const int h = 6;
        var net = TorchReference.NeuralSheafDefault(ArchitectureSpec.Mlp(2, h, 1), 7);
        var x = new[] { 0.4, -1.1, 1.3, 0.2, -0.7, -0.9 };
        var flow = TrainingSheaf.Create(net, SkipConstruction.Junction, x, [0.1, 0.2, 0.3], 1.0, 0.01);
        var theta = flow.InitialParameters();
        var rng = new Random(3);
        for (int i = 0; i < theta.Length; i++) theta[i] += 0.3 * TrainingNetworks.Normal(rng);
        var spectrum = new TrainingSpectrum(net, flow, SkipConstruction.Junction);
        var got = spectrum.Compute(theta, x, 1e-8);

        var first = flow.Parameters.Single(p => p.Columns == 2);
        var second = flow.Parameters.Single(p => p.Columns == h);
        string[] blocks = ["z1", "a1", "z2"];
        for (int s = 0; s < 3; s++)
        {
            var d = Matrix<double>.Build.Dense(2 * h + 1, 2 * h + 1);
            for (int i = 0; i < h; i++)
            {
                double z = theta[first.BiasOffset + i];
                for (int j = 0; j < 2; j++) z += theta[first.WeightOffset + i * 2 + j] * x[s * 2 + j];
                d[i, i] = 1;                                   // weight edge 1: z1
                d[h + i, h + i] = 1;                           // ReLU edge: a1 − R z1
                d[h + i, i] = z >= 0 ? -1 : 0;
                d[2 * h, h + i] = -theta[second.WeightOffset + i]; // weight edge 2: z2 − W2 a1
            }
            d[2 * h, 2 * h] = 1;
            var evd = (d.TransposeThisAndMultiply(d)).Evd(Symmetricity.Symmetric);
            var values = evd.EigenValues.Select(v => v.Real).ToArray();
            int one = Enumerable.Range(0, values.Length).Where(i => values[i] > 1e-8).MinBy(i => values[i]);
            int max = Enumerable.Range(0, values.Length).MaxBy(i => values[i]);
            double[] Energy(int k) =>
            [
                Enumerable.Range(0, h).Sum(i => Math.Pow(evd.EigenVectors[i, k], 2)),
                Enumerable.Range(h, h).Sum(i => Math.Pow(evd.EigenVectors[i, k], 2)),
                Math.Pow(evd.EigenVectors[2 * h, k], 2),
            ];
            var g = got[s];
            output.WriteLine($"input {s}: λ_1 {g.LambdaOne:R} (hand {values[one]:R}), λ_max {g.LambdaMax:R} (hand {values[max]:R}), κ {g.Kappa:g6}");
            Assert.Equal(values[one], g.LambdaOne, 1e-12);
            Assert.Equal(values[max], g.LambdaMax, 1e-12);
            Assert.Equal(values[max] / values[one], g.Kappa, 1e-9 * g.Kappa);
            Assert.Equal(values.Count(v => v <= 1e-8), g.ZeroEigenvalues);
            var fiedler = Energy(one);
            var top = Energy(max);
            for (int b = 0; b < 3; b++)
            {
                int at = spectrum.Blocks.ToList().FindIndex(v => v.Name == blocks[b]);
                Assert.Equal(fiedler[b], g.FiedlerEnergy[at], 1e-9);
                Assert.Equal(top[b], g.MaxEnergy[at], 1e-9);
            }
        }
    }

    [Fact]
    public void DiagnosticInputsAreTheLibrarysUniformDraw()
    {
        // PyTorch 1.13 (Debian python3-torch): torch.manual_seed(99); x = torch.rand(2, 3, dtype=torch.float64) * 4 - 2;
        // x.t().reshape(-1).tolist() — column s of the draw is input s.
        double[] python = [1.3059114886086873, -0.39119968221845447, 0.33824507131210524, 1.5452979913961489, 0.45643946468850416, -0.46215443163287206];
        Assert.Equal(python, TrainingSpectrum.DiagnosticInputs(2, 3, 99, -2, 2));
    }
}

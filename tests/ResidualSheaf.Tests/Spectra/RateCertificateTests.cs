using MathNet.Numerics.LinearAlgebra;
using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Engine.Spectra;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Runner.Jobs;
using ResidualSheaf.Tests.Sheaves;
using Xunit.Abstractions;

namespace ResidualSheaf.Tests.Spectra;

/// <summary>The rate certificate against enumeration: never above λ_* (all binary patterns) nor λ_min(L_free(Θ)) at sampled fractional Θ.</summary>
public class RateCertificateTests(ITestOutputHelper output)
{
    [Fact]
    public void InverseNormUpperBoundIsAboveTheSvdNormAndClose()
    {
        var rng = new Random(3);
        for (int trial = 0; trial < 200; trial++)
        {
            int n = rng.Next(1, 12);
            var entries = new List<(int, int, double)>();
            var m = Matrix<double>.Build.DenseIdentity(n);
            for (int i = 0; i < n; i++)
                for (int j = 0; j < i; j++)
                    if (rng.NextDouble() < 0.5)
                    {
                        double v = rng.NextDouble() * 2;
                        entries.Add((i, j, v));
                        m[i, j] = -v;
                    }
            double exact = m.Inverse().L2Norm();
            double bound = RateCertificate.InverseNormUpperBound(n, entries);
            Assert.True(bound >= exact * (1 - 1e-12), $"bound {bound} below ‖X‖₂ = {exact}");
            Assert.True(bound <= exact * 1.05, $"bound {bound} far above ‖X‖₂ = {exact}");
        }
    }

    [Fact]
    public void GoldenNetworkCertificateIsBelowItsLambdaStar()
    {
        var p = SheafConstructor.Build(GoldenNetwork.Create()).Problem(GoldenNetwork.X);
        var cert = RateCertificate.TryCompute(p, out _)!;
        output.WriteLine($"golden G: certificate {cert.LowerBound:g6} ({cert.Partition}) against λ_* = 0.120377155135");
        Assert.InRange(cert.LowerBound, 1e-6, 0.120377155135);
    }

    [Fact]
    public void ChordAndPinnedOutputHaveNoCertificate()
    {
        var net = TorchReference.PyTorchDefault(ArchitectureSpec.Residual([new BlockSpec(3, 3, 3, false)], ReluPlacement.After), 42);
        double[] x = [0.1, -0.2, 0.3];
        Assert.Null(RateCertificate.TryCompute(SheafConstructor.Build(net, SkipConstruction.Chord).Problem(x), out string why));
        Assert.Contains("not square", why);
        var junction = SheafConstructor.Build(net, SkipConstruction.Junction);
        Assert.Null(RateCertificate.TryCompute(junction.Problem(x, net.Forward(x)), out _));
        Assert.NotNull(RateCertificate.TryCompute(junction.Problem(x), out _));
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void NeverAboveTheEnumeratedLambdaStarOnAThousandRandomNetworks()
    {
        var rng = new Random(17);
        var ratios = new List<double>();
        int fractionalChecks = 0;
        for (int k = 0; k < 1000; k++)
        {
            ArchitectureSpec spec;
            string kind;
            if (k % 3 == 0)
            {
                int depth = rng.Next(1, 3);
                var widths = new List<int> { rng.Next(1, 4) };
                for (int d = 0; d < depth; d++) widths.Add(rng.Next(1, 4));
                widths.Add(rng.Next(1, 3));
                spec = ArchitectureSpec.Mlp([.. widths]);
                kind = "mlp";
            }
            else
            {
                int blocks = rng.Next(1, 3), w = rng.Next(1, 4);
                var list = new List<BlockSpec>();
                for (int b = 0; b < blocks; b++)
                {
                    int o = rng.NextDouble() < 0.25 ? rng.Next(1, 4) : w;
                    list.Add(new BlockSpec(w, rng.Next(1, 4), o, o != w || rng.NextDouble() < 0.2));
                    w = o;
                }
                spec = ArchitectureSpec.Residual(list, rng.NextDouble() < 0.5 ? ReluPlacement.After : ReluPlacement.Before);
                kind = "resnet";
            }
            double scale = Math.Exp(Math.Log(0.3) + rng.NextDouble() * Math.Log(3 / 0.3 * 3));
            var net = NetworkFactory.Scaled(TorchReference.PyTorchDefault(spec, 1000 + k), scale);
            var ns = SheafConstructor.Build(net, SkipConstruction.Junction);
            var x = Enumerable.Range(0, net.InputDimension).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
            var p = ns.Problem(x);
            if (p.Sheaf.MaskCoordinates.Count > 12) continue;
            var cert = RateCertificate.TryCompute(p, out string why) ?? throw new InvalidOperationException($"{kind} case {k}: {why}");
            double lambdaStar = MaskSpectrum.Compute(p).LambdaStar;
            Assert.True(cert.LowerBound <= lambdaStar, $"case {k} ({net.Describe()}): certificate {cert.LowerBound} above λ_* = {lambdaStar}");
            // Fractional masks (Filippov convex combinations): λ_min(L_free(Θ)) must stay above the certificate too.
            var masks = new MaskPattern(p.Sheaf.TotalDimension);
            for (int s = 0; s < 4; s++)
            {
                foreach (int j in p.Sheaf.MaskCoordinates) masks.Theta[j] = rng.NextDouble();
                double lmin = DirichletDiagnostics.SymmetricEigenvalues(p.FreeLaplacian(masks))[0];
                Assert.True(cert.LowerBound <= lmin, $"case {k}: certificate {cert.LowerBound} above λ_min(Θ) = {lmin}");
                fractionalChecks++;
            }
            ratios.Add(cert.LowerBound / lambdaStar);
        }
        Assert.True(ratios.Count >= 1000 * 0.9, $"only {ratios.Count} networks checked");
        var sorted = ratios.Order().ToArray();
        double Q(double q) => sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(q * sorted.Length))];
        output.WriteLine($"{sorted.Length} networks, {fractionalChecks} fractional Θ: certificate / λ_* min {sorted[0]:g3}, " +
                         $"q10 {Q(0.1):g3}, median {Q(0.5):g3}, q90 {Q(0.9):g3}, max {sorted[^1]:g3}");
    }
}

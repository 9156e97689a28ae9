using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Engine.Spectra;
using ResidualSheaf.Models.Construction;

namespace ResidualSheaf.Tests.Sheaves;

/// <summary>Golden values of sheaf-math §5, derived by hand / independently of this code.</summary>
public class GoldenValueTests
{
    private static readonly NetworkSheaf G = SheafConstructor.Build(GoldenNetwork.Create());

    [Fact]
    public void ForwardSubstitutionGivesTheForwardValues()
    {
        var sol = DirichletSolver.Solve(G.Problem(GoldenNetwork.X));
        Assert.Equal(DirichletMethod.ForwardSubstitution, sol.Method);
        double[] expected = [1.6, -1.7, -.55, .1, 1.6, 0, 0, .1, .75]; // z1, a1, z2
        var free = G.Problem(GoldenNetwork.X).Restrict(sol.Cochain);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], free[i], 1e-12);
        Assert.True(sol.Residual <= 1e-14, $"residual {sol.Residual}");
        Assert.True(sol.MasksConsistent);
        Assert.Equal("1001", sol.Masks.ToBitString(G.Sheaf));
    }

    [Fact]
    public void BoundaryTermMatches()
    {
        var p = G.Problem(GoldenNetwork.X);
        var masks = DirichletSolver.Solve(p).Masks;
        double[] expected = [1.6, -1.7, -.55, .1, 0, 0, 0, 0, -.25];
        var b = p.BoundaryTerm(masks);
        Assert.Equal(expected.Length, b.Length);
        for (int i = 0; i < b.Length; i++) Assert.Equal(expected[i], b[i], 1e-12);
    }

    [Fact]
    public void LaplacianSpectrumAtTheForwardPattern()
    {
        var p = G.Problem(GoldenNetwork.X);
        var d = DirichletDiagnostics.Compute(p, DirichletSolver.Solve(p).Masks);
        double[] expected = [0.183989022987, 0.381966011250, 0.502068684157, 1, 1, 1, 2.468479467041, 2.618033988750, 4.385462825815];
        Assert.Equal(expected.Length, d.LaplacianEigenvalues.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], d.LaplacianEigenvalues[i], 1e-10);
        Assert.NotNull(d.Determinant);
        Assert.Equal(1.0, d.Determinant!.Value, 1e-12);
        Assert.Equal(9, d.Rank);
        Assert.Equal((9, 9), (d.Rows, d.Columns));
    }

    [Fact]
    public void LambdaStarOverAllSixteenMasks()
    {
        var s = MaskSpectrum.Compute(G.Problem(GoldenNetwork.X));
        Assert.Equal(16, s.Patterns);
        Assert.Equal(0.120377155135, s.LambdaStar, 1e-10);
        Assert.Equal(4.622491606579, s.LambdaMaxOverall, 1e-10);
    }

    [Fact]
    public void EnergyOfZeroAndOnesCochains()
    {
        var p = G.Problem(GoldenNetwork.X);
        var zeros = p.PinnedCochain();
        Assert.Equal(2.9125, DirichletEnergy.Evaluate(G.Sheaf, zeros), 1e-12);
        var ones = p.Embed(Enumerable.Repeat(1.0, p.FreeCoordinates.Count).ToArray());
        Assert.Equal(5.5325, DirichletEnergy.Evaluate(G.Sheaf, ones), 1e-12);
        var discord = DirichletEnergy.Discord(G.Sheaf, ones, MaskPattern.From(G.Sheaf, ones));
        Assert.Equal(2 * 5.5325, discord.Total, 1e-12);
    }

    [Fact]
    public void AuthorsEulerStepCountsFromZeroAndOnes()
    {
        // Forward Euler c ← c − dt ∇E on the free coordinates, masks from the current state, stop at max|Δc| < 1e−12.
        foreach (var (start, steps) in new[] { (0.0, 11719), (1.0, 10723) })
        {
            var p = G.Problem(GoldenNetwork.X);
            var c = p.Embed(Enumerable.Repeat(start, p.FreeCoordinates.Count).ToArray());
            var r = new double[G.Sheaf.EdgeDimension];
            var grad = new double[G.Sheaf.TotalDimension];
            var masks = new MaskPattern(G.Sheaf.TotalDimension);
            int n = 0;
            while (true)
            {
                masks.UpdateFrom(G.Sheaf, c);
                Coboundary.Apply(G.Sheaf, c, masks, r);
                Array.Clear(grad);
                Coboundary.TransposeMultiplyAdd(G.Sheaf, r, masks, grad);
                double maxStep = 0;
                foreach (int j in p.FreeCoordinates)
                {
                    double dc = -0.01 * grad[j];
                    c[j] += dc;
                    maxStep = Math.Max(maxStep, Math.Abs(dc));
                }
                n++;
                if (maxStep < 1e-12 || n > 100_000) break;
            }
            Assert.Equal(steps, n);
            if (start == 0.0) Assert.Equal(0.749999999458, c[G.Output.Offset], 1e-12);
        }
    }
}

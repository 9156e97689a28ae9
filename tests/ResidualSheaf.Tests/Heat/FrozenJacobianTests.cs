using MathNet.Numerics.LinearAlgebra.Double;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.Integration;
using ResidualSheaf.Engine.LinearAlgebra;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using Xunit;

namespace ResidualSheaf.Tests.Heat;

/// <summary>
/// The frozen-mode Jacobian, assembled by columns: against −α(δ_Ωᵀδ_Ω + Γ) from MathNet's dense product (sliding rows and columns
/// zeroed), bit for bit including the signs of zeros; its column form against its dense form; and Rodas4 reading it by columns
/// against Rodas4 reading the dense matrix.
/// </summary>
public class FrozenJacobianTests
{
    public static TheoryData<int, bool, int> Cases()
    {
        var d = new TheoryData<int, bool, int>();
        foreach (int seed in new[] { 1, 2, 3 })
            foreach (bool chord in new[] { false, true })
                foreach (int soft in new[] { 0, 2 }) d.Add(seed, chord, soft);
        return d;
    }

    private static (HeatEquation Eq, UnitMode[] Modes) Build(int seed, bool chord, int softPins)
    {
        var arch = ArchitectureSpec.Residual([new BlockSpec(4, 5, 4, true), new BlockSpec(4, 3, 4, false)], seed % 2 == 0 ? ReluPlacement.Before : ReluPlacement.After);
        var net = TorchReference.PyTorchDefault(arch, 100 + seed);
        var sheaf = SheafConstructor.Build(net, chord ? SkipConstruction.Chord : SkipConstruction.Junction);
        var p = sheaf.Problem(HeatReference.Normal(4, seed));
        var rng = new Random(seed);
        var soft = Enumerable.Range(0, softPins).Select(k => new SoftPin(p.FreeCoordinates[(3 * k) + 1], 0.1 * k, 0.5 + k)).ToList();
        if (softPins > 1) soft.Add(new SoftPin(p.FreeCoordinates[1], 0.0, 0.25)); // two pins on one coordinate add in order
        var eq = new HeatEquation(p, alpha: 0.7, soft);
        var modes = Enumerable.Range(0, eq.SwitchingCount).Select(_ => (UnitMode)rng.Next(3)).ToArray();
        return (eq, modes);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EqualsMinusAlphaTimesTheDenseGramMatrix(int seed, bool chord, int softPins)
    {
        var (eq, modes) = Build(seed, chord, softPins);
        var p = eq.Problem;
        int n = eq.FreeDimension;
        var masks = MaskPattern.From(p.Sheaf, p.PinnedCochain());
        for (int u = 0; u < modes.Length; u++) masks.Theta[eq.SwitchingCoordinates[u]] = modes[u] == UnitMode.Active ? 1.0 : 0.0;
        var d = DenseMatrix.OfMatrix(p.FreeCoboundary(masks));
        var l = d.TransposeThisAndMultiply(d);
        foreach (var s in eq.SoftPins) l[p.FreeIndex(s.Coordinate), p.FreeIndex(s.Coordinate)] += s.Strength;
        var sliding = new bool[n];
        for (int u = 0; u < modes.Length; u++) if (modes[u] == UnitMode.Sliding) sliding[eq.SwitchingFreeIndices[u]] = true;
        Assert.Contains(true, sliding);

        var fj = new FrozenJacobian(eq);
        var dense = new double[n, n];
        fj.Fill(modes, dense);
        var cols = fj.Columns(modes);
        var fromColumns = new double[n, n];
        for (int c = 0; c < n; c++)
            for (int q = cols.ColumnStarts[c]; q < cols.ColumnStarts[c + 1]; q++) fromColumns[cols.Rows[q], c] = cols.Values[q];
        for (int r = 0; r < n; r++)
        {
            for (int c = 0; c < n; c++)
            {
                double expected = sliding[r] || sliding[c] ? 0.0 : -eq.Alpha * l[r, c];
                Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(dense[r, c]),
                    $"J[{r},{c}]: expected {expected:R}, Fill {dense[r, c]:R}");
                // Unlisted entries of the column form are zeros (its zeros may differ in sign: the factor never stores them).
                Assert.True(fromColumns[r, c] == dense[r, c], $"J[{r},{c}]: columns {fromColumns[r, c]:R}, Fill {dense[r, c]:R}");
                if (dense[r, c] != 0) Assert.Equal(BitConverter.DoubleToInt64Bits(dense[r, c]), BitConverter.DoubleToInt64Bits(fromColumns[r, c]));
            }
        }
        // A second request is the cached matrix (no second assembly).
        Assert.Same(cols, fj.Columns(modes));
        Assert.Equal(1, fj.Assembled);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheSparseLoadEqualsTheDenseLoad(int seed, bool chord, int softPins)
    {
        var (eq, modes) = Build(seed, chord, softPins);
        int n = eq.FreeDimension;
        var fj = new FrozenJacobian(eq);
        var j2 = new double[n, n];
        fj.Fill(modes, j2);
        var colMajor = new double[n * n];
        for (int c = 0; c < n; c++)
            for (int r = 0; r < n; r++) colMajor[(c * n) + r] = j2[r, c];
        var a = new ShiftedSparseLu(n);
        var b = new ShiftedSparseLu(n);
        Assert.True(a.Load(colMajor, maxDensity: 1.0));
        Assert.True(b.Load(fj.Columns(modes), maxDensity: 1.0));
        Assert.Equal(a.OffDiagonalNonZeros, b.OffDiagonalNonZeros);
        // Both refuse, or both take, the same density limit.
        double limit = (a.OffDiagonalNonZeros - 0.5) / ((double)n * n);
        Assert.False(new ShiftedSparseLu(n).Load(colMajor, limit));
        Assert.False(new ShiftedSparseLu(n).Load(fj.Columns(modes), limit));
        var rng = new Random(seed);
        foreach (double shift in new[] { 10.0, 0.5, 1e-3 })
        {
            Assert.Equal(a.Factor(shift), b.Factor(shift));
            Assert.Equal(a.Pivots.ToArray(), b.Pivots.ToArray());
            var x = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
            var y = (double[])x.Clone();
            Assert.True(a.Solve(x));
            Assert.True(b.Solve(y));
            for (int i = 0; i < n; i++) Assert.Equal(BitConverter.DoubleToInt64Bits(x[i]), BitConverter.DoubleToInt64Bits(y[i]));
        }
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    public void Rodas4ReadingColumnsFollowsTheDenseTrajectory(int seed, bool chord)
    {
        var (eq, modes) = Build(seed, chord, 1);
        int n = eq.FreeDimension;
        var y0 = HeatReference.Normal(n, seed + 7);
        OdeSolution Run(bool sparse)
        {
            var fj = new FrozenJacobian(eq);
            var problem = new OdeProblem((t, y, dy) => eq.Force(y, modes, dy), y0, 0, 50)
            {
                Jacobian = (t, y, j) => fj.Fill(modes, j),
                SparseJacobian = sparse ? (t, y) => fj.Columns(modes) : null,
                IsAutonomous = true,
                JacobianConstantBetweenRestarts = true,
            };
            return Ode.Solve(problem, new Rodas4(), new OdeOptions { Rtol = 1e-9, Atol = 1e-11 });
        }
        var dense = Run(false);
        var sparse = Run(true);
        Assert.Equal(OdeStatus.Success, sparse.Status);
        Assert.Equal(dense.Statistics.Accepted, sparse.Statistics.Accepted);
        Assert.Equal(dense.Statistics.Rejected, sparse.Statistics.Rejected);
        Assert.True(dense.Statistics.Accepted > 10);
        for (int i = 0; i < n; i++)
            Assert.Equal(BitConverter.DoubleToInt64Bits(dense.FinalState[i]), BitConverter.DoubleToInt64Bits(sparse.FinalState[i]));
    }

    [Fact]
    public void ASparseJacobianWithoutTheDenseOneIsRefused()
    {
        var problem = new OdeProblem((t, y, dy) => dy[0] = -y[0], [1.0], 0, 1)
        {
            SparseJacobian = (t, y) => new SparseColumns(1, [0, 1], [0], [-1.0]),
        };
        var e = Assert.Throws<ArgumentException>(() => Ode.Solve(problem, new Rodas4()));
        Assert.Contains("dense Jacobian", e.Message);
    }

    [Fact]
    public void ColumnsThatAreNotAMatrixAreRefused()
    {
        Assert.Throws<ArgumentException>(() => new SparseColumns(2, [0, 1, 2], [0, 0], [1.0, 1.0])); // column 1 lacks its diagonal
        Assert.Throws<ArgumentException>(() => new SparseColumns(2, [0, 2, 3], [1, 0, 1], [1.0, 1.0, 1.0])); // rows not increasing
        Assert.Throws<ArgumentException>(() => new SparseColumns(2, [0, 1], [0], [1.0])); // too few offsets
        Assert.Throws<ArgumentException>(() => new SparseColumns(2, [0, 1, 2], [0, 2], [1.0, 1.0])); // row out of range
    }
}

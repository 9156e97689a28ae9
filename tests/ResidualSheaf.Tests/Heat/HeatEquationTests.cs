using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Tests.Sheaves;

namespace ResidualSheaf.Tests.Heat;

/// <summary>The heat-equation model: parity with the authors' Euler, gradients, frozen modes, allocation and input validation.</summary>
public class HeatEquationTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly NetworkSheaf G = SheafConstructor.Build(GoldenNetwork.Create());

    private static readonly INetwork LabBlock =
        TorchReference.PyTorchDefault(ArchitectureSpec.Residual([new BlockSpec(3, 3, 3, false)], ReluPlacement.After), 42);

    [Fact]
    public void AuthorsEulerReproducesTheGoldenStepCounts()
    {
        // sheaf-math §5: 11 719 steps from zeros with z2 = 0.749999999458, 10 723 from all-ones (the authors' reference code).
        var p = G.Problem(GoldenNetwork.X);
        var eq = new HeatEquation(p);
        var zeros = AuthorsEuler.Run(eq, new double[eq.FreeDimension]);
        Assert.True(zeros.Converged);
        Assert.Equal(11719, zeros.Steps);
        Assert.Equal(0.749999999458, zeros.FinalState[p.FreeIndex(G.Output.Offset)], 1e-12);
        var ones = AuthorsEuler.Run(eq, Enumerable.Repeat(1.0, eq.FreeDimension).ToArray());
        Assert.True(ones.Converged);
        Assert.Equal(10723, ones.Steps);
    }

    [Theory]
    [InlineData(ReluPlacement.After)]
    [InlineData(ReluPlacement.Before)]
    public void ForceIsMinusAlphaTimesTheFiniteDifferenceGradient(ReluPlacement placement)
    {
        var net = TorchReference.PyTorchDefault(ArchitectureSpec.Residual([new BlockSpec(3, 3, 3, false)], placement), 42);
        var sheaf = SheafConstructor.Build(net);
        var p = sheaf.Problem(HeatReference.Normal(3, 1));
        int v = p.FreeCoordinates[4];
        var soft = new SoftPin(v, 0.3, 2.5);
        var eq = new HeatEquation(p, alpha: 0.7, [soft]);
        var c = HeatReference.Normal(eq.FreeDimension, 2);
        // Energy from the pre-existing DirichletEnergy plus the soft term, written here.
        double E(double[] f)
        {
            double d = f[p.FreeIndex(v)] - 0.3;
            return HeatReference.Energy(p, f) + 0.5 * 2.5 * d * d;
        }
        var force = new double[eq.FreeDimension];
        eq.Force(c, force);
        const double h = 1e-6;
        for (int k = 0; k < c.Length; k++)
        {
            var plus = (double[])c.Clone();
            var minus = (double[])c.Clone();
            plus[k] += h;
            minus[k] -= h;
            double fd = (E(plus) - E(minus)) / (2 * h);
            Assert.True(Math.Abs(force[k] + 0.7 * fd) < 1e-7, $"coordinate {k}: force {force[k]} vs −α·fd {-0.7 * fd}");
        }
        Assert.Equal(E(c), eq.Energy(c), 1e-12);
        double norm2 = force.Sum(f => f * f);
        Assert.Equal(-norm2 / 0.7, eq.EnergyRate(c), 1e-10);
    }

    [Fact]
    public void FrozenModesFromTheStateReproduceTheForceAndSlidingZeroesItsComponent()
    {
        var p = SheafConstructor.Build(LabBlock).Problem(HeatReference.Normal(3, 3));
        var eq = new HeatEquation(p);
        var c = HeatReference.Normal(eq.FreeDimension, 4);
        var modes = new UnitMode[eq.SwitchingCount];
        eq.ModesFromState(c, modes);
        var a = new double[eq.FreeDimension];
        var b = new double[eq.FreeDimension];
        eq.Force(c, a);
        eq.Force(c, modes, b);
        Assert.Equal(a, b);
        modes[0] = UnitMode.Sliding;
        eq.Force(c, modes, b);
        Assert.Equal(0.0, b[eq.SwitchingFreeIndices[0]]);
        // Sliding reads z_j as 0: same as the plain force at the state with z_j := 0 and θ_j = 0 (z_j slightly negative).
        var c0 = (double[])c.Clone();
        c0[eq.SwitchingFreeIndices[0]] = -1e-300;
        eq.Force(c0, a);
        for (int k = 0; k < a.Length; k++)
            if (k != eq.SwitchingFreeIndices[0]) Assert.Equal(a[k], b[k], 1e-14);
        var values = new double[eq.SwitchingCount];
        eq.SwitchingValues(c, values);
        for (int u = 0; u < values.Length; u++) Assert.Equal(c[p.FreeIndex(eq.SwitchingCoordinates[u])], values[u]);
        Assert.Equal(p.Sheaf.MaskCoordinates.Count, eq.SwitchingCount);
    }

    [Fact]
    public void ForceAllocatesNothing()
    {
        var p = SheafConstructor.Build(LabBlock).Problem(HeatReference.Normal(3, 5));
        var eq = new HeatEquation(p, 1.0, [new SoftPin(p.FreeCoordinates[0], 1.0, 0.5)]);
        var c = HeatReference.Normal(eq.FreeDimension, 6);
        var f = new double[eq.FreeDimension];
        var modes = new UnitMode[eq.SwitchingCount];
        eq.ModesFromState(c, modes);
        modes[1] = UnitMode.Sliding;
        eq.Force(c, f);
        eq.Force(c, modes, f);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) eq.Force(c, f);
        long mid = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) eq.Force(c, modes, f);
        long after = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(0, mid - before);
        Assert.Equal(0, after - mid);
        // Indicative speed only (not asserted: the machine is shared).
        var sw = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 200_000; i++) eq.Force(c, f);
        output.WriteLine($"lab block ({eq.FreeDimension} free coordinates): {sw.Elapsed.TotalNanoseconds / 200_000:f0} ns per Force evaluation, 0 bytes allocated");
    }

    [Fact]
    public void CloneIsIndependent()
    {
        var p = G.Problem(GoldenNetwork.X);
        var eq = new HeatEquation(p);
        var clone = eq.Clone();
        var c = HeatReference.Normal(eq.FreeDimension, 7);
        var a = new double[c.Length];
        var b = new double[c.Length];
        var results = new double[2][];
        Parallel.For(0, 2, i =>
        {
            var e = i == 0 ? eq : clone;
            var f = new double[c.Length];
            for (int k = 0; k < 2000; k++) e.Force(c, f);
            results[i] = f;
        });
        eq.Force(c, a);
        Assert.Equal(a, results[0]);
        Assert.Equal(a, results[1]);
    }

    [Fact]
    public void BadInputsAreRejectedNamingTheParameter()
    {
        var p = G.Problem(GoldenNetwork.X);
        foreach (double alpha in new[] { 0.0, -1.0, double.NaN, double.PositiveInfinity })
            Assert.Equal("alpha", Assert.Throws<ArgumentException>(() => new HeatEquation(p, alpha)).ParamName);
        int free = p.FreeCoordinates[0];
        foreach (var s in new[]
                 {
                     new SoftPin(free, 0, 0), new SoftPin(free, 0, -2), new SoftPin(free, 0, double.NaN), new SoftPin(free, double.NaN, 1),
                     new SoftPin(-1, 0, 1), new SoftPin(G.Sheaf.TotalDimension, 0, 1), new SoftPin(G.Input.Offset, 0, 1),
                 })
            Assert.Equal("softPins", Assert.Throws<ArgumentException>(() => new HeatEquation(p, 1, [s])).ParamName);
        var pins = new PinSet().Pin(G.Sheaf.TotalDimension + 3, 1.0);
        Assert.ThrowsAny<ArgumentException>(() => new HeatEquation(new DirichletProblem(G.Sheaf, pins)));
        var eq = new HeatEquation(p);
        var f = new double[eq.FreeDimension];
        Assert.Equal("free", Assert.Throws<ArgumentException>(() => eq.Force(new double[3], f)).ParamName);
        Assert.Equal("result", Assert.Throws<ArgumentException>(() => eq.Force(new double[eq.FreeDimension], new double[2])).ParamName);
        Assert.Equal("modes", Assert.Throws<ArgumentException>(() => eq.Force(f, new UnitMode[1], f)).ParamName);
        Assert.Equal("free", Assert.Throws<ArgumentException>(() => eq.Energy(new double[1])).ParamName);
        Assert.Equal("initial", Assert.Throws<ArgumentException>(() => AuthorsEuler.Run(eq, new double[2])).ParamName);
        Assert.Equal("dt", Assert.Throws<ArgumentException>(() => AuthorsEuler.Run(eq, f, dt: 0)).ParamName);
        var exact = new ExactPiecewiseIntegrator(eq);
        Assert.Equal("initial", Assert.Throws<ArgumentException>(() => exact.Run(new double[2])).ParamName);
        Assert.Equal("initial", Assert.Throws<ArgumentException>(() => exact.Run(Enumerable.Repeat(double.NaN, eq.FreeDimension).ToArray())).ParamName);
        Assert.Equal("outputTimes", Assert.Throws<ArgumentException>(() => exact.Run(f, [2.0, 1.0])).ParamName);
        Assert.Equal("endTime", Assert.Throws<ArgumentException>(() => exact.Run(f, null, -1)).ParamName);
    }
}

using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.LinearAlgebra;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Onnx;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Tests.Models.Onnx;
using Xunit;

namespace ResidualSheaf.Tests.Heat;

/// <summary>
/// The heat force and energy with the edge loop on a team (<see cref="HeatEquation.UseTeam"/>: residuals shared out by edge,
/// transposes by vertex) against one thread, bit for bit, on the conv fixture and the trained digits ResNet (both large enough
/// for the per-edge maps), in every mode: masks from the state, frozen modes, sliding units read both ways.
/// </summary>
public class EdgeTeamTests
{
    [Theory]
    [InlineData("conv_bn_pool.onnx", 2)]
    [InlineData("conv_bn_pool.onnx", 3)]
    [InlineData("digits_resnet_logits.onnx", 2)]
    public void ForceAndEnergyOnATeamEqualOneThreads(string fixture, int threads)
    {
        var sheaf = SheafConstructor.Build(OnnxNetwork.Load(DigitsResNetTests.Fixture(fixture)));
        var x = InputSampler.Normal(1, sheaf.Input.Dimension, 3)[0];
        var serial = new HeatEquation(sheaf.Problem(x));
        var parallel = serial.Clone();
        using var team = new KernelTeam(threads, 0);
        parallel.UseTeam(team);
        Assert.True(parallel.UsesEdgeTeam);
        Assert.False(serial.UsesEdgeTeam);
        var rng = new Random(threads);
        var modes = new UnitMode[serial.SwitchingCount];
        for (int trial = 0; trial < 4; trial++)
        {
            var c = HeatReference.Normal(serial.FreeDimension, 11 * trial + threads, scale: 1.5);
            for (int u = 0; u < modes.Length; u++) modes[u] = (UnitMode)rng.Next(3);
            var (a, b) = (new double[serial.FreeDimension], new double[serial.FreeDimension]);
            serial.Force(c, a);
            parallel.Force(c, b);
            Assert.Equal(Bits(a), Bits(b));
            serial.Force(c, modes, a);
            parallel.Force(c, modes, b);
            Assert.Equal(Bits(a), Bits(b));
            Assert.Equal(BitConverter.DoubleToInt64Bits(serial.Energy(c)), BitConverter.DoubleToInt64Bits(parallel.Energy(c)));
        }
    }

    private static long[] Bits(double[] v) => v.Select(BitConverter.DoubleToInt64Bits).ToArray();
}

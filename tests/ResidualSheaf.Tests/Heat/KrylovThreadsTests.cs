using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.LinearAlgebra;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using Xunit;

namespace ResidualSheaf.Tests.Heat;

/// <summary>
/// The Krylov flow on teams of 2 and 3 threads against one thread, bit for bit: every event (time, unit, kind, new mode), the
/// states at the check times, the final state and the step and product counts. The teams split every kernel, however small
/// (threshold 0), so that the parallel projections, updates and the two-phase switch scan all run on these small sheaves; the
/// inputs make switches and sliding (the conv network, a two-block stack, with and without the inverse part).
/// </summary>
public class KrylovThreadsTests
{
    private static readonly double[] CheckTimes = [0.5, 5, 20, 100];

    public static TheoryData<string, bool> Cases() => new()
    {
        { "stack2", true }, { "stack2", false },
        { "conv", true }, { "conv", false },
    };

    private static NetworkSheaf Build(string name) => name switch
    {
        "conv" => SheafConstructor.Build(ResidualSheaf.Models.Onnx.OnnxNetwork.Load(ResidualSheaf.Tests.Models.Onnx.DigitsResNetTests.Fixture("conv_bn_pool.onnx"))),
        _ => SheafConstructor.Build(TorchReference.PyTorchDefault(ArchitectureSpec.Residual([new BlockSpec(3, 4, 3, false), new BlockSpec(3, 4, 3, false)], ReluPlacement.After), 7), SkipConstruction.Junction),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void TeamsGiveTheSameNumbersAsOneThread(string name, bool useInverse)
    {
        var sheaf = Build(name);
        int events = 0;
        foreach (var x in InputSampler.Normal(2, sheaf.Input.Dimension, 17))
        {
            var eq = new HeatEquation(sheaf.Problem(x));
            using var serial = new KrylovPiecewiseIntegrator(eq, new KernelTeam(1), 24, 1e-10, useInverse, 4, 4);
            using var two = new KrylovPiecewiseIntegrator(eq, new KernelTeam(2, 0), 24, 1e-10, useInverse, 4, 4);
            using var three = new KrylovPiecewiseIntegrator(eq, new KernelTeam(3, 0), 24, 1e-10, useInverse, 4, 4);
            for (int seed = 0; seed < 3; seed++)
            {
                var c0 = HeatReference.Normal(eq.FreeDimension, 41 * seed + 3, scale: 2.0);
                var expected = serial.Run(c0, CheckTimes);
                Assert.Equal(KrylovStatus.Converged, expected.Status);
                events += expected.Events.Count;
                foreach (var team in (KrylovPiecewiseIntegrator[])[two, three])
                {
                    var actual = team.Run(c0, CheckTimes);
                    Assert.Equal(expected.Status, actual.Status);
                    Assert.Equal((expected.Steps, expected.Products, expected.InverseProducts), (actual.Steps, actual.Products, actual.InverseProducts));
                    Assert.Equal(expected.Events, actual.Events);
                    for (int k = 0; k < CheckTimes.Length; k++) Assert.Equal(Bits(expected.States[k]), Bits(actual.States[k]));
                    Assert.Equal(Bits(expected.FinalState), Bits(actual.FinalState));
                    Assert.Equal(BitConverter.DoubleToInt64Bits(expected.FinalTime), BitConverter.DoubleToInt64Bits(actual.FinalTime));
                }
            }
        }
        Assert.True(events > 0, "the runs must switch");
    }

    private static long[] Bits(double[] v) => v.Select(BitConverter.DoubleToInt64Bits).ToArray();
}

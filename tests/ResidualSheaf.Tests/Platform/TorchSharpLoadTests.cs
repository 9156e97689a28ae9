using ResidualSheaf.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace ResidualSheaf.Tests.Platform;

/// <summary>
/// Proves that TorchSharp's native libraries load in the test output (on Debian 12 only because
/// build/TorchSharpNativeFix.targets patched libLibTorchSharp.so) and compute correct float64 results.
/// </summary>
public class TorchSharpLoadTests
{
    [Fact]
    public void Matmul_float64_matches_hand_computation()
    {
        TorchRuntime.EnsureLoaded();
        using var a = tensor(new double[] { 1, 2, 3, 4 }, [2, 2], ScalarType.Float64);
        using var b = tensor(new double[] { 5, 6, 7, 8 }, [2, 2], ScalarType.Float64);

        using var c = matmul(a, b);

        Assert.Equal(ScalarType.Float64, c.dtype);
        Assert.Equal(new long[] { 2, 2 }, c.shape);
        // [[1*5+2*7, 1*6+2*8], [3*5+4*7, 3*6+4*8]]
        Assert.Equal(new double[] { 19, 22, 43, 50 }, c.data<double>().ToArray());
    }

    [Fact]
    public void Linear_forward_float64_with_explicit_weights_matches_hand_computation()
    {
        TorchRuntime.EnsureLoaded();
        using var linear = nn.Linear(3, 2, hasBias: true, dtype: ScalarType.Float64);
        using (no_grad())
        {
            using var w = tensor(new double[] { 1, 2, 3, -1, 0.5, 4 }, [2, 3], ScalarType.Float64);
            using var bias = tensor(new double[] { 0.25, -2 }, [2], ScalarType.Float64);
            linear.weight!.copy_(w);
            linear.bias!.copy_(bias);
        }

        using var x = tensor(new double[] { 1, -2, 0.5, 3, 1, -1 }, [2, 3], ScalarType.Float64);
        using var y = linear.forward(x);

        // y = x W^T + b:
        //   row 0: ( 1 - 4 + 1.5 + 0.25,  -1 - 1 + 2 - 2) = (-1.25, -2)
        //   row 1: ( 3 + 2 - 3 + 0.25,    -3 + 0.5 - 4 - 2) = ( 2.25, -8.5)
        Assert.Equal(ScalarType.Float64, y.dtype);
        Assert.Equal(new long[] { 2, 2 }, y.shape);
        double[] expected = [-1.25, -2, 2.25, -8.5];
        double[] actual = y.data<double>().ToArray();
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 12);
        }
    }
}

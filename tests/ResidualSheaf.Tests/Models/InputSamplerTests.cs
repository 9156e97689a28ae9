using ResidualSheaf.Models.Torch;
using static TorchSharp.torch;

namespace ResidualSheaf.Tests.Models;

/// <summary>Issue 13 item 9: the inputs are exactly the documented call, float64 included.</summary>
public sealed class InputSamplerTests
{
    private static double[] Randn(int count, int n, long seed, ScalarType dtype)
    {
        TorchRuntime.EnsureLoaded();
        using var g = new Generator((ulong)seed);
        using var t = randn([count, n], dtype: dtype, generator: g);
        using var d = t.to_type(ScalarType.Float64);
        return d.data<double>().ToArray();
    }

    [Theory]
    [InlineData(1, 3, 0)]
    [InlineData(50, 3, 0)]
    [InlineData(4, 8, 7)]
    public void InputsAreTorchRandnInFloat64TimesTheScale(int count, int n, long seed)
    {
        var drawn = InputSampler.Normal(count, n, seed, 2.5).SelectMany(r => r).ToArray();
        var documented = Randn(count, n, seed, ScalarType.Float64).Select(v => v * 2.5).ToArray();
        Assert.Equal(documented, drawn);
    }

    [Fact]
    public void TheFloat32DefaultDrawsOtherNumbersFromSixteenValuesOn()
    {
        // Why the dtype is part of the documentation: below 16 values float32 is float64 rounded, from 16 on it is another draw.
        var small64 = Randn(1, 3, 0, ScalarType.Float64);
        var small32 = Randn(1, 3, 0, ScalarType.Float32);
        Assert.All(small64.Zip(small32), p => Assert.Equal(p.First, p.Second, 1e-6));
        Assert.Equal(1.5409961, small64[0], 1e-6); // torch.manual_seed(0); torch.randn(3)[0] in PyTorch
        var big64 = Randn(4, 4, 0, ScalarType.Float64);
        var big32 = Randn(4, 4, 0, ScalarType.Float32);
        Assert.Contains(big64.Zip(big32), p => Math.Abs(p.First - p.Second) > 1e-3);
    }
}

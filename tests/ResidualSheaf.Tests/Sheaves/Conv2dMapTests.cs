using ResidualSheaf.Engine.Sheaves;
using TorchSharp;
using static TorchSharp.torch;

namespace ResidualSheaf.Tests.Sheaves;

/// <summary>
/// The matrix-free convolution and pool against TorchSharp's conv2d / conv_transpose2d / avg_pool2d on random tensors (float64,
/// to 1e-12), against the convolution sum written out in the test for asymmetric pads (which PyTorch's padding argument cannot
/// express), and ⟨Kx, y⟩ = ⟨x, Kᵀy⟩.
/// </summary>
public sealed class Conv2dMapTests
{
    private static readonly MaskPattern NoMasks = new(0);

    public static TheoryData<Conv2dGeometry> SymmetricGeometries() =>
    [
        new(1, 8, 8, 8, 3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1),
        new(3, 7, 9, 4, 3, 2, StrideH: 2, StrideW: 1, PadTop: 1, PadLeft: 2, PadBottom: 1, PadRight: 2, DilationH: 1, DilationW: 2),
        new(2, 6, 5, 3, 3, 3, StrideH: 2, StrideW: 3, DilationH: 2, DilationW: 1),
        new(4, 5, 5, 2, 1, 1),
        new(2, 9, 6, 5, 2, 3, StrideH: 3, StrideW: 2, PadTop: 2, PadLeft: 1, PadBottom: 2, PadRight: 1, DilationH: 3, DilationW: 2),
    ];

    [Theory]
    [MemberData(nameof(SymmetricGeometries))]
    public void ConvolutionAndAdjointEqualTorchSharpConv2dAndConvTranspose2d(Conv2dGeometry g)
    {
        var rng = new Random(7);
        var kernel = Random(rng, g.OutChannels * g.InChannels * g.KernelHeight * g.KernelWidth);
        var x = Random(rng, g.InDimension);
        var y = Random(rng, g.OutDimension);
        var map = new Conv2dMap(g, kernel);

        var kx = new double[g.OutDimension];
        map.MultiplyAdd(x, kx, 1.0, NoMasks);
        var kty = new double[g.InDimension];
        map.TransposeMultiplyAdd(y, kty, 1.0, NoMasks);

        double[] torchKx, torchKty;
        using (NewDisposeScope())
        {
            var w = tensor(kernel, [g.OutChannels, g.InChannels, g.KernelHeight, g.KernelWidth], ScalarType.Float64);
            var xt = tensor(x, [1, g.InChannels, g.Height, g.Width], ScalarType.Float64);
            var yt = tensor(y, [1, g.OutChannels, g.OutHeight, g.OutWidth], ScalarType.Float64);
            long[] stride = [g.StrideH, g.StrideW], padding = [g.PadTop, g.PadLeft], dilation = [g.DilationH, g.DilationW];
            torchKx = nn.functional.conv2d(xt, w, null, stride, padding, dilation).data<double>().ToArray();
            // conv_transpose2d's output size is ambiguous by up to stride − 1 rows/columns; output_padding picks H × W.
            long outPadH = g.Height - ((g.OutHeight - 1) * g.StrideH - 2 * g.PadTop + g.DilationH * (g.KernelHeight - 1) + 1);
            long outPadW = g.Width - ((g.OutWidth - 1) * g.StrideW - 2 * g.PadLeft + g.DilationW * (g.KernelWidth - 1) + 1);
            torchKty = nn.functional.conv_transpose2d(yt, w, null, stride, padding, [outPadH, outPadW], dilation, 1).data<double>().ToArray();
        }
        AssertClose(torchKx, kx, 1e-12, "K x");
        AssertClose(torchKty, kty, 1e-12, "Kᵀ y");
        AssertAdjoint(map, x, y);
    }

    [Fact]
    public void AsymmetricPadsFollowTheConvolutionSum()
    {
        var g = new Conv2dGeometry(2, 5, 6, 3, 3, 2, StrideH: 2, StrideW: 1, PadTop: 0, PadLeft: 2, PadBottom: 2, PadRight: 1, DilationH: 1, DilationW: 3);
        var rng = new Random(11);
        var kernel = Random(rng, 3 * 2 * 3 * 2);
        var x = Random(rng, g.InDimension);
        var map = new Conv2dMap(g, kernel);
        var kx = new double[g.OutDimension];
        map.MultiplyAdd(x, kx, 1.0, NoMasks);
        // y[o,i,j] = Σ_{c,ky,kx} K[o,c,ky,kx] x[c, i·s_h − p_t + ky·d_h, j·s_w − p_l + kx·d_w], zero outside the image.
        var expected = new double[g.OutDimension];
        for (int o = 0; o < 3; o++)
            for (int i = 0; i < g.OutHeight; i++)
                for (int j = 0; j < g.OutWidth; j++)
                    for (int c = 0; c < 2; c++)
                        for (int a = 0; a < 3; a++)
                            for (int b = 0; b < 2; b++)
                            {
                                int r = i * 2 - 0 + a, s = j - 2 + b * 3;
                                if (r < 0 || r >= 5 || s < 0 || s >= 6) continue;
                                expected[(o * g.OutHeight + i) * g.OutWidth + j] += kernel[((o * 2 + c) * 3 + a) * 2 + b] * x[(c * 5 + r) * 6 + s];
                            }
        Assert.Equal(3, g.OutHeight);
        Assert.Equal(6, g.OutWidth);
        AssertClose(expected, kx, 1e-12, "K x");
        AssertAdjoint(map, x, Random(rng, g.OutDimension));
        AssertEntriesMatchTheOperator(map);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AveragePoolAndAdjointEqualTorchSharpAvgPool2d(bool countIncludePad)
    {
        var g = new Conv2dGeometry(3, 7, 6, 3, 3, 2, StrideH: 2, StrideW: 2, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1);
        var rng = new Random(3);
        var x = Random(rng, g.InDimension);
        var y = Random(rng, g.OutDimension);
        var map = new AveragePool2dMap(g, countIncludePad);
        var px = new double[g.OutDimension];
        map.MultiplyAdd(x, px, 1.0, NoMasks);
        double[] expected;
        double[] adjoint;
        using (NewDisposeScope())
        {
            var xt = tensor(x, [1, 3, 7, 6], ScalarType.Float64).requires_grad_(true);
            var pooled = nn.functional.avg_pool2d(xt, [3, 2], [2, 2], [1, 1], false, countIncludePad);
            expected = pooled.data<double>().ToArray();
            // Pᵀ y by autograd: the gradient of ⟨P x, y⟩ in x.
            var inner = (pooled * tensor(y, [1, 3, g.OutHeight, g.OutWidth], ScalarType.Float64)).sum();
            inner.backward();
            adjoint = xt.grad!.data<double>().ToArray();
        }
        AssertClose(expected, px, 1e-12, "P x");
        var pty = new double[g.InDimension];
        map.TransposeMultiplyAdd(y, pty, 1.0, NoMasks);
        AssertClose(adjoint, pty, 1e-12, "Pᵀ y");
        AssertAdjoint(map, x, y);
        AssertEntriesMatchTheOperator(map);
    }

    [Fact]
    public void GlobalAveragePoolIsTheChannelMean()
    {
        var map = AveragePool2dMap.Global(2, 3, 4);
        var x = Enumerable.Range(0, 24).Select(i => (double)i).ToArray();
        var y = new double[2];
        map.MultiplyAdd(x, y, 1.0, NoMasks);
        Assert.Equal(5.5, y[0], 14);
        Assert.Equal(17.5, y[1], 14);
    }

    [Fact]
    public void ImpossibleGeometriesAreRefused()
    {
        Assert.Throws<ArgumentException>(() => new Conv2dMap(new Conv2dGeometry(1, 2, 2, 1, 3, 3), new double[9]));
        Assert.Throws<ArgumentException>(() => new Conv2dMap(new Conv2dGeometry(1, 4, 4, 1, 3, 3), new double[8]));
        Assert.Throws<ArgumentException>(() => new AveragePool2dMap(new Conv2dGeometry(2, 4, 4, 3, 2, 2)));
    }

    /// <summary>⟨Kx, y⟩ = ⟨x, Kᵀy⟩ to 1e-12 relative to |K||x||y|-sized sums.</summary>
    private static void AssertAdjoint(RestrictionMap map, double[] x, double[] y)
    {
        var kx = new double[map.Rows];
        map.MultiplyAdd(x, kx, 1.0, NoMasks);
        var kty = new double[map.Columns];
        map.TransposeMultiplyAdd(y, kty, 1.0, NoMasks);
        double left = kx.Zip(y, (a, b) => a * b).Sum(), right = x.Zip(kty, (a, b) => a * b).Sum();
        Assert.True(Math.Abs(left - right) <= 1e-12 * Math.Max(1, Math.Abs(left)), $"⟨Kx,y⟩ = {left}, ⟨x,Kᵀy⟩ = {right}");
    }

    /// <summary>The listed entries, applied as a sparse matrix, give the operator on a random vector (SparseCoboundary reads them).</summary>
    private static void AssertEntriesMatchTheOperator(RestrictionMap map)
    {
        var x = Random(new Random(5), map.Columns);
        var viaEntries = new double[map.Rows];
        foreach (var (r, c, v) in map.Entries(NoMasks)) viaEntries[r] += v * x[c];
        var direct = new double[map.Rows];
        map.MultiplyAdd(x, direct, 1.0, NoMasks);
        AssertClose(viaEntries, direct, 1e-12, "entries");
    }

    private static double[] Random(Random rng, int n) => Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 1).ToArray();

    private static void AssertClose(double[] expected, double[] actual, double tol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol, $"{what}[{i}]: expected {expected[i]}, got {actual[i]}");
    }
}

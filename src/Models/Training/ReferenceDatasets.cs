using ResidualSheaf.Models.Torch;
using static TorchSharp.torch;

namespace ResidualSheaf.Models.Training;

/// <summary>
/// The reference library's benchmark data sets (datasets.py), drawn through libtorch's global generator with the same seed and the
/// same sequence of calls, so the numbers are torch's: paraboloid and saddle regression (uniform inputs, Gaussian target noise),
/// circular binary classification (disk against annulus, radial noise, a random permutation) and four anisotropic Gaussian blobs
/// (one-hot targets, a random permutation). The first n_train samples train, the rest test.
/// </summary>
public static class ReferenceDatasets
{

    /// <summary>The names configs use.</summary>
    public static readonly string[] Kinds = ["paraboloid", "saddle", "circular", "blobs"];

    private static readonly double[,] BlobCentres = { { -1.5, -1.5 }, { 1.8, -1.0 }, { 1.0, 2.0 }, { -2.0, 1.5 } };

    private static readonly double[][] BlobCovariances =
    [
        [0.80, 0.30, 0.30, 0.40],
        [0.30, -0.20, -0.20, 1.00],
        [1.20, 0.50, 0.50, 0.50],
        [0.50, 0.00, 0.00, 0.80],
    ];

    /// <summary>
    /// The data set <paramref name="kind"/>; <paramref name="noise"/> null takes the library's default (0.02 for regression, 0.1 for
    /// circular; blobs have none).
    /// </summary>
    public static TrainingData Generate(string kind, int nTrain, int nTest, long seed, double? noise = null)
    {
        TorchRuntime.EnsureLoaded();
        lock (TorchReference.SeedLock)
        {
            using var scope = NewDisposeScope();
            manual_seed(seed);
            var (x, y) = kind switch
            {
                "paraboloid" => Regression(nTrain + nTest, -2, 2, noise ?? 0.02, X => X[0..1].pow(2) + X[1..2].pow(2) - 2.0 / 3.0),
                "saddle" => Regression(nTrain + nTest, 0, 2, noise ?? 0.02, X => X[0..1].pow(2) - X[1..2].pow(2) + 0.5 * sin(2 * X[0..1])),
                "circular" => Circular(nTrain + nTest, noise ?? 0.1),
                "blobs" => Blobs(nTrain + nTest),
                _ => throw new ArgumentException($"unknown data set '{kind}' (one of: {string.Join(", ", Kinds)})"),
            };
            int n = (int)x.shape[1];
            return TrainingData.Split((int)x.shape[0], (int)y.shape[0], Rows(x), Rows(y), Math.Min(nTrain, n));
        }
    }

    // (dim, n) tensor → n rows of dim values.
    private static double[] Rows(Tensor t) => t.t().contiguous().data<double>().ToArray();

    private static (Tensor X, Tensor Y) Regression(int n, double lo, double hi, double noise, Func<Tensor, Tensor> f)
    {
        var x = rand(2, n, dtype: ScalarType.Float64) * (hi - lo) + lo;
        var y = f(x) + randn(1, n, dtype: ScalarType.Float64) * noise;
        return (x, y);
    }

    private static (Tensor X, Tensor Y) Circular(int n, double noise)
    {
        int n2 = n / 2, total = 2 * n2;
        var theta = rand(total, dtype: ScalarType.Float64) * (2.0 * Math.PI);
        var r0 = rand(n2, dtype: ScalarType.Float64).sqrt() + randn(n2, dtype: ScalarType.Float64) * noise;
        var r1 = (1.5 * 1.5 + rand(n2, dtype: ScalarType.Float64) * (2.5 * 2.5 - 1.5 * 1.5)).sqrt() + randn(n2, dtype: ScalarType.Float64) * noise;
        var t0 = theta[..n2];
        var t1 = theta[n2..];
        var x = stack([cat([r0 * t0.cos(), r1 * t1.cos()]), cat([r0 * t0.sin(), r1 * t1.sin()])]);
        var y = cat([zeros(n2), ones(n2)]).unsqueeze(0).to(ScalarType.Float64);
        var perm = randperm(total);
        return (x.index_select(1, perm), y.index_select(1, perm));
    }

    private static (Tensor X, Tensor Y) Blobs(int n)
    {
        int classes = 4, per = n / classes;
        var xs = new List<Tensor>();
        var ys = new List<Tensor>();
        for (int i = 0; i < classes; i++)
        {
            // MultivariateNormal(loc, covariance).sample((per,)): loc + L ε with L = cholesky(Σ), ε = randn(per, 2).
            var loc = tensor(new[] { BlobCentres[i, 0], BlobCentres[i, 1] }, ScalarType.Float64);
            var l = linalg.cholesky(tensor(BlobCovariances[i], [2, 2], ScalarType.Float64));
            var eps = randn(per, 2, dtype: ScalarType.Float64);
            var pts = loc + matmul(l, eps.unsqueeze(-1)).squeeze(-1);
            xs.Add(pts.t());
            var y = zeros(classes, per, dtype: ScalarType.Float64);
            y[i] = ones(per, dtype: ScalarType.Float64);
            ys.Add(y);
        }
        var x = cat(xs, 1);
        var yy = cat(ys, 1);
        var perm = randperm(x.shape[1]);
        return (x.index_select(1, perm), yy.index_select(1, perm));
    }
}

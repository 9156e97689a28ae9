using MathNet.Numerics.LinearAlgebra;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Engine.Training;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using static TorchSharp.torch;

namespace ResidualSheaf.Models.Training;

/// <summary>The spectrum of L_free at one input (spectral.py's per-sample analysis).</summary>
/// <param name="LambdaOne">λ_1: the smallest eigenvalue above the threshold (0 when there is none).</param>
/// <param name="LambdaMax">The largest eigenvalue.</param>
/// <param name="Kappa">λ_max / λ_1 (∞ when λ_1 = 0).</param>
/// <param name="ZeroEigenvalues">Eigenvalues at or below the threshold.</param>
/// <param name="FiedlerEnergy">Per block (free vertex, in <see cref="TrainingSpectrum.Blocks"/> order): Σ v_i² of λ_1's unit eigenvector over the block.</param>
/// <param name="MaxEnergy">The same for λ_max's eigenvector.</param>
public sealed record InputSpectrum(double LambdaOne, double LambdaMax, double Kappa, int ZeroEigenvalues, double[] FiedlerEnergy, double[] MaxEnergy);

/// <summary>
/// The spectrum of the free-free block L_free = δ_Ωᵀ δ_Ω of a network's sheaf under the parameters of a training flow, the input
/// pinned and the masks those of the network's forward pass at that input (smooth head edges are not part of δ): dense, by
/// MathNet's symmetric eigendecomposition. Blocks are the free vertices in sheaf order (z1, a1, …, the output for an MLP).
/// </summary>
public sealed class TrainingSpectrum
{
    private readonly INetwork _network;
    private readonly JointFlow _flow;
    private readonly SkipConstruction _construction;
    private readonly double[] _cochain;

    /// <summary>The spectrum of <paramref name="network"/>'s architecture under <paramref name="flow"/>'s parameters.</summary>
    public TrainingSpectrum(INetwork network, JointFlow flow, SkipConstruction construction)
    {
        _network = network;
        _flow = flow;
        _construction = construction;
        _cochain = new double[flow.StalkDimension];
        Blocks = [.. flow.Sheaf.Vertices.Where(v => v.Id != flow.Input.Id)];
    }

    /// <summary>The blocks of the energies: every vertex but the input.</summary>
    public IReadOnlyList<Vertex> Blocks { get; }

    /// <summary>The spectrum at each row of <paramref name="inputs"/> (samples × n0) under parameters <paramref name="theta"/>.</summary>
    public InputSpectrum[] Compute(ReadOnlySpan<double> theta, ReadOnlySpan<double> inputs, double threshold)
    {
        var ns = SheafConstructor.Build(TrainingSheaf.Trained(_network, _flow, theta), _construction);
        int n0 = _flow.Input.Dimension;
        var result = new InputSpectrum[inputs.Length / n0];
        for (int s = 0; s < result.Length; s++)
        {
            var x = inputs.Slice(s * n0, n0);
            _flow.Forward(theta, x, _cochain);
            var masks = MaskPattern.From(ns.Sheaf, _cochain);
            var problem = ns.Problem(x);
            result[s] = Analyse(problem.FreeLaplacian(masks), problem.FreeCoordinates, threshold);
        }
        return result;
    }

    private InputSpectrum Analyse(Matrix<double> laplacian, IReadOnlyList<int> free, double threshold)
    {
        var evd = laplacian.Evd(Symmetricity.Symmetric);
        var values = evd.EigenValues.Select(v => v.Real).ToArray();
        var order = Enumerable.Range(0, values.Length).OrderBy(i => values[i]).ToArray();
        int zeros = values.Count(v => v <= threshold);
        int max = order[^1];
        int? one = zeros < values.Length ? order[zeros] : null;
        double l1 = one is int o ? values[o] : 0, lmax = values[max];
        return new InputSpectrum(l1, lmax, one is null ? double.PositiveInfinity : lmax / l1, zeros,
            one is int f ? Energy(evd.EigenVectors.Column(f), free) : new double[Blocks.Count], Energy(evd.EigenVectors.Column(max), free));
    }

    private double[] Energy(Vector<double> v, IReadOnlyList<int> free)
    {
        var e = new double[Blocks.Count];
        double norm = v.DotProduct(v);
        for (int i = 0; i < free.Count; i++)
        {
            int b = 0;
            while (b < Blocks.Count && !(free[i] >= Blocks[b].Offset && free[i] < Blocks[b].Offset + Blocks[b].Dimension)) b++;
            if (b < Blocks.Count) e[b] += v[i] * v[i] / norm;
        }
        return e;
    }

    /// <summary>
    /// Diagnostic inputs as the reference library's Fig. 4 draws them: <c>torch.manual_seed(seed)</c>, then
    /// <c>torch.rand(n0, count, float64) · (high − low) + low</c>; rows = samples.
    /// </summary>
    public static double[] DiagnosticInputs(int n0, int count, long seed, double low, double high)
    {
        TorchRuntime.EnsureLoaded();
        lock (TorchReference.SeedLock)
        {
            using var scope = NewDisposeScope();
            manual_seed(seed);
            var x = rand(n0, count, dtype: ScalarType.Float64) * (high - low) + low;
            return x.t().contiguous().data<double>().ToArray();
        }
    }
}

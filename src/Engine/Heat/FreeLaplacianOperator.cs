using ResidualSheaf.Engine.LinearAlgebra;

namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// The matrix-free SPD operator M = α L(σ)[F,F] of one frozen mode set (pattern σ, sliding set S, F = Ω \ S), applied through
/// <see cref="HeatEquation.Force(ReadOnlySpan{double}, ReadOnlySpan{UnitMode}, Span{double})"/>: the force is affine,
/// f(c) = f(0) − M c, so M v = f(0) − f(v) costs one force evaluation and no matrix is ever formed. Sliding coordinates are read as
/// 0 and their output is 0, which is exactly the principal submatrix on F. Not thread-safe (owns workspaces).
/// </summary>
public sealed class FreeLaplacianOperator : ILinearOperator
{
    private readonly HeatEquation _eq;
    private readonly UnitMode[] _modes;
    private readonly double[] _f0;
    private readonly double[] _zero;

    /// <summary>Creates the operator for <paramref name="equation"/> (cloned) with all units in the modes implied by a zero state.</summary>
    public FreeLaplacianOperator(HeatEquation equation)
    {
        ArgumentNullException.ThrowIfNull(equation);
        _eq = equation.Clone();
        _modes = new UnitMode[_eq.SwitchingCount];
        _f0 = new double[_eq.FreeDimension];
        _zero = new double[_eq.FreeDimension];
        SetModes(_modes);
    }

    /// <summary>|Ω|, the operator's size.</summary>
    public int Dimension => _eq.FreeDimension;

    /// <summary>Number of matrix–vector products applied so far.</summary>
    public long Products { get; private set; }

    /// <summary>The constant force f(0) = α r_F of the current modes (the right-hand side of M c* = f(0)).</summary>
    public ReadOnlySpan<double> ConstantForce => _f0;

    /// <summary>The frozen modes in use.</summary>
    public ReadOnlySpan<UnitMode> Modes => _modes;

    /// <summary>Freezes new modes (one per switching unit) and recomputes f(0).</summary>
    public void SetModes(ReadOnlySpan<UnitMode> modes)
    {
        if (modes.Length != _modes.Length) throw new ArgumentException($"expected {_modes.Length} unit modes, got {modes.Length}", nameof(modes));
        modes.CopyTo(_modes);
        _eq.Force(_zero, _modes, _f0);
    }

    /// <summary>result = M v (allocation-free).</summary>
    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        _eq.Force(v, _modes, result);
        var f0 = _f0;
        for (int i = 0; i < f0.Length; i++) result[i] = f0[i] - result[i];
        Products++;
    }

    /// <summary>
    /// λ_min and λ_max of M (so of α L(σ)[F,F]) by Lanczos on M from a seeded random start (see <see cref="LanczosExtremes"/>).
    /// Slow for ill-conditioned M: λ_min needs O(√κ) steps; prefer <see cref="LanczosExtremes.Compute"/> on M⁻¹ when available.
    /// </summary>
    public ExtremeEigenvalues Extremes(int maxIterations = 400, double tolerance = 1e-10, int seed = 1)
    {
        var sliding = new bool[Dimension];
        for (int u = 0; u < _modes.Length; u++) if (_modes[u] == UnitMode.Sliding) sliding[_eq.SwitchingFreeIndices[u]] = true;
        return LanczosExtremes.Compute(Apply, Dimension, maxIterations, tolerance, seed, sliding);
    }
}

/// <summary>A symmetric linear operator y = A x on spans.</summary>
public delegate void LinearOperator(ReadOnlySpan<double> x, Span<double> y);

/// <summary>Extreme eigenvalues of a symmetric operator by Lanczos with full reorthogonalisation (diagnostics, not a hot path).</summary>
public static class LanczosExtremes
{
    /// <summary>
    /// Ritz values of A after enough steps that both extreme Ritz pairs have residual ≤ <paramref name="tolerance"/>·|θ_max| (checked
    /// every 10 steps) or <paramref name="maxIterations"/> steps. Coordinates flagged in <paramref name="zeroed"/> start at 0.
    /// </summary>
    public static ExtremeEigenvalues Compute(LinearOperator apply, int n, int maxIterations = 400, double tolerance = 1e-10, int seed = 1, bool[]? zeroed = null)
    {
        ArgumentNullException.ThrowIfNull(apply);
        int m = Math.Min(maxIterations, n);
        var v = new double[(m + 1) * n];
        var w = new double[n];
        var alpha = new double[m];
        var beta = new double[m + 1];
        var d = new double[m];
        var e = new double[m];
        var z = new double[m * m];
        var rng = new Random(seed);
        for (int i = 0; i < n; i++) v[i] = zeroed is not null && zeroed[i] ? 0 : rng.NextDouble() - 0.5;
        double nrm = Numerics.Norm2(v.AsSpan(0, n));
        for (int i = 0; i < n; i++) v[i] /= nrm;
        double lmin = double.NaN, lmax = double.NaN, rmin = double.NaN, rmax = double.NaN;
        int j = 0;
        for (; j < m; j++)
        {
            var vj = v.AsSpan(j * n, n);
            apply(vj, w);
            alpha[j] = Numerics.Dot(vj, w);
            // Full reorthogonalisation (twice is enough): extreme Ritz values then never appear as spurious copies.
            for (int pass = 0; pass < 2; pass++)
                for (int i = 0; i <= j; i++)
                {
                    var vi = v.AsSpan(i * n, n);
                    Numerics.Axpy(-Numerics.Dot(vi, w), vi, w);
                }
            beta[j + 1] = Numerics.Norm2(w);
            bool last = beta[j + 1] <= 1e-14 * Math.Abs(alpha[j]) || j + 1 == m;
            if ((j + 1) % 10 == 0 || last)
            {
                int k = j + 1;
                for (int i = 0; i < k; i++) { d[i] = alpha[i]; e[i] = i + 1 < k ? beta[i + 1] : 0; }
                if (!TridiagonalEigen.Decompose(d, e, z, k)) throw new InvalidOperationException("tridiagonal QL did not converge");
                lmin = d[0];
                lmax = d[k - 1];
                rmin = beta[j + 1] * Math.Abs(z[(k - 1) * k]);
                rmax = beta[j + 1] * Math.Abs(z[(k - 1) * k + k - 1]);
                double scale = Math.Max(Math.Abs(lmin), Math.Abs(lmax));
                if (last || (rmin <= tolerance * scale && rmax <= tolerance * scale)) { j++; break; }
            }
            var next = v.AsSpan((j + 1) * n, n);
            for (int i = 0; i < n; i++) next[i] = w[i] / beta[j + 1];
        }
        return new ExtremeEigenvalues(lmin, lmax, rmin, rmax, j);
    }
}

/// <summary>Extreme eigenvalue estimates of an SPD operator from Lanczos.</summary>
/// <param name="Min">Smallest Ritz value (an upper bound of λ_min; within <paramref name="MinResidual"/> of an eigenvalue).</param>
/// <param name="Max">Largest Ritz value (a lower bound of λ_max; within <paramref name="MaxResidual"/> of an eigenvalue).</param>
/// <param name="MinResidual">‖M y − θ y‖ of the smallest Ritz pair.</param>
/// <param name="MaxResidual">‖M y − θ y‖ of the largest Ritz pair.</param>
/// <param name="Iterations">Lanczos steps (matrix–vector products) used.</param>
public sealed record ExtremeEigenvalues(double Min, double Max, double MinResidual, double MaxResidual, int Iterations);

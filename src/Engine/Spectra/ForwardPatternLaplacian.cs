using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.Sheaves;

namespace ResidualSheaf.Engine.Spectra;

/// <summary>
/// L_free at a fixed pattern, matrix-free: v ↦ δ_Ωᵀ δ_Ω v through the restriction maps' own apply and adjoint (no matrix, so
/// convolutional sheaves are fine), plus for each smooth head edge its Gauss–Newton term JᵀJ with J = [I, −φ'(z*)] at the
/// given state (the Hessian of the head's energy at its solution, where the head's discrepancy is 0). Its extreme eigenvalues by
/// Lanczos are the forward pattern's λ_min, λ_max and κ.
/// </summary>
public sealed class ForwardPatternLaplacian
{
    private readonly DirichletProblem _problem;
    private readonly MaskPattern _masks;
    private readonly double[] _full, _edge, _grad;
    private readonly (SmoothEdge Edge, double[] Jacobian)[] _heads;

    /// <summary>The operator of <paramref name="problem"/> with masks <paramref name="masks"/>, heads linearised at <paramref name="state"/>.</summary>
    public ForwardPatternLaplacian(DirichletProblem problem, MaskPattern masks, ReadOnlySpan<double> state)
    {
        ArgumentNullException.ThrowIfNull(problem);
        _problem = problem;
        _masks = masks;
        var sheaf = problem.Sheaf;
        _full = new double[sheaf.TotalDimension];
        _edge = new double[sheaf.EdgeDimension];
        _grad = new double[sheaf.TotalDimension];
        _heads = new (SmoothEdge, double[])[sheaf.SmoothEdges.Count];
        for (int k = 0; k < _heads.Length; k++)
        {
            var s = sheaf.SmoothEdges[k];
            var z = sheaf.Vertices[s.Tail];
            var phi = new double[z.Dimension];
            s.Function.Evaluate(state.Slice(z.Offset, z.Dimension), phi);
            var jacobian = new double[z.Dimension * z.Dimension];
            s.Function.Jacobian(phi, jacobian);
            _heads[k] = (s, jacobian);
        }
    }

    /// <summary>|Ω|.</summary>
    public int Dimension => _problem.FreeCoordinates.Count;

    /// <summary>result = L_free v.</summary>
    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        var sheaf = _problem.Sheaf;
        Array.Clear(_full);
        var free = _problem.FreeCoordinates;
        for (int i = 0; i < free.Count; i++) _full[free[i]] = v[i];
        Coboundary.Apply(sheaf, _full, _masks, _edge, includeAffine: false);
        Array.Clear(_grad);
        Coboundary.TransposeMultiplyAdd(sheaf, _edge, _masks, _grad);
        foreach (var (s, jac) in _heads)
        {
            var a = sheaf.Vertices[s.Head];
            var z = sheaf.Vertices[s.Tail];
            int d = z.Dimension;
            for (int i = 0; i < d; i++)
            {
                // r_i = a_i − (φ' z)_i; g_a += r, g_z −= φ'ᵀ r.
                double r = _full[a.Offset + i];
                for (int j = 0; j < d; j++) r -= jac[i * d + j] * _full[z.Offset + j];
                _grad[a.Offset + i] += r;
                for (int j = 0; j < d; j++) _grad[z.Offset + j] -= jac[i * d + j] * r;
            }
        }
        for (int i = 0; i < free.Count; i++) result[i] = _grad[free[i]];
    }

    /// <summary>Extreme eigenvalues by Lanczos with full reorthogonalisation (<see cref="LanczosExtremes"/>).</summary>
    public ExtremeEigenvalues Extremes(int maxIterations = 400, double tolerance = 1e-10, int seed = 1) =>
        LanczosExtremes.Compute(Apply, Dimension, maxIterations, tolerance, seed);
}

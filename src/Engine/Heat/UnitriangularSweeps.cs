using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Sheaves;

namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// Exact solves with δ_Ω(σ) when it is square and block unitriangular (MLP and junction sheaves, checked by
/// <see cref="ForwardSubstitutionPlan"/>): forward substitution δ_Ω x = y edge by edge, back substitution δ_Ωᵀ y = v in reverse edge
/// order, so L_free(σ)⁻¹ = δ_Ω⁻¹ δ_Ω⁻ᵀ costs about one force evaluation. Masks are set by the caller (<see cref="Masks"/>).
/// Allocation-free after construction; not thread-safe.
/// </summary>
public sealed class UnitriangularSweeps
{
    private readonly DirichletProblem _problem;
    private readonly Edge[] _edges;
    private readonly Vertex[] _tails;
    private readonly Vertex[] _heads;
    private readonly int[][] _selected;
    private readonly double[] _pinned;
    private readonly double[] _c;
    private readonly double[] _acc;
    private readonly double[] _r;
    private readonly int[] _edgeOffset;
    // Smooth edges a = φ(z) linearised at a state (LineariseSmoothEdges): a − φ'(z*) z, one more unitriangular block row each,
    // after the linear edges; their edge coordinates follow the linear edges' (from EdgeDimension on).
    private (Vertex Tail, Vertex Head, double[] Jacobian, int Offset)[] _smooth = [];

    private UnitriangularSweeps(DirichletProblem problem)
    {
        _problem = problem;
        var sheaf = problem.Sheaf;
        _edges = sheaf.Edges.ToArray();
        _tails = _edges.Select(e => sheaf.Vertices[e.Tail]).ToArray();
        _heads = _edges.Select(e => sheaf.Vertices[e.Head]).ToArray();
        _selected = _edges.Select(e => e.HeadMap.SelectedColumns!).ToArray();
        _edgeOffset = _edges.Select(e => e.Offset).ToArray();
        _pinned = problem.PinnedCochain();
        _c = new double[sheaf.TotalDimension];
        _acc = new double[sheaf.TotalDimension];
        _r = new double[_edges.Length == 0 ? 0 : _edges.Max(e => e.Dimension)];
        Masks = MaskPattern.From(sheaf, _pinned);
    }

    /// <summary>The sweeps, or null when δ_Ω is not square block unitriangular (then <paramref name="reason"/> says why).</summary>
    public static UnitriangularSweeps? TryCreate(DirichletProblem problem, out string reason)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return ForwardSubstitutionPlan.TryCreate(problem, out reason) is null ? null : new UnitriangularSweeps(problem);
    }

    /// <summary>The masks used by every solve (pinned mask coordinates preset from the pins; set the free ones before solving).</summary>
    public MaskPattern Masks { get; }

    /// <summary>|Ω| (= number of edge coordinates).</summary>
    public int Dimension => _problem.FreeCoordinates.Count;

    /// <summary>Length of the edge-indexed vectors of the homogeneous solves: the linear edges' coordinates, then the linearised smooth edges'.</summary>
    public int EdgeLength => _problem.Sheaf.EdgeDimension + _smooth.Sum(h => h.Head.Dimension);

    /// <summary>
    /// Includes the sheaf's smooth edges (output heads a = φ(z)) in the homogeneous solves (<see cref="Forward(ReadOnlySpan{double}, Span{double})"/>,
    /// <see cref="Transposed"/>, <see cref="InverseLaplacian"/>), linearised at <paramref name="state"/> (a full cochain): the row
    /// a − φ'(z*) z, whose Gram term is the Gauss–Newton block JᵀJ, J = [I, −φ'(z*)], of <see cref="Spectra.ForwardPatternLaplacian"/>.
    /// Without it a sheaf with smooth edges has no square δ_Ω in these solves. <see cref="SolveAffine"/> is unaffected.
    /// </summary>
    public void LineariseSmoothEdges(ReadOnlySpan<double> state)
    {
        var sheaf = _problem.Sheaf;
        if (state.Length != sheaf.TotalDimension)
            throw new ArgumentException($"state has length {state.Length}; the sheaf has {sheaf.TotalDimension} coordinates", nameof(state));
        int offset = sheaf.EdgeDimension;
        _smooth = new (Vertex, Vertex, double[], int)[sheaf.SmoothEdges.Count];
        for (int k = 0; k < _smooth.Length; k++)
        {
            var e = sheaf.SmoothEdges[k];
            var (z, a) = (sheaf.Vertices[e.Tail], sheaf.Vertices[e.Head]);
            var phi = new double[z.Dimension];
            e.Function.Evaluate(state.Slice(z.Offset, z.Dimension), phi);
            var jacobian = new double[a.Dimension * z.Dimension];
            e.Function.Jacobian(phi, jacobian);
            _smooth[k] = (z, a, jacobian, offset);
            offset += a.Dimension;
        }
    }

    /// <summary>The Dirichlet solution for <see cref="Masks"/>: δ_Ω c = b̃ (pins and biases included), written on Ω.</summary>
    public void SolveAffine(Span<double> free)
    {
        _pinned.CopyTo(_c, 0);
        Forward(default, affine: true);
        Gather(free);
    }

    /// <summary>x = δ_Ω⁻¹ y (homogeneous: no pins, no biases); y is indexed like edge coordinates.</summary>
    public void Forward(ReadOnlySpan<double> y, Span<double> x)
    {
        Array.Clear(_c);
        Forward(y, affine: false);
        Gather(x);
    }

    /// <summary>y = δ_Ω⁻ᵀ v (back substitution in reverse edge order); v on Ω, y indexed like edge coordinates.</summary>
    public void Transposed(ReadOnlySpan<double> v, Span<double> y)
    {
        Array.Clear(_acc);
        var masks = Masks;
        for (int k = _smooth.Length - 1; k >= 0; k--)
        {
            var (z, a, jac, eo) = _smooth[k];
            var ye = y.Slice(eo, a.Dimension);
            for (int i = 0; i < a.Dimension; i++) ye[i] = v[_problem.FreeIndex(a.Offset + i)] - _acc[a.Offset + i];
            // acc_z −= φ'ᵀ y (the row's tail coefficient is −φ').
            for (int i = 0; i < a.Dimension; i++)
                for (int j = 0; j < z.Dimension; j++) _acc[z.Offset + j] -= jac[(i * z.Dimension) + j] * ye[i];
        }
        for (int k = _edges.Length - 1; k >= 0; k--)
        {
            var sel = _selected[k];
            int ho = _heads[k].Offset, eo = _edgeOffset[k];
            var ye = y.Slice(eo, sel.Length);
            // The defining edge of a coordinate carries it with coefficient 1; later edges only read it as a tail (already in _acc).
            for (int i = 0; i < sel.Length; i++)
            {
                int j = ho + sel[i];
                ye[i] = v[_problem.FreeIndex(j)] - _acc[j];
            }
            var tail = _tails[k];
            _edges[k].TailMap.TransposeMultiplyAdd(ye, _acc.AsSpan(tail.Offset, tail.Dimension), -1.0, masks);
        }
    }

    /// <summary>x = L_free⁻¹ v / α = (α δ_Ωᵀ δ_Ω)⁻¹ v; <paramref name="edgeWork"/> has the edge dimension.</summary>
    public void InverseLaplacian(ReadOnlySpan<double> v, Span<double> x, Span<double> edgeWork, double alpha)
    {
        Transposed(v, edgeWork);
        Forward(edgeWork, x);
        if (alpha != 1.0)
            for (int i = 0; i < x.Length; i++) x[i] /= alpha;
    }

    private void Forward(ReadOnlySpan<double> y, bool affine)
    {
        var masks = Masks;
        for (int k = 0; k < _edges.Length; k++)
        {
            var e = _edges[k];
            var sel = _selected[k];
            var r = _r.AsSpan(0, sel.Length);
            if (affine)
            {
                if (e.Affine is null) r.Clear(); else e.Affine.CopyTo(r);
            }
            else
            {
                y.Slice(_edgeOffset[k], sel.Length).CopyTo(r);
            }
            var tail = _tails[k];
            e.TailMap.MultiplyAdd(_c.AsSpan(tail.Offset, tail.Dimension), r, 1.0, masks);
            int ho = _heads[k].Offset;
            for (int i = 0; i < sel.Length; i++) _c[ho + sel[i]] = r[i];
        }
        if (affine) return;
        foreach (var (z, a, jac, eo) in _smooth)
            for (int i = 0; i < a.Dimension; i++)
            {
                double sum = y[eo + i];
                for (int j = 0; j < z.Dimension; j++) sum += jac[(i * z.Dimension) + j] * _c[z.Offset + j];
                _c[a.Offset + i] = sum;
            }
    }

    private void Gather(Span<double> free)
    {
        var idx = _problem.FreeCoordinates;
        for (int k = 0; k < free.Length; k++) free[k] = _c[idx[k]];
    }
}

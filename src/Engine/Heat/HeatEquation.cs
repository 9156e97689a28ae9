using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Sheaves;

namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// The sheaf heat equation ċ_Ω = −α ∇E(c_Ω) over the free coordinates of a <see cref="DirichletProblem"/> (hard pins held fixed),
/// with E = ½ Σ_e ‖(δc)_e‖² + Σ ½γ(c_v − t)² (soft pins) + ½‖a_out − φ(z)‖² (a smooth output head, <see cref="SmoothHeadTerms"/>).
/// Forces are evaluated edge by edge, with no global matrix, and allocate nothing.
/// </summary>
/// <remarks>
/// An instance owns preallocated workspaces, so it is <b>not thread-safe</b>: use <see cref="Clone"/> to get one instance per thread.
/// The pinned values are copied when the instance is created; later changes to the <see cref="PinSet"/> are not seen.
/// </remarks>
public sealed partial class HeatEquation
{
    private readonly int[] _free;
    private readonly int[] _switchCoords;
    private readonly int[] _switchFree;
    private readonly RestrictionMap[] _headMap;
    private readonly RestrictionMap[] _tailMap;
    private readonly double[]?[] _affine;
    private readonly int[] _edgeOffset;
    private readonly int[] _edgeDim;
    private readonly int[] _tailOffset;
    private readonly int[] _tailDim;
    private readonly int[] _headOffset;
    private readonly int[] _headDim;
    private readonly int[] _softCoord;
    private readonly double[] _softTarget;
    private readonly double[] _softGamma;
    private readonly double[] _pinned;
    private readonly double[] _c;
    private readonly double[] _r;
    private readonly double[] _g;
    private readonly MaskPattern _masks;
    private readonly SmoothHeadTerms? _smooth;
    private readonly SparseCoboundary? _sparse;
    private readonly SurfaceForceRows? _surfaceRows;

    /// <summary>Creates the equation; α and every soft-pin strength must be finite and positive, soft pins must be on free coordinates.</summary>
    public HeatEquation(DirichletProblem problem, double alpha = 1.0, IEnumerable<SoftPin>? softPins = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        if (!double.IsFinite(alpha) || alpha <= 0)
            throw new ArgumentException($"α must be finite and positive (got {alpha})", nameof(alpha));
        var sheaf = problem.Sheaf;
        int total = sheaf.TotalDimension;
        foreach (var (j, _) in problem.Pins.Values)
            if (j < 0 || j >= total)
                throw new ArgumentException($"pinned coordinate {j} lies outside the sheaf (total dimension {total})", nameof(problem));
        for (int j = 0; j < total; j++)
            if (problem.Pins.IsPinned(j) != (problem.FreeIndex(j) < 0))
                throw new ArgumentException($"the pin set changed after the problem was created (coordinate {j})", nameof(problem));
        var soft = (softPins ?? []).ToArray();
        foreach (var s in soft)
        {
            if (s is null) throw new ArgumentException("a soft pin is null", nameof(softPins));
            if (s.Coordinate < 0 || s.Coordinate >= total)
                throw new ArgumentException($"soft pin on coordinate {s.Coordinate} lies outside the sheaf (total dimension {total})", nameof(softPins));
            if (problem.FreeIndex(s.Coordinate) < 0)
                throw new ArgumentException($"soft pin on {sheaf.CoordinateName(s.Coordinate)}: the coordinate is hard-pinned", nameof(softPins));
            if (!double.IsFinite(s.Strength) || s.Strength <= 0)
                throw new ArgumentException($"soft pin on {sheaf.CoordinateName(s.Coordinate)}: strength γ must be finite and positive (got {s.Strength})", nameof(softPins));
            if (!double.IsFinite(s.Target))
                throw new ArgumentException($"soft pin on {sheaf.CoordinateName(s.Coordinate)}: target must be finite (got {s.Target})", nameof(softPins));
        }
        Problem = problem;
        Alpha = alpha;
        SoftPins = soft;
        _free = problem.FreeCoordinates.ToArray();
        _switchCoords = sheaf.MaskCoordinates.Where(j => problem.FreeIndex(j) >= 0).ToArray();
        _switchFree = _switchCoords.Select(problem.FreeIndex).ToArray();
        var edges = sheaf.Edges.ToArray();
        _headMap = edges.Select(e => e.HeadMap).ToArray();
        _tailMap = edges.Select(e => e.TailMap).ToArray();
        _affine = edges.Select(e => e.Affine).ToArray();
        _edgeOffset = edges.Select(e => e.Offset).ToArray();
        _edgeDim = edges.Select(e => e.Dimension).ToArray();
        _tailOffset = edges.Select(e => sheaf.Vertices[e.Tail].Offset).ToArray();
        _tailDim = edges.Select(e => sheaf.Vertices[e.Tail].Dimension).ToArray();
        _headOffset = edges.Select(e => sheaf.Vertices[e.Head].Offset).ToArray();
        _headDim = edges.Select(e => sheaf.Vertices[e.Head].Dimension).ToArray();
        _softCoord = soft.Select(s => s.Coordinate).ToArray();
        _softTarget = soft.Select(s => s.Target).ToArray();
        _softGamma = soft.Select(s => s.Strength).ToArray();
        _pinned = problem.PinnedCochain();
        _c = (double[])_pinned.Clone();
        _r = new double[sheaf.EdgeDimension];
        _g = new double[total];
        // Masks of pinned mask coordinates never change: set them once from the pin values.
        _masks = MaskPattern.From(sheaf, _pinned);
        _smooth = sheaf.HasSmoothEdges ? new SmoothHeadTerms(problem) : null;
        _sparse = SparseCoboundary.TryCreate(sheaf, SparseEntryLimit);
        var local = _sparse ?? SparseCoboundary.TryCreate(sheaf, int.MaxValue);
        if (local is not null)
        {
            var freeIndex = Enumerable.Range(0, total).Select(problem.FreeIndex).ToArray();
            var unitOf = Enumerable.Repeat(-1, total).ToArray();
            for (int u = 0; u < _switchCoords.Length; u++) unitOf[_switchCoords[u]] = u;
            _surfaceRows = new SurfaceForceRows(local, freeIndex, unitOf, _pinned, _masks.Theta.ToArray());
            _surfaceLayout = (local, freeIndex, unitOf);
        }
    }

    /// <summary>δ, free indices and units of the surface rows, kept so that <see cref="WithPinnedValues"/> can rebuild them for new pin values.</summary>
    private readonly (SparseCoboundary Local, int[] FreeIndex, int[] UnitOf)? _surfaceLayout;

    private HeatEquation(HeatEquation o, DirichletProblem problem)
    {
        Problem = problem;
        Alpha = o.Alpha;
        SoftPins = o.SoftPins;
        _free = o._free;
        _switchCoords = o._switchCoords;
        _switchFree = o._switchFree;
        _headMap = o._headMap;
        _tailMap = o._tailMap;
        _affine = o._affine;
        _edgeOffset = o._edgeOffset;
        _edgeDim = o._edgeDim;
        _tailOffset = o._tailOffset;
        _tailDim = o._tailDim;
        _headOffset = o._headOffset;
        _headDim = o._headDim;
        _softCoord = o._softCoord;
        _softTarget = o._softTarget;
        _softGamma = o._softGamma;
        _pinned = problem.PinnedCochain();
        _c = (double[])_pinned.Clone();
        _r = new double[o._r.Length];
        _g = new double[o._g.Length];
        _masks = MaskPattern.From(problem.Sheaf, _pinned);
        _smooth = o._smooth?.Clone();
        _sparse = o._sparse?.Clone();
        _surfaceLayout = o._surfaceLayout;
        if (_surfaceLayout is { } layout)
            _surfaceRows = new SurfaceForceRows(layout.Local, layout.FreeIndex, layout.UnitOf, _pinned, _masks.Theta.ToArray());
    }

    /// <summary>
    /// The equation of <paramref name="problem"/> — the same sheaf and pinned coordinates with other pinned values (another input of
    /// a batch) — sharing this one's read-only structure: equal to <c>new HeatEquation(problem, Alpha, SoftPins)</c>, built without
    /// re-deriving the sheaf's maps and sparse δ.
    /// </summary>
    /// <exception cref="ArgumentException">Another sheaf, or other pinned coordinates.</exception>
    public HeatEquation WithPinnedValues(DirichletProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        if (!ReferenceEquals(problem.Sheaf, Sheaf) || problem.Pins.Values.Count != Problem.Pins.Values.Count ||
            problem.Pins.Values.Keys.Any(j => !Problem.Pins.IsPinned(j)))
            throw new ArgumentException("the problem has another sheaf or other pinned coordinates", nameof(problem));
        return new HeatEquation(this, problem);
    }

    /// <summary>
    /// Up to this many entries of δ the force uses <see cref="SparseCoboundary"/> (flat loops); above, the per-edge maps, whose
    /// dense blocks vectorise (the crossover is measured in bench/ResidualSheaf.Benchmarks/LargeStackReport.md).
    /// </summary>
    public const int SparseEntryLimit = 2048;

    // A clone keeps the source's current masks and shares its pin values and surface rows (nothing in them depends on the state).
    private HeatEquation(HeatEquation o) : this(o, o.Problem)
    {
        _pinned = o._pinned;
        _masks = o._masks.Clone();
        _surfaceRows = o._surfaceRows;
    }

    /// <summary>The pinned Dirichlet problem (sheaf and hard pins).</summary>
    public DirichletProblem Problem { get; }

    /// <summary>The sheaf.</summary>
    public CellularSheaf Sheaf => Problem.Sheaf;

    /// <summary>The rate α of ċ = −α∇E.</summary>
    public double Alpha { get; }

    /// <summary>The soft pins.</summary>
    public IReadOnlyList<SoftPin> SoftPins { get; }

    /// <summary>|Ω|: the length of a state vector.</summary>
    public int FreeDimension => _free.Length;

    /// <summary>Number of switching units (free mask-carrying coordinates).</summary>
    public int SwitchingCount => _switchCoords.Length;

    /// <summary>Global coordinates of the switching units, in increasing order.</summary>
    public IReadOnlyList<int> SwitchingCoordinates => _switchCoords;

    /// <summary>Position of each switching unit inside the state vector (index into Ω).</summary>
    public IReadOnlyList<int> SwitchingFreeIndices => _switchFree;

    /// <summary>
    /// True when the sheaf has a smooth edge (an output head): the force is then not piecewise affine, and methods that need a
    /// piecewise-linear flow (exact, Krylov) cannot integrate it.
    /// </summary>
    public bool HasSmoothHead => _smooth is not null;

    /// <summary>
    /// True when the force is −α∇E everywhere; false when a smooth edge is in <see cref="OutputEdgeMode.Identity"/> mode, whose
    /// force is not a gradient (E may rise along the flow).
    /// </summary>
    public bool IsGradientFlow => _smooth is null || _smooth.IsGradient;

    /// <summary>An independent copy with its own workspaces (for use on another thread).</summary>
    public HeatEquation Clone() => new(this);

    /// <summary>Writes −α∇E(c) into <paramref name="result"/>, masks recomputed from the state (θ_j = 1[z_j ≥ 0]). Allocation-free.</summary>
    public void Force(ReadOnlySpan<double> free, Span<double> result)
    {
        CheckState(free);
        CheckResult(result);
        Load(free);
        MasksFromState();
        Gradient();
        WriteForce(result);
    }

    /// <summary>
    /// Writes −α∇E(c) with frozen modes (one per switching unit): Active θ = 1, Inactive θ = 0, Sliding reads z_j as 0 and zeroes
    /// its force component. Allocation-free.
    /// </summary>
    public void Force(ReadOnlySpan<double> free, ReadOnlySpan<UnitMode> modes, Span<double> result)
    {
        CheckState(free);
        CheckResult(result);
        CheckModes(modes);
        Load(free);
        MasksFromModes(modes);
        Gradient();
        WriteForce(result);
        for (int k = 0; k < _switchFree.Length; k++)
            if (modes[k] == UnitMode.Sliding) result[_switchFree[k]] = 0;
    }

    /// <summary>E(c) with masks from the state, including soft-pin terms.</summary>
    public double Energy(ReadOnlySpan<double> free)
    {
        CheckState(free);
        Load(free);
        MasksFromState();
        if (_sparse is not null) Gradient();
        else
        {
            EdgeGradient(residualOnly: true);
            _smooth?.Residuals(_c);
        }
        return CurrentEnergy();
    }

    /// <summary>
    /// A bound on the rounding error of <see cref="Energy"/> at this state (masks from the state): the edge terms' forward error
    /// (<see cref="SparseCoboundary.EnergyErrorBound"/>) plus the soft-pin terms' (γ₅ relative each) and the final sum's. NaN when no
    /// bound is derived: a smooth output head (its φ is not a sum of products), or restriction maps without a sparse form.
    /// Allocation-free.
    /// </summary>
    public double EnergyRoundingBound(ReadOnlySpan<double> free)
    {
        CheckState(free);
        var sparse = _sparse ?? _surfaceLayout?.Local;
        if (sparse is null || _smooth is not null) return double.NaN;
        Load(free);
        MasksFromState();
        double bound = sparse.EnergyErrorBound(_c, _masks, out double edgeEnergy), soft = 0;
        for (int s = 0; s < _softCoord.Length; s++)
        {
            double d = _c[_softCoord[s]] - _softTarget[s];
            soft += 0.5 * _softGamma[s] * d * d;
        }
        // Each soft term: d, d², γd² and the halving round at most 4 times (5 with d); the running sum over the terms adds one more per
        // term on partial sums ≤ the edge energy plus the soft terms.
        return _softCoord.Length == 0 ? bound : bound + SparseCoboundary.Gamma(_softCoord.Length + 5) * (edgeEnergy + 2 * soft) * (1 + 1e-6);
    }

    /// <summary>
    /// dE/dt = ∇E · ċ along the flow (smooth regime, masks from the state): −α‖∇E‖² for a gradient flow; with an identity-mode
    /// output edge the force differs from −α∇E on the head's tail, and the rate may be positive.
    /// </summary>
    public double EnergyRate(ReadOnlySpan<double> free)
    {
        CheckState(free);
        Load(free);
        MasksFromState();
        Gradient();
        double s = 0;
        foreach (int j in _free) s += _g[j] * _g[j];
        if (_smooth is not null) s += _smooth.NonGradientCorrection(_g);
        return -Alpha * s;
    }

    /// <summary>
    /// Adds the Jacobian of the smooth edges' force at the state (−α times the derivative of their gradient-like terms, exact) to
    /// <paramref name="jacobian"/> (|Ω|×|Ω|); nothing without a smooth edge. The linear part is the caller's. Allocation-free.
    /// </summary>
    public void AddSmoothJacobian(ReadOnlySpan<double> free, double[,] jacobian)
    {
        CheckState(free);
        if (_smooth is null) return;
        Load(free);
        _smooth.AddForceJacobian(_c, Alpha, jacobian);
    }

    /// <summary>Writes the values of the switching units (the free mask-carrying coordinates) into <paramref name="values"/>.</summary>
    public void SwitchingValues(ReadOnlySpan<double> free, Span<double> values)
    {
        CheckState(free);
        if (values.Length != _switchFree.Length)
            throw new ArgumentException($"expected {_switchFree.Length} switching values, got a span of {values.Length}", nameof(values));
        for (int k = 0; k < _switchFree.Length; k++) values[k] = free[_switchFree[k]];
    }

    /// <summary>The modes implied by the state: Active when z_j ≥ 0, Inactive otherwise.</summary>
    public void ModesFromState(ReadOnlySpan<double> free, Span<UnitMode> modes)
    {
        CheckState(free);
        CheckModes(modes);
        for (int k = 0; k < _switchFree.Length; k++) modes[k] = free[_switchFree[k]] >= 0 ? UnitMode.Active : UnitMode.Inactive;
    }

    /// <summary>
    /// The z_j force of switching unit <paramref name="unit"/> on its surface z_j = 0 with θ_j = 0 (<paramref name="inactive"/>, w_j)
    /// and θ_j = 1 (<paramref name="active"/>, w_j + a_j); the other units follow <paramref name="modes"/>.
    /// </summary>
    public void SurfaceForces(ReadOnlySpan<double> free, ReadOnlySpan<UnitMode> modes, int unit, out double inactive, out double active)
    {
        CheckState(free);
        CheckModes(modes);
        if (unit < 0 || unit >= _switchCoords.Length) throw new ArgumentOutOfRangeException(nameof(unit));
        int j = _switchCoords[unit];
        if (_surfaceRows is not null)
        {
            _surfaceRows.Gradient(free, modes, j, out double g0, out double g1);
            double soft = 0;
            for (int s = 0; s < _softCoord.Length; s++)
                if (_softCoord[s] == j) soft -= _softGamma[s] * _softTarget[s];
            inactive = -Alpha * (g0 + soft);
            active = -Alpha * (g1 + soft);
            return;
        }
        var theta = _masks.Theta;
        Load(free);
        MasksFromModes(modes);
        _c[j] = 0;
        theta[j] = 0;
        Gradient();
        inactive = -Alpha * _g[j];
        theta[j] = 1;
        Gradient();
        active = -Alpha * _g[j];
    }

    private void CheckState(ReadOnlySpan<double> free)
    {
        if (free.Length != _free.Length)
            throw new ArgumentException($"state has length {free.Length}; the problem has {_free.Length} free coordinates", nameof(free));
    }

    private void CheckResult(Span<double> result)
    {
        if (result.Length != _free.Length)
            throw new ArgumentException($"result has length {result.Length}; the problem has {_free.Length} free coordinates", nameof(result));
    }

    private void CheckModes(ReadOnlySpan<UnitMode> modes)
    {
        if (modes.Length != _switchCoords.Length)
            throw new ArgumentException($"expected {_switchCoords.Length} unit modes, got {modes.Length}", nameof(modes));
    }

    private void Load(ReadOnlySpan<double> free)
    {
        var c = _c;
        var idx = _free;
        for (int k = 0; k < idx.Length; k++) c[idx[k]] = free[k];
    }

    private void MasksFromState()
    {
        var theta = _masks.Theta;
        foreach (int j in _switchCoords) theta[j] = _c[j] >= 0 ? 1.0 : 0.0;
    }

    private void MasksFromModes(ReadOnlySpan<UnitMode> modes)
    {
        var theta = _masks.Theta;
        for (int k = 0; k < _switchCoords.Length; k++)
        {
            int j = _switchCoords[k];
            switch (modes[k])
            {
                case UnitMode.Active: theta[j] = 1.0; break;
                case UnitMode.Inactive: theta[j] = 0.0; break;
                default: theta[j] = 0.0; _c[j] = 0.0; break;
            }
        }
    }

    /// <summary>r = δc (with −β) into _r and g = ∇E (δᵀr plus soft pins) into _g: flat sparse loops for small sheaves, else per edge.</summary>
    private void Gradient()
    {
        var c = _c.AsSpan();
        var g = _g.AsSpan();
        if (_sparse is not null)
            _sparse.Gradient(c, _masks, _r, g);
        else
            EdgeGradient();
        for (int s = 0; s < _softCoord.Length; s++)
        {
            int v = _softCoord[s];
            g[v] += _softGamma[s] * (c[v] - _softTarget[s]);
        }
        _smooth?.AddGradient(c, g);
    }

    /// <summary>The edge part of <see cref="Gradient"/> through the restriction maps, in the order of Coboundary.Apply / TransposeMultiplyAdd.</summary>
    /// <remarks>With <paramref name="residualOnly"/> only r is formed (all E needs) and g is left untouched.</remarks>
    private void EdgeGradient(bool residualOnly = false)
    {
        if (_edgeTeam is not null)
        {
            _edgeTeam.Run(residualOnly);
            return;
        }
        var c = _c.AsSpan();
        var g = _g.AsSpan();
        var rAll = _r.AsSpan();
        if (!residualOnly) g.Clear();
        var masks = _masks;
        int edges = _edgeOffset.Length;
        // Edge k's residual needs only c, so δᵀ is applied right after it while the edge's maps are still in cache (the 20×64
        // stack's weights, 1.3 MB, are otherwise streamed twice). g accumulates in the same edge order either way.
        for (int k = 0; k < edges; k++)
        {
            var r = rAll.Slice(_edgeOffset[k], _edgeDim[k]);
            var beta = _affine[k];
            if (beta is not null)
                for (int i = 0; i < r.Length; i++) r[i] = -beta[i];
            else
                r.Clear();
            _headMap[k].MultiplyAdd(c.Slice(_headOffset[k], _headDim[k]), r, 1.0, masks);
            _tailMap[k].MultiplyAdd(c.Slice(_tailOffset[k], _tailDim[k]), r, -1.0, masks);
            if (residualOnly) continue;
            _headMap[k].TransposeMultiplyAdd(r, g.Slice(_headOffset[k], _headDim[k]), 1.0, masks);
            _tailMap[k].TransposeMultiplyAdd(r, g.Slice(_tailOffset[k], _tailDim[k]), -1.0, masks);
        }
    }

    private double CurrentEnergy()
    {
        double e = 0.5 * Numerics.Dot(_r, _r);
        if (_smooth is not null) e += _smooth.Energy;
        for (int s = 0; s < _softCoord.Length; s++)
        {
            double d = _c[_softCoord[s]] - _softTarget[s];
            e += 0.5 * _softGamma[s] * d * d;
        }
        return e;
    }

    private void WriteForce(Span<double> result)
    {
        double a = -Alpha;
        var idx = _free;
        for (int k = 0; k < idx.Length; k++) result[k] = a * _g[idx[k]];
    }
}

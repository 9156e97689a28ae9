namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// The images M v of Krylov basis vectors and, in patterns with sliding units, the surface forces those units' exit functions need:
/// w_j (θ_j = 0) and w_j + a_j (θ_j = 1) are affine in the state, so their model coefficients come from the raw forces of the basis
/// vectors at no extra evaluations. Allocation-free; not thread-safe.
/// </summary>
internal sealed class KrylovSlidingForces : IBasisImages
{
    private readonly HeatEquation _eq;
    private readonly FreeLaplacianOperator _op;
    private readonly UnitMaskEntries _mask;
    private readonly int _n;
    private readonly int _units;
    private readonly int _kmax;
    private readonly int[] _pos;
    private readonly double[] _zero;
    private readonly double[] _force;
    private readonly double[] _slide;
    private readonly double[] _slideConst;
    private readonly double[] _fInactive;
    private readonly double[] _fActive;
    private readonly double[] _f0Inactive;
    private readonly double[] _f0Active;
    private readonly UnitMode[] _asInactive;
    private readonly UnitMode[] _asActive;

    public KrylovSlidingForces(HeatEquation equation, FreeLaplacianOperator op, UnitMaskEntries mask, int kmax)
    {
        _eq = equation;
        _op = op;
        _mask = mask;
        _n = equation.FreeDimension;
        _units = equation.SwitchingCount;
        _kmax = kmax;
        _pos = [.. equation.SwitchingFreeIndices];
        _zero = new double[_n];
        _force = new double[_n];
        _slide = new double[_units * 2 * kmax];
        _slideConst = new double[_units * 2];
        _fInactive = new double[kmax * _n];
        _fActive = new double[kmax * _n];
        _f0Inactive = new double[_n];
        _f0Active = new double[_n];
        _asInactive = new UnitMode[_units];
        _asActive = new UnitMode[_units];
    }

    /// <summary>Force evaluations made here for basis images (the operator counts its own).</summary>
    public long Products { get; private set; }

    /// <summary>
    /// For a new basis in a pattern with sliding units: modes that read sliding units as inactive / active without zeroing their
    /// force, and the forces at 0 (the affine part). With z_S = 0 every ReLU residual is independent of θ_S and masks are diagonal,
    /// so one evaluation gives every sliding unit's w (or w + a) at once.
    /// </summary>
    public void Begin(UnitMode[] modes)
    {
        for (int u = 0; u < _units; u++)
        {
            _asInactive[u] = modes[u] == UnitMode.Sliding ? UnitMode.Inactive : modes[u];
            _asActive[u] = modes[u] == UnitMode.Sliding ? UnitMode.Active : modes[u];
        }
        _eq.Force(_zero, _asInactive, _f0Inactive);
        _eq.Force(_zero, _asActive, _f0Active);
    }

    /// <summary>
    /// M v into the image. With sliding units, one evaluation with S read as inactive (not zeroed) gives both M v (off S) and the
    /// linear part of every sliding unit's w_j; w_j + a_j adds α·(ReLU residual) = α·v[head of its ReLU row] (z_j = 0, diagonal
    /// masks), or costs a second evaluation when that structure is not known.
    /// </summary>
    public void Apply(int index, ReadOnlySpan<double> v, Span<double> mv, bool sliding)
    {
        int n = _n;
        if (!sliding)
        {
            _op.Apply(v, mv);
            return;
        }
        var fi = _fInactive.AsSpan(index * n, n);
        var fa = _fActive.AsSpan(index * n, n);
        _eq.Force(v, _asInactive, fi);
        Products++;
        for (int j = 0; j < n; j++)
        {
            fi[j] -= _f0Inactive[j];
            mv[j] = -fi[j];
        }
        for (int u = 0; u < _units; u++)
            if (_asInactive[u] != _op.Modes[u]) mv[_pos[u]] = 0;
        if (_mask.HeadsKnown)
        {
            double alpha = _eq.Alpha;
            var head = _mask.Head;
            for (int u = 0; u < _units; u++)
            {
                if (_asInactive[u] == _op.Modes[u]) continue;
                int h = head[u];
                fa[_pos[u]] = fi[_pos[u]] + (h >= 0 ? alpha * v[h] : 0);
            }
        }
        else
        {
            _eq.Force(v, _asActive, fa);
            for (int j = 0; j < n; j++) fa[j] -= _f0Active[j];
        }
    }

    /// <summary>
    /// Constant parts (at <paramref name="cstar"/>) and Ritz-vector coefficients (through Q of the model on k vectors) of the surface
    /// forces w_j and w_j + a_j of sliding units, combined from the raw forces of the basis vectors: linear, so no extra evaluations.
    /// </summary>
    public void ExitRows(int k, UnitMode[] modes, ReadOnlySpan<double> cstar, ReadOnlySpan<double> q)
    {
        int n = _n;
        _eq.Force(cstar, _asInactive, _force);
        for (int u = 0; u < _units; u++)
            if (modes[u] == UnitMode.Sliding) _slideConst[u * 2] = _force[_pos[u]];
        _eq.Force(cstar, _asActive, _force);
        for (int u = 0; u < _units; u++)
            if (modes[u] == UnitMode.Sliding) _slideConst[u * 2 + 1] = _force[_pos[u]];
        for (int u = 0; u < _units; u++)
        {
            if (modes[u] != UnitMode.Sliding) continue;
            int p = _pos[u];
            for (int j = 0; j < k; j++)
            {
                double s0 = 0, s1 = 0;
                for (int i = 0; i < k; i++)
                {
                    s0 += q[i * k + j] * _fInactive[i * n + p];
                    s1 += q[i * k + j] * _fActive[i * n + p];
                }
                _slide[(u * 2) * _kmax + j] = s0;
                _slide[(u * 2 + 1) * _kmax + j] = s1;
            }
        }
    }

    /// <summary>Ritz coefficients of w_j (<paramref name="active"/> false) or w_j + a_j of sliding unit <paramref name="unit"/>.</summary>
    public ReadOnlySpan<double> ExitRow(int unit, bool active, int k) => _slide.AsSpan((unit * 2 + (active ? 1 : 0)) * _kmax, k);

    /// <summary>The constant part of that force (its value at c*).</summary>
    public double ExitConstant(int unit, bool active) => _slideConst[unit * 2 + (active ? 1 : 0)];
}

namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// The sliding constraint x_S = 0 for the exact unitriangular sweeps: Z = L⁻¹E_S (one sweep pair per sliding unit, kept across
/// patterns and updated by rank one when a single mask flips) and the Cholesky-factored Schur complement C = E_Sᵀ L⁻¹ E_S (SPD),
/// with which the principal-submatrix problems L[F,F] x_F = v_F become exact bordered solves. Owns the masks of the sweeps
/// (<see cref="SetPattern"/>), because the rank-one update must see the old masks. Allocation-free once its capacity suffices.
/// </summary>
internal sealed class SlidingConstraint
{
    private readonly UnitriangularSweeps _sweeps;
    private readonly UnitMaskEntries _mask;
    private readonly int _n;
    private readonly int _units;
    private readonly int[] _pos;
    private readonly int[] _switchCoords;
    private readonly UnitMode[] _zModes;
    private readonly double[] _g;
    private readonly double[] _kv;
    private readonly double[] _e;
    private readonly double[] _edgeWork;
    private readonly double[] _edgeWork2;
    private int[] _slidePos = [];
    private double[] _z = [];
    private double[] _schur = [];
    private double[] _lambda = [];
    private int _nSlide;
    private bool _zValid;

    public SlidingConstraint(HeatEquation equation, UnitriangularSweeps sweeps, UnitMaskEntries mask)
    {
        _sweeps = sweeps;
        _mask = mask;
        _n = equation.FreeDimension;
        _units = equation.SwitchingCount;
        _pos = [.. equation.SwitchingFreeIndices];
        _switchCoords = [.. equation.SwitchingCoordinates];
        _zModes = new UnitMode[_units];
        _g = new double[_n];
        _kv = new double[_n];
        _e = new double[_n];
        _edgeWork = new double[equation.Sheaf.EdgeDimension];
        _edgeWork2 = new double[equation.Sheaf.EdgeDimension];
    }

    /// <summary>
    /// Sets the sweeps' masks to <paramref name="modes"/> and puts c* (x_S = 0 when <paramref name="sliding"/>) into
    /// <paramref name="cstar"/>; Z follows incrementally when one unit changed since the last call, else from scratch. Returns the
    /// sweep pairs used for Z.
    /// </summary>
    public int SetPattern(UnitMode[] modes, bool sliding, Span<double> cstar)
    {
        int units = _units, inverse = 0;
        int changed = -1, nChanged = 0;
        if (_zValid)
            for (int k = 0; k < units; k++)
                if (modes[k] != _zModes[k]) { changed = k; nChanged++; }
        bool incremental = sliding && _zValid && nChanged == 1 && _mask.Row[changed] >= 0;
        if (incremental) inverse += UpdateSliding(changed, modes);
        var theta = _sweeps.Masks.Theta;
        for (int k = 0; k < units; k++) theta[_switchCoords[k]] = modes[k] == UnitMode.Active ? 1.0 : 0.0;
        _sweeps.SolveAffine(cstar);
        if (sliding)
        {
            if (!incremental) inverse += PrepareSliding(modes);
            else inverse += AddSlidingColumn(changed, modes);
            FactorSchur();
            Constrain(cstar);
        }
        else
        {
            // Z for the empty set is trivially valid: the next sliding unit is added as one column.
            _nSlide = 0;
        }
        modes.CopyTo(_zModes, 0);
        _zValid = true;
        return inverse;
    }

    /// <summary>x ← x + Z λ with C λ = −x_S: turns L⁻¹ v (or the unconstrained c*) into the solution with x_S = 0.</summary>
    public void Constrain(Span<double> x)
    {
        int s = _nSlide, n = _n;
        var lam = _lambda.AsSpan(0, s);
        for (int i = 0; i < s; i++)
        {
            double v = -x[_slidePos[i]];
            for (int k = 0; k < i; k++) v -= _schur[i * s + k] * lam[k];
            lam[i] = v / _schur[i * s + i];
        }
        for (int i = s - 1; i >= 0; i--)
        {
            double v = lam[i];
            for (int k = i + 1; k < s; k++) v -= _schur[k * s + i] * lam[k];
            lam[i] = v / _schur[i * s + i];
        }
        for (int i = 0; i < s; i++) Numerics.Axpy(lam[i], _z.AsSpan(i * n, n), x);
        for (int i = 0; i < s; i++) x[_slidePos[i]] = 0.0;
    }

    /// <summary>Z = L⁻¹E_S from scratch. Returns sweeps used.</summary>
    private int PrepareSliding(UnitMode[] modes)
    {
        int n = _n, s = 0;
        for (int u = 0; u < _units; u++) if (modes[u] == UnitMode.Sliding) s++;
        _nSlide = 0;
        EnsureCapacity(s);
        _nSlide = s;
        for (int u = 0, i = 0; u < _units; u++) if (modes[u] == UnitMode.Sliding) _slidePos[i++] = _pos[u];
        for (int i = 0; i < s; i++)
        {
            var e = _e.AsSpan();
            e.Clear();
            e[_slidePos[i]] = 1.0;
            _sweeps.InverseLaplacian(e, _z.AsSpan(i * n, n), _edgeWork, 1.0);
        }
        return s;
    }

    /// <summary>Schur complement C = E_Sᵀ Z of the current sliding columns, Cholesky-factored in place.</summary>
    private void FactorSchur()
    {
        int s = _nSlide, n = _n;
        for (int i = 0; i < s; i++)
            for (int j = 0; j < s; j++) _schur[i * s + j] = 0.5 * (_z[i * n + _slidePos[j]] + _z[j * n + _slidePos[i]]);
        // In-place Cholesky (lower triangle).
        for (int j = 0; j < s; j++)
        {
            double d = _schur[j * s + j];
            for (int k = 0; k < j; k++) d -= _schur[j * s + k] * _schur[j * s + k];
            if (!(d > 0)) throw new InvalidOperationException("the sliding Schur complement is not positive definite");
            d = Math.Sqrt(d);
            _schur[j * s + j] = d;
            for (int i = j + 1; i < s; i++)
            {
                double v = _schur[i * s + j];
                for (int k = 0; k < j; k++) v -= _schur[i * s + k] * _schur[j * s + k];
                _schur[i * s + j] = v / d;
            }
        }
    }

    /// <summary>Makes room for <paramref name="s"/> sliding columns (grown geometrically, keeping the current ones).</summary>
    private void EnsureCapacity(int s)
    {
        if (_slidePos.Length >= s) return;
        int cap = Math.Max(s, 2 * _slidePos.Length), n = _n;
        var pos = new int[cap];
        var z = new double[cap * n];
        _slidePos.AsSpan(0, _nSlide).CopyTo(pos);
        _z.AsSpan(0, _nSlide * n).CopyTo(z);
        _slidePos = pos;
        _z = z;
        _schur = new double[cap * cap];
        _lambda = new double[cap];
    }

    /// <summary>
    /// Rank-one update of Z = L⁻¹E_S when unit <paramref name="unit"/> flips θ by Δ (masks still the old ones): its single δ entry
    /// −θ at (row r, column c) changes, (δ⁻¹e_r)_c = 0 because c is an earlier tail, so δ'⁻¹ = δ⁻¹ + Δ g hᵀ with g = δ⁻¹e_r,
    /// h = δ⁻ᵀe_c, and L'⁻¹ = L⁻¹ + Δ(k gᵀ + g kᵀ) + Δ²‖h‖² g gᵀ with k = δ⁻¹h = L⁻¹e_c. A unit leaving S loses its column.
    /// Returns the sweep pairs used.
    /// </summary>
    private int UpdateSliding(int unit, UnitMode[] modes)
    {
        int n = _n;
        var old = _zModes[unit];
        double delta = (modes[unit] == UnitMode.Active ? 1.0 : 0.0) - (old == UnitMode.Active ? 1.0 : 0.0);
        int used = 0;
        if (delta != 0 && _nSlide > 0 && _mask.Column[unit] >= 0)
        {
            var er = _edgeWork2.AsSpan();
            er.Clear();
            er[_mask.Row[unit]] = 1.0;
            _sweeps.Forward(er, _g);
            var ec = _e.AsSpan();
            ec.Clear();
            ec[_mask.Column[unit]] = 1.0;
            _sweeps.Transposed(ec, _edgeWork2);
            double hh = Numerics.Dot(_edgeWork2, _edgeWork2);
            _sweeps.Forward(_edgeWork2, _kv);
            for (int i = 0; i < _nSlide; i++)
            {
                int p = _slidePos[i];
                var zi = _z.AsSpan(i * n, n);
                Numerics.Axpy(delta * _g[p], _kv, zi);
                Numerics.Axpy(delta * _kv[p] + delta * delta * hh * _g[p], _g, zi);
            }
            used = 2;
        }
        if (old == UnitMode.Sliding && modes[unit] != UnitMode.Sliding)
        {
            int p = _pos[unit];
            for (int i = 0; i < _nSlide; i++)
            {
                if (_slidePos[i] != p) continue;
                int last = _nSlide - 1;
                _slidePos[i] = _slidePos[last];
                _z.AsSpan(last * n, n).CopyTo(_z.AsSpan(i * n, n));
                _nSlide--;
                break;
            }
        }
        return used;
    }

    /// <summary>After the masks are set: a unit that entered S gets its column L⁻¹e_j (one sweep pair). Returns the sweep pairs used.</summary>
    private int AddSlidingColumn(int unit, UnitMode[] modes)
    {
        if (modes[unit] != UnitMode.Sliding || _zModes[unit] == UnitMode.Sliding) return 0;
        int n = _n;
        EnsureCapacity(_nSlide + 1);
        int i = _nSlide++;
        _slidePos[i] = _pos[unit];
        var e = _e.AsSpan();
        e.Clear();
        e[_pos[unit]] = 1.0;
        _sweeps.InverseLaplacian(e, _z.AsSpan(i * n, n), _edgeWork, 1.0);
        return 1;
    }
}

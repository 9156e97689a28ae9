using ResidualSheaf.Engine.Sheaves;

namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// Event-driven integrator of the heat flow for large problems (integration-notes §3 without dense eigendecompositions). Inside one
/// frozen mode set (pattern σ, sliding set S) the flow is linear, c(τ) = c*_σ + exp(−τM)(c(0) − c*_σ) with M = αL(σ)[F,F] SPD;
/// c*_σ comes from forward substitution (unitriangular δ_Ω, no sliding) or conjugate gradients, and exp(−τM)u is approximated on an
/// extended Krylov basis span{M^{−b}u, …, u, …, M^{a}u} (M⁻¹ by two unitriangular sweeps, when available): the Rayleigh–Ritz model
/// ũ(τ) = Σ_k w_k e^{−θ_k τ} y_k resolves the fast modes (polynomial part) and the slow ones (inverse part) with a few dozen vectors.
/// Its error obeys ‖u(τ) − ũ(τ)‖₂ ≤ ∫₀^τ ‖(I − VVᵀ) M ũ(s)‖ ds (M is SPD, so exp(−τM) is a contraction) and the residual is
/// rank one, so the step is the largest τ whose bound stays under the tolerance. Every switching function is an exponential sum in
/// the model, so the earliest switch is found by a rigorous safe-step exclusion (a bound on |ż_j|) and, near a root, by
/// <see cref="ExponentialSum.EarliestRise"/>. Sliding is handled as in <see cref="ExactPiecewiseIntegrator"/>. The stepping loop
/// allocates nothing (events and requested outputs excepted). Not thread-safe.
/// </summary>
public sealed class KrylovPiecewiseIntegrator
{
    private const double Band = 1e-12;
    private readonly HeatEquation _eq;
    private readonly FreeLaplacianOperator _op;
    private readonly UnitriangularSweeps? _sweeps;
    private readonly int _n;
    private readonly int _units;
    private readonly int[] _pos;
    private readonly int[] _switchCoords;
    private readonly int _kmax;
    private readonly int _checkEvery;
    private readonly double[] _v;
    private readonly double[] _mv;
    private readonly double[] _t;
    private readonly double[] _tw;
    private readonly double[] _q;
    private readonly double[] _theta;
    private readonly double[] _w;
    private readonly double[] _c;
    private readonly double[] _p;
    private readonly double[] _a;
    private readonly double[] _x;
    private readonly int[] _groups;
    private readonly double[] _cstar;
    private readonly double[] _u;
    private readonly double[] _tmp;
    private readonly double[] _tmp2;
    private readonly double[] _edgeWork;
    private readonly double[] _zero;
    private readonly double[] _slide;
    private readonly double[] _slideConst;
    private readonly double[] _fInactive;
    private readonly double[] _fActive;
    private readonly double[] _f0Inactive;
    private readonly double[] _f0Active;
    private readonly UnitMode[] _asInactive;
    private readonly UnitMode[] _asActive;
    private int[] _slidePos = [];
    private double[] _z = [];
    private double[] _schur = [];
    private double[] _lambda = [];
    private int _nSlide;
    private int _k;
    private readonly int[] _maskRow;
    private readonly int[] _maskColumn;
    private readonly UnitMode[] _zModes;
    private bool _zValid;
    private readonly double[] _g;
    private readonly double[] _kv;
    private readonly double[] _edgeWork2;
    private readonly int[] _maskHead;
    private readonly bool _headsKnown;
    private long _ownProducts;

    /// <summary>
    /// Creates the integrator. <paramref name="maxBasis"/>: largest Krylov basis per step; <paramref name="tolerance"/>: bound on the
    /// 2-norm error added per step; <paramref name="useInverse"/>: extend the basis with M⁻¹ when δ_Ω is unitriangular (no soft pins).
    /// </summary>
    public KrylovPiecewiseIntegrator(HeatEquation equation, int maxBasis = 40, double tolerance = 1e-10, bool useInverse = true, int checkEvery = 8)
    {
        ArgumentNullException.ThrowIfNull(equation);
        if (maxBasis < 2) throw new ArgumentException($"maxBasis must be at least 2 (got {maxBasis})", nameof(maxBasis));
        if (!double.IsFinite(tolerance) || tolerance <= 0) throw new ArgumentException($"tolerance must be finite and positive (got {tolerance})", nameof(tolerance));
        if (checkEvery < 1) throw new ArgumentException($"checkEvery must be positive (got {checkEvery})", nameof(checkEvery));
        _eq = equation.Clone();
        _op = new FreeLaplacianOperator(_eq);
        _n = _eq.FreeDimension;
        _units = _eq.SwitchingCount;
        _pos = _eq.SwitchingFreeIndices.ToArray();
        _switchCoords = _eq.SwitchingCoordinates.ToArray();
        _kmax = Math.Min(maxBasis, Math.Max(_n, 2));
        _checkEvery = checkEvery;
        Tolerance = tolerance;
        if (useInverse && _eq.SoftPins.Count == 0) _sweeps = UnitriangularSweeps.TryCreate(_eq.Problem, out _);
        int k = _kmax;
        _v = new double[k * _n];
        _mv = new double[k * _n];
        _t = new double[k * k];
        _tw = new double[k * k];
        _q = new double[k * k];
        _theta = new double[k];
        _w = new double[k];
        _c = new double[k];
        _p = new double[k];
        _a = new double[k];
        _x = new double[k];
        _groups = Enumerable.Range(0, k + 1).ToArray();
        _cstar = new double[_n];
        _u = new double[_n];
        _tmp = new double[_n];
        _tmp2 = new double[_n];
        _edgeWork = new double[_eq.Sheaf.EdgeDimension];
        _zero = new double[_n];
        _slide = new double[_units * 2 * k];
        _slideConst = new double[_units * 2];
        _fInactive = new double[k * _n];
        _fActive = new double[k * _n];
        _f0Inactive = new double[_n];
        _f0Active = new double[_n];
        _asInactive = new UnitMode[_units];
        _asActive = new UnitMode[_units];
        _zModes = new UnitMode[_units];
        _g = new double[_n];
        _kv = new double[_n];
        _edgeWork2 = new double[_eq.Sheaf.EdgeDimension];
        // The single δ entry −θ_j of each unit (row of its ReLU edge, column of the masked tail coordinate), for rank-one updates of
        // L⁻¹ when one mask flips; −1 (full recomputation) when a mask is used by several edges or not at all.
        _maskRow = Enumerable.Repeat(-1, _units).ToArray();
        _maskColumn = Enumerable.Repeat(-1, _units).ToArray();
        var uses = new int[_units];
        _maskHead = Enumerable.Repeat(-2, _units).ToArray();
        var unitOf = new Dictionary<int, int>();
        for (int u = 0; u < _units; u++) unitOf[_switchCoords[u]] = u;
        var sheaf = _eq.Sheaf;
        foreach (var e in sheaf.Edges)
        {
            if (e.HeadMap is ReluMaskMap) foreach (var u in unitOf.Values) uses[u] += 2;
            if (e.TailMap is not ReluMaskMap rm) continue;
            var tail = sheaf.Vertices[e.Tail];
            for (int i = 0; i < rm.Rows; i++)
                if (unitOf.TryGetValue(rm.MaskOffset + i, out int u))
                {
                    uses[u]++;
                    _maskRow[u] = e.Offset + i;
                    _maskColumn[u] = _eq.Problem.FreeIndex(tail.Offset + i);
                    var sel = e.HeadMap.SelectedColumns;
                    _maskHead[u] = sel is null ? -2 : _eq.Problem.FreeIndex(sheaf.Vertices[e.Head].Offset + sel[i]);
                }
        }
        for (int u = 0; u < _units; u++) if (uses[u] != 1) _maskRow[u] = -1;
        _headsKnown = Enumerable.Range(0, _units).All(u => _maskRow[u] >= 0 && _maskHead[u] != -2);
    }

    /// <summary>Bound on the 2-norm error added per step.</summary>
    public double Tolerance { get; }

    /// <summary>True when M⁻¹ (exact unitriangular sweeps) extends the Krylov basis in patterns without sliding.</summary>
    public bool UsesInverse => _sweeps is not null;

    /// <summary>
    /// Integrates from <paramref name="initial"/> (free coordinates) at time <paramref name="startTime"/>; states at
    /// <paramref name="outputTimes"/> (finite, ≥ the start time, non-decreasing). Stops at <paramref name="endTime"/>, when ‖c − c*‖∞ ≤ <paramref name="stopDistance"/> in a pattern
    /// consistent with its c* (then c* is the Dirichlet solution), at the certified limit, after <paramref name="maxEvents"/> events,
    /// after <paramref name="maxSteps"/> Krylov steps, or when <paramref name="cancellation"/> is signalled (checked every step).
    /// <paramref name="onOutput"/> and <paramref name="onEvent"/> see each output and event as it is made, in time order; returning
    /// false stops the run (status Stopped) at the end of the current step.
    /// </summary>
    public KrylovRunResult Run(ReadOnlySpan<double> initial, IReadOnlyList<double>? outputTimes = null, double endTime = double.PositiveInfinity,
        double stopDistance = 0, int maxEvents = 100_000, int maxSteps = 1_000_000, CancellationToken cancellation = default,
        Func<double, double[], bool>? onOutput = null, Func<HeatEvent, bool>? onEvent = null, double startTime = 0)
    {
        int n = _n, units = _units;
        if (initial.Length != n)
            throw new ArgumentException($"initial state has length {initial.Length}; the problem has {n} free coordinates", nameof(initial));
        foreach (double val in initial)
            if (!double.IsFinite(val)) throw new ArgumentException("initial state contains a non-finite value", nameof(initial));
        var times = (outputTimes ?? []).ToArray();
        for (int i = 0; i < times.Length; i++)
            if (!double.IsFinite(times[i]) || times[i] < 0 || (i > 0 && times[i] < times[i - 1]))
                throw new ArgumentException($"output times must be finite, ≥ 0 and non-decreasing (entry {i} = {times[i]})", nameof(outputTimes));
        if (double.IsNaN(endTime) || endTime < 0) throw new ArgumentException($"end time must be ≥ 0 (got {endTime})", nameof(endTime));
        if (double.IsNaN(stopDistance) || stopDistance < 0) throw new ArgumentException($"stop distance must be ≥ 0 (got {stopDistance})", nameof(stopDistance));
        if (maxEvents < 0) throw new ArgumentException($"maxEvents must be ≥ 0 (got {maxEvents})", nameof(maxEvents));
        if (maxSteps < 1) throw new ArgumentException($"maxSteps must be positive (got {maxSteps})", nameof(maxSteps));
        if (!double.IsFinite(startTime) || startTime < 0 || startTime > endTime)
            throw new ArgumentException($"start time must be finite, ≥ 0 and ≤ the end time (got {startTime})", nameof(startTime));
        if (times.Length > 0 && times[0] < startTime)
            throw new ArgumentException($"output times must not precede the start time {startTime} (first is {times[0]})", nameof(outputTimes));

        var state = initial.ToArray();
        var modes = new UnitMode[units];
        var events = new List<HeatEvent>();
        var outStates = new List<double[]>();
        int nextOut = 0, steps = 0, patternSolves = 0;
        long products0 = _op.Products + _ownProducts, inverse = 0, cg = 0;
        double t = startTime, errSum = 0, lastEventStep = 0;
        bool dirty = true, sliding = false, consistent = false, stopped = false;

        void Output(double[] x)
        {
            outStates.Add(x);
            double tOut = times[nextOut++];
            if (onOutput is not null && !stopped && !onOutput(tOut, x)) stopped = true;
        }

        void AddEvent(HeatEvent e)
        {
            events.Add(e);
            if (onEvent is not null && !stopped && !onEvent(e)) stopped = true;
        }

        _eq.ModesFromState(state, modes);
        for (int k = 0; k < units; k++)
        {
            if (state[_pos[k]] != 0) continue;
            _eq.SurfaceForces(state, modes, k, out double f0, out double f1);
            var (mode, kind) = Classify(f0, f1, UnitMode.Active);
            modes[k] = mode;
            if (kind is HeatEventKind.SlideEnter or HeatEventKind.Repelling) AddEvent(Event(startTime, k, kind, mode));
        }

        KrylovRunResult Finish(KrylovStatus status, double time, double[] final, double[]? limit) =>
            new(status, times[..nextOut], outStates.ToArray(), events, steps, _op.Products + _ownProducts - products0, inverse, patternSolves, cg, time, final,
                limit, (UnitMode[])modes.Clone(), errSum);

        while (true)
        {
            if (cancellation.IsCancellationRequested) return Finish(KrylovStatus.Cancelled, t, state, null);
            if (stopped) return Finish(KrylovStatus.Stopped, t, state, null);
            if (dirty)
            {
                sliding = false;
                for (int k = 0; k < units; k++) if (modes[k] == UnitMode.Sliding) sliding = true;
                _op.SetModes(modes);
                if (_sweeps is not null)
                {
                    int changed = -1, nChanged = 0;
                    if (_zValid)
                        for (int k = 0; k < units; k++)
                            if (modes[k] != _zModes[k]) { changed = k; nChanged++; }
                    bool incremental = sliding && _zValid && nChanged == 1 && _maskRow[changed] >= 0;
                    if (incremental) inverse += UpdateSliding(changed, modes);
                    var theta = _sweeps.Masks.Theta;
                    for (int k = 0; k < units; k++) theta[_switchCoords[k]] = modes[k] == UnitMode.Active ? 1.0 : 0.0;
                    _sweeps.SolveAffine(_cstar);
                    if (sliding)
                    {
                        if (!incremental) inverse += PrepareSliding(modes);
                        else inverse += AddSlidingColumn(changed, modes);
                        FactorSchur();
                        ConstrainToSliding(_cstar);
                        modes.CopyTo(_zModes, 0);
                        _zValid = true;
                    }
                    else
                    {
                        // Z for the empty set is trivially valid: the next sliding unit is added as one column.
                        _nSlide = 0;
                        modes.CopyTo(_zModes, 0);
                        _zValid = true;
                    }
                }
                else
                {
                    int it = ConjugateGradients(state, _cstar);
                    if (it < 0) return Finish(KrylovStatus.Failed, t, state, null);
                    cg += it;
                }
                patternSolves++;
                dirty = false;
                consistent = !sliding;
                for (int k = 0; k < units && consistent; k++)
                    consistent = modes[k] == UnitMode.Active ? _cstar[_pos[k]] >= 0 : _cstar[_pos[k]] < 0;
            }
            for (int i = 0; i < n; i++) _u[i] = state[i] - _cstar[i];
            double beta = Numerics.Norm2(_u), dist = Numerics.MaxAbs(_u);
            if (!double.IsFinite(beta)) return Finish(KrylovStatus.Failed, t, state, null);
            while (nextOut < times.Length && times[nextOut] <= t) Output((double[])state.Clone());
            if (consistent && stopDistance > 0 && dist <= stopDistance) return Finish(KrylovStatus.ReachedDistance, t, state, null);
            bool certified = consistent && Certified(beta);
            if (certified && double.IsPositiveInfinity(endTime) && stopDistance == 0 && nextOut == times.Length)
                return Finish(KrylovStatus.Converged, double.PositiveInfinity, (double[])_cstar.Clone(), (double[])_cstar.Clone());
            if (t >= endTime) return Finish(KrylovStatus.ReachedEnd, t, state, null);
            double remaining = endTime - t;
            if (beta == 0)
            {
                // At rest on c*_σ: nothing moves any more.
                while (nextOut < times.Length) Output((double[])state.Clone());
                return double.IsPositiveInfinity(endTime)
                    ? Finish(KrylovStatus.Converged, double.PositiveInfinity, state, (double[])state.Clone())
                    : Finish(KrylovStatus.ReachedEnd, endTime, state, null);
            }

            if (!BuildStep(beta, remaining, sliding, certified, lastEventStep, modes, out double tau, out int evUnit, out int evFn, out double err, ref inverse))
                return Finish(KrylovStatus.Failed, t, state, null);
            steps++;
            errSum += err;
            if (steps > maxSteps) return Finish(KrylovStatus.StepLimit, t, state, null);

            // Distance stop inside the step (first time the model's ‖u‖∞ reaches the target; bisection assumes it decreases there).
            if (consistent && stopDistance > 0)
            {
                double hi = tau;
                if (double.IsPositiveInfinity(hi))
                {
                    hi = 1 / _theta[_k - 1];
                    while (ModelDistance(hi) > stopDistance) hi *= 2;
                }
                if (ModelDistance(hi) <= stopDistance)
                {
                    double lo = 0;
                    for (int it = 0; it < 200 && hi - lo > 1e-14 * hi; it++)
                    {
                        double mid = 0.5 * (lo + hi);
                        if (ModelDistance(mid) <= stopDistance) hi = mid; else lo = mid;
                    }
                    while (nextOut < times.Length && times[nextOut] <= t + hi) Output(ModelState(times[nextOut] - t));
                    ModelStateInto(hi, state);
                    return Finish(KrylovStatus.ReachedDistance, t + hi, state, null);
                }
            }
            while (nextOut < times.Length && times[nextOut] <= t + tau) Output(ModelState(times[nextOut] - t));
            if (double.IsPositiveInfinity(tau))
            {
                // Exact basis and no switch on [0, ∞): the limit is c*_σ.
                return double.IsPositiveInfinity(endTime)
                    ? Finish(KrylovStatus.Converged, double.PositiveInfinity, (double[])_cstar.Clone(), (double[])_cstar.Clone())
                    : Finish(KrylovStatus.ReachedEnd, endTime, ModelState(endTime - t), null);
            }
            ModelStateInto(tau, state);
            t = evUnit < 0 && tau == remaining ? endTime : t + tau;
            if (evUnit < 0) { lastEventStep = 0; continue; }

            lastEventStep = tau;
            int pj = _pos[evUnit];
            state[pj] = 0.0;
            if (evFn == 0)
            {
                var old = modes[evUnit];
                _eq.SurfaceForces(state, modes, evUnit, out double f0, out double f1);
                var (mode, kind) = Classify(f0, f1, old);
                modes[evUnit] = mode;
                AddEvent(Event(t, evUnit, kind, mode));
            }
            else
            {
                var mode = evFn == 1 ? UnitMode.Inactive : UnitMode.Active;
                modes[evUnit] = mode;
                AddEvent(Event(t, evUnit, HeatEventKind.SlideExit, mode));
            }
            dirty = true;
            if (events.Count >= maxEvents) return Finish(KrylovStatus.EventLimit, t, state, null);
        }
    }

    /// <summary>No unit can change side: |z_j(τ) − c*_j| ≤ ‖u(τ)‖₂ ≤ ‖u(0)‖₂ = β, since exp(−τM) is a contraction.</summary>
    private bool Certified(double beta)
    {
        double margin = beta * (1 + 1e-12) + Band;
        for (int k = 0; k < _units; k++)
            if (Math.Abs(_cstar[_pos[k]]) <= margin) return false;
        return true;
    }

    /// <summary>
    /// Builds the basis from u = _u (norm β) until the error horizon covers <paramref name="remaining"/>, an event is found inside it,
    /// or the basis is full; returns the step τ, the event (unit, function; −1 when none) and the error bound of the step.
    /// </summary>
    private bool BuildStep(double beta, double remaining, bool sliding, bool certified, double lastEventStep, UnitMode[] modes,
        out double tau, out int evUnit, out int evFn, out double err, ref long inverse)
    {
        int n = _n;
        tau = 0; evUnit = -1; evFn = 0; err = 0;
        var v0 = _v.AsSpan(0, n);
        for (int i = 0; i < n; i++) v0[i] = _u[i] / beta;
        if (sliding) SlidingBaseForces(modes);
        ApplyBasis(0, sliding);
        _k = 1;
        _t[0] = Numerics.Dot(v0, _mv.AsSpan(0, n));
        int lastPoly = 0, lastInv = 0, nPoly = 0, nInv = 0, checkedAt = -1;
        bool useInv = _sweeps is not null, polyBreak = false;
        while (true)
        {
            int k = _k;
            if (checkedAt != k && (k % _checkEvery == 0 || k == _kmax || polyBreak))
            {
                checkedAt = k;
                // Residual direction r = (I − VVᵀ) M v_lastPoly: (I − VVᵀ) M V = r̂ cᵀ (rank one), c_i = r̂ · M v_i.
                var r = _tmp.AsSpan();
                _mv.AsSpan(lastPoly * n, n).CopyTo(r);
                double before = Numerics.Norm2(r);
                Orthogonalize(r, k);
                double rho = Numerics.Norm2(r);
                if (rho <= 1e-12 * before) polyBreak = true;
                for (int i = 0; i < k; i++) _c[i] = polyBreak ? 0 : Numerics.Dot(r, _mv.AsSpan(i * n, n)) / rho;
                for (int i = 0; i < k; i++)
                    for (int j = 0; j < k; j++) _tw[i * k + j] = 0.5 * (_t[i * _kmax + j] + _t[j * _kmax + i]);
                if (!SymmetricEigen.Jacobi(_tw, _q, _theta, k) || !(_theta[0] > 0)) return false;
                for (int j = 0; j < k; j++)
                {
                    _w[j] = beta * _q[j];
                    double s = 0;
                    for (int i = 0; i < k; i++) s += _c[i] * _q[i * k + j];
                    _p[j] = s * _w[j];
                }
                double tauOk = polyBreak ? double.PositiveInfinity : ErrorHorizon(k);
                double horizon = Math.Min(tauOk, remaining);
                bool final = tauOk >= remaining || k == _kmax || polyBreak;
                bool scan = !certified && (final || (lastEventStep > 0 && tauOk >= 2 * lastEventStep));
                if (scan)
                {
                    var (te, u, fn) = Scan(k, horizon, modes);
                    if (te <= horizon)
                    {
                        tau = te; evUnit = u; evFn = fn;
                        err = ErrorIntegral(k, te);
                        return true;
                    }
                }
                if (final)
                {
                    tau = horizon;
                    err = double.IsPositiveInfinity(horizon) ? (polyBreak ? 0 : ErrorIntegral(k, double.PositiveInfinity)) : ErrorIntegral(k, horizon);
                    return true;
                }
                if (!useInv)
                {
                    // The residual direction is the next polynomial vector: reuse it.
                    Append(r, rho, k, sliding);
                    lastPoly = k;
                    nPoly++;
                    continue;
                }
            }
            if (_k == _kmax) { checkedAt = -1; continue; }
            bool inv = useInv && nInv <= nPoly;
            var wv = _tmp.AsSpan();
            if (inv)
            {
                _sweeps!.InverseLaplacian(_v.AsSpan(lastInv * n, n), wv, _edgeWork, _eq.Alpha);
                if (sliding) ConstrainToSliding(wv);
                inverse++;
            }
            else
            {
                _mv.AsSpan(lastPoly * n, n).CopyTo(wv);
            }
            double nb = Numerics.Norm2(wv);
            Orthogonalize(wv, k);
            double nw = Numerics.Norm2(wv);
            if (!double.IsFinite(nw)) return false;
            if (nw <= 1e-12 * nb)
            {
                if (inv) useInv = false; else polyBreak = true;
                checkedAt = -1;
                continue;
            }
            Append(wv, nw, k, sliding);
            if (inv) { lastInv = k; nInv++; } else { lastPoly = k; nPoly++; }
        }
    }

    /// <summary>Appends w/‖w‖ as basis vector k, its image under M and the new row/column of T = VᵀMV.</summary>
    private void Append(ReadOnlySpan<double> w, double norm, int k, bool sliding)
    {
        int n = _n;
        var vk = _v.AsSpan(k * n, n);
        for (int i = 0; i < n; i++) vk[i] = w[i] / norm;
        ApplyBasis(k, sliding);
        var mvk = _mv.AsSpan(k * n, n);
        for (int i = 0; i <= k; i++)
        {
            double s = Numerics.Dot(_v.AsSpan(i * n, n), mvk);
            _t[i * _kmax + k] = s;
            _t[k * _kmax + i] = s;
        }
        _k = k + 1;
    }

    /// <summary>Two passes of Gram–Schmidt against the first k basis vectors (full reorthogonalisation).</summary>
    private void Orthogonalize(Span<double> w, int k)
    {
        int n = _n;
        for (int pass = 0; pass < 2; pass++)
            for (int i = 0; i < k; i++)
            {
                var vi = _v.AsSpan(i * n, n);
                Numerics.Axpy(-Numerics.Dot(vi, w), vi, w);
            }
    }

    /// <summary>|ψ(s)| = ‖residual of the model at s‖ = |Σ_j p_j e^{−θ_j s}|.</summary>
    private double Psi(int k, double s)
    {
        double v = 0;
        for (int j = 0; j < k; j++) v += _p[j] * Math.Exp(-_theta[j] * s);
        return Math.Abs(v);
    }

    /// <summary>∫₀^τ |ψ| on a geometric grid (trapezoid) plus a rigorous tail bound beyond it.</summary>
    private double ErrorIntegral(int k, double tau)
    {
        double sumAbs = 0;
        for (int j = 0; j < k; j++) sumAbs += Math.Abs(_p[j]);
        if (sumAbs == 0 || tau == 0) return 0;
        double s0 = 1e-9 / _theta[k - 1], sEnd = 60 / _theta[0];
        double f0 = Psi(k, 0);
        if (tau <= s0) return 0.5 * (f0 + Psi(k, tau)) * tau;
        double prev = s0, fPrev = Psi(k, s0);
        double integral = 0.5 * (f0 + fPrev) * s0;
        for (double s = s0 * 1.1; ; s *= 1.1)
        {
            double sc = Math.Min(s, Math.Min(tau, sEnd));
            double f = Psi(k, sc);
            integral += 0.5 * (f + fPrev) * (sc - prev);
            prev = sc;
            fPrev = f;
            if (sc >= tau) return integral;
            if (sc >= sEnd) break;
        }
        for (int j = 0; j < k; j++) integral += Math.Abs(_p[j]) * Math.Exp(-_theta[j] * sEnd) / _theta[j];
        return integral;
    }

    /// <summary>The largest grid time τ with ∫₀^τ |ψ| ≤ tolerance (+∞ when the whole integral is below it).</summary>
    private double ErrorHorizon(int k)
    {
        double sumAbs = 0;
        for (int j = 0; j < k; j++) sumAbs += Math.Abs(_p[j]);
        if (sumAbs == 0) return double.PositiveInfinity;
        double tol = Tolerance;
        double s0 = 1e-9 / _theta[k - 1], sEnd = 60 / _theta[0];
        double prev = s0, fPrev = Psi(k, s0);
        // ψ(0) = β c₀ vanishes once M v₀ lies in the basis; the trapezoid from 0 keeps that cancellation (a |p|-sum would not).
        double integral = 0.5 * (Psi(k, 0) + fPrev) * s0;
        if (integral > tol) return s0 * tol / integral;
        for (double s = s0 * 1.1; ; s *= 1.1)
        {
            double sc = Math.Min(s, sEnd);
            double f = Psi(k, sc);
            double add = 0.5 * (f + fPrev) * (sc - prev);
            if (integral + add > tol) return prev;
            integral += add;
            prev = sc;
            fPrev = f;
            if (sc >= sEnd) break;
        }
        double tail = 0;
        for (int j = 0; j < k; j++) tail += Math.Abs(_p[j]) * Math.Exp(-_theta[j] * sEnd) / _theta[j];
        return integral + tail <= tol ? double.PositiveInfinity : sEnd;
    }

    /// <summary>The earliest switching time in [0, horizon] over all units (+∞ when none): (time, unit, function).</summary>
    private (double Time, int Unit, int Fn) Scan(int k, double horizon, UnitMode[] modes)
    {
        int n = _n;
        double best = double.PositiveInfinity, beta = 0;
        int bestUnit = -1, bestFn = 0;
        for (int j = 0; j < k; j++) beta += _w[j] * _w[j];
        beta = Math.Sqrt(beta);
        var theta = _theta.AsSpan(0, k);
        var a = _a.AsSpan(0, k);
        var groups = _groups.AsSpan(0, k + 1);
        bool anySliding = false;
        for (int u = 0; u < _units; u++)
        {
            if (modes[u] == UnitMode.Sliding) { anySliding = true; continue; }
            int p = _pos[u];
            double sign = modes[u] == UnitMode.Active ? -1 : 1;
            double gStar = _cstar[p];
            // |z(τ) − c*| ≤ ‖ũ(τ)‖₂ ≤ β: a unit that far on its own side never switches.
            double far = -sign * gStar;
            if (far > beta * (1 + 1e-12) + Band * (1 + Math.Abs(gStar) + beta)) continue;
            for (int j = 0; j < k; j++) a[j] = 0;
            for (int i = 0; i < k; i++)
            {
                double vip = _v[i * n + p];
                if (vip == 0) continue;
                int row = i * k;
                for (int j = 0; j < k; j++) a[j] += vip * _q[row + j];
            }
            for (int j = 0; j < k; j++) a[j] *= _w[j];
            double limit = Math.Min(best, horizon);
            double r = EarliestSwitch(sign, gStar, a, theta, groups, limit);
            if (r < best && r <= horizon) { best = r; bestUnit = u; bestFn = 0; }
        }
        if (anySliding)
        {
            SlidingRows(k, modes);
            for (int u = 0; u < _units; u++)
            {
                if (modes[u] != UnitMode.Sliding) continue;
                for (int fn = 0; fn < 2; fn++)
                {
                    var row = _slide.AsSpan((u * 2 + fn) * _kmax, k);
                    for (int j = 0; j < k; j++) a[j] = row[j] * _w[j];
                    // fn 0: w_j > 0 must stay positive (h = −w_j); fn 1: w_j + a_j < 0 must stay negative (h = w_j + a_j).
                    double sign = fn == 0 ? -1 : 1;
                    double r = EarliestSwitch(sign, _slideConst[u * 2 + fn], a, theta, groups, Math.Min(best, horizon));
                    if (r < best && r <= horizon) { best = r; bestUnit = u; bestFn = fn + 1; }
                }
            }
        }
        return (best, bestUnit, bestFn);
    }

    /// <summary>
    /// Earliest τ ≤ <paramref name="horizon"/> where h = sign·(g* + Σ a_j e^{−θ_j τ}) reaches 0 from below, or +∞. Safe steps
    /// τ ← τ + (−h)/D(τ), with D(τ) = Σ|a_j θ_j| e^{−θ_j τ} ≥ |h'| on [τ, ∞), exclude roots rigorously and cheaply; a unit that
    /// starts in the hysteresis band or creeps towards 0 is handed to <see cref="ExponentialSum.EarliestRise"/>.
    /// </summary>
    private static double EarliestSwitch(double sign, double gStar, ReadOnlySpan<double> a, ReadOnlySpan<double> theta, ReadOnlySpan<int> groups, double horizon)
    {
        double sumAbs = 0;
        foreach (double v in a) sumAbs += Math.Abs(v);
        double band = Band * (1 + Math.Abs(gStar) + sumAbs);
        double far = -sign * gStar;
        if (far - sumAbs > band) return double.PositiveInfinity;
        double m = -ExponentialSum.Evaluate(sign, gStar, a, theta, 0);
        double tau = 0;
        if (m <= 100 * band && m >= -band)
        {
            // Just switched (h(0) ≈ 0): if h' (0) < 0, h ≤ h(0) + h'(0)τ + ½D₂τ² (D₂ = Σ|a_j|θ_j²) keeps h below −|h'(0)|²/(2D₂) + band
            // on (0, τ₁], τ₁ = |h'(0)|/D₂: no root there (the hysteresis of EarliestRise allows the same), so safe steps start at τ₁.
            double d1 = 0, d2 = 0;
            for (int j = 0; j < a.Length; j++)
            {
                d1 -= sign * a[j] * theta[j];
                d2 += Math.Abs(a[j]) * theta[j] * theta[j];
            }
            if (d1 < 0 && d2 > 0)
            {
                double t1 = -d1 / d2;
                double m1 = -ExponentialSum.Evaluate(sign, gStar, a, theta, t1);
                if (m1 > 100 * band && -d1 * -d1 / (2 * d2) > 2 * band) { tau = t1; m = m1; }
            }
        }
        if (m > 100 * band)
        {
            for (int it = 0; it < 48; it++)
            {
                double d = 0, tail = 0;
                for (int j = 0; j < a.Length; j++)
                {
                    double e = Math.Abs(a[j]) * Math.Exp(-theta[j] * tau);
                    tail += e;
                    d += e * theta[j];
                }
                if (far - tail > band || d == 0) return double.PositiveInfinity;
                double next = tau + m / d;
                if (next > horizon) return double.PositiveInfinity;
                double mn = -ExponentialSum.Evaluate(sign, gStar, a, theta, next);
                tau = next;
                m = mn;
                if (m <= 100 * band) break;
            }
        }
        return ExponentialSum.EarliestRise(sign, gStar, a, theta, groups, horizon);
    }

    /// <summary>
    /// Constant parts (at c*) and Ritz-vector coefficients of the surface forces w_j (θ_j = 0) and w_j + a_j (θ_j = 1) of sliding
    /// units, combined from the raw forces of the basis vectors (<see cref="ApplyBasis"/>): linear, so no extra evaluations.
    /// </summary>
    private void SlidingRows(int k, UnitMode[] modes)
    {
        int n = _n;
        _eq.Force(_cstar, _asInactive, _tmp2);
        for (int u = 0; u < _units; u++)
            if (modes[u] == UnitMode.Sliding) _slideConst[u * 2] = _tmp2[_pos[u]];
        _eq.Force(_cstar, _asActive, _tmp2);
        for (int u = 0; u < _units; u++)
            if (modes[u] == UnitMode.Sliding) _slideConst[u * 2 + 1] = _tmp2[_pos[u]];
        for (int u = 0; u < _units; u++)
        {
            if (modes[u] != UnitMode.Sliding) continue;
            int p = _pos[u];
            for (int j = 0; j < k; j++)
            {
                double s0 = 0, s1 = 0;
                for (int i = 0; i < k; i++)
                {
                    s0 += _q[i * k + j] * _fInactive[i * n + p];
                    s1 += _q[i * k + j] * _fActive[i * n + p];
                }
                _slide[(u * 2) * _kmax + j] = s0;
                _slide[(u * 2 + 1) * _kmax + j] = s1;
            }
        }
    }

    /// <summary>
    /// Modes that read sliding units as inactive / active without zeroing their force, and the forces at 0 (the affine part). With z_S = 0
    /// every ReLU residual is independent of θ_S and masks are diagonal, so one evaluation gives every sliding unit's w (or w + a) at once.
    /// </summary>
    private void SlidingBaseForces(UnitMode[] modes)
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
    /// M v_i into the basis images. With sliding units, one evaluation with S read as inactive (not zeroed) gives both M v_i (off S) and
    /// the linear part of every sliding unit's w_j; w_j + a_j adds α·(ReLU residual) = α·v[head of its ReLU row] (z_j = 0, diagonal
    /// masks), or costs a second evaluation when that structure is not known.
    /// </summary>
    private void ApplyBasis(int i, bool sliding)
    {
        int n = _n;
        var v = _v.AsSpan(i * n, n);
        var mv = _mv.AsSpan(i * n, n);
        if (!sliding)
        {
            _op.Apply(v, mv);
            return;
        }
        var fi = _fInactive.AsSpan(i * n, n);
        var fa = _fActive.AsSpan(i * n, n);
        _eq.Force(v, _asInactive, fi);
        _ownProducts++;
        for (int j = 0; j < n; j++)
        {
            fi[j] -= _f0Inactive[j];
            mv[j] = -fi[j];
        }
        for (int u = 0; u < _units; u++)
            if (_asInactive[u] != _op.Modes[u]) mv[_pos[u]] = 0;
        if (_headsKnown)
        {
            double alpha = _eq.Alpha;
            for (int u = 0; u < _units; u++)
            {
                if (_asInactive[u] == _op.Modes[u]) continue;
                int h = _maskHead[u];
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
    /// For a pattern with sliding set S: Z = L⁻¹E_S (|S| sweep pairs), from scratch; with the Schur complement C = E_Sᵀ L⁻¹ E_S (SPD,
    /// <see cref="FactorSchur"/>) the principal-submatrix problems L[F,F] x_F = v_F become exact bordered solves. Returns sweeps used.
    /// </summary>
    private int PrepareSliding(UnitMode[] modes)
    {
        int n = _n, s = 0;
        for (int u = 0; u < _units; u++) if (modes[u] == UnitMode.Sliding) s++;
        _nSlide = 0;
        EnsureSlidingCapacity(s);
        _nSlide = s;
        for (int u = 0, i = 0; u < _units; u++) if (modes[u] == UnitMode.Sliding) _slidePos[i++] = _pos[u];
        for (int i = 0; i < s; i++)
        {
            var e = _tmp2.AsSpan();
            e.Clear();
            e[_slidePos[i]] = 1.0;
            _sweeps!.InverseLaplacian(e, _z.AsSpan(i * n, n), _edgeWork, 1.0);
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
    private void EnsureSlidingCapacity(int s)
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
        if (delta != 0 && _nSlide > 0 && _maskColumn[unit] >= 0)
        {
            var er = _edgeWork2.AsSpan();
            er.Clear();
            er[_maskRow[unit]] = 1.0;
            _sweeps!.Forward(er, _g);
            var ec = _tmp2.AsSpan();
            ec.Clear();
            ec[_maskColumn[unit]] = 1.0;
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
        EnsureSlidingCapacity(_nSlide + 1);
        int i = _nSlide++;
        _slidePos[i] = _pos[unit];
        var e = _tmp2.AsSpan();
        e.Clear();
        e[_pos[unit]] = 1.0;
        _sweeps!.InverseLaplacian(e, _z.AsSpan(i * n, n), _edgeWork, 1.0);
        return 1;
    }

    /// <summary>x ← x + Z λ with C λ = −x_S: turns L⁻¹ v (or the unconstrained c*) into the solution with x_S = 0.</summary>
    private void ConstrainToSliding(Span<double> x)
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

    /// <summary>‖ũ(τ)‖∞ of the current model.</summary>
    private double ModelDistance(double tau)
    {
        ModelDisplacement(tau, _tmp2);
        return Numerics.MaxAbs(_tmp2);
    }

    private double[] ModelState(double tau)
    {
        var s = new double[_n];
        ModelStateInto(tau, s);
        return s;
    }

    /// <summary>state = c* + ũ(τ).</summary>
    private void ModelStateInto(double tau, Span<double> state)
    {
        ModelDisplacement(tau, _tmp2);
        for (int i = 0; i < _n; i++) state[i] = _cstar[i] + _tmp2[i];
    }

    /// <summary>ũ(τ) = V Q e^{−Θτ} w.</summary>
    private void ModelDisplacement(double tau, Span<double> result)
    {
        int k = _k, n = _n;
        for (int j = 0; j < k; j++) _x[j] = _w[j] * Math.Exp(-_theta[j] * tau);
        result.Clear();
        for (int i = 0; i < k; i++)
        {
            double s = 0;
            for (int j = 0; j < k; j++) s += _q[i * k + j] * _x[j];
            if (s != 0) Numerics.Axpy(s, _v.AsSpan(i * n, n), result);
        }
    }

    /// <summary>c*: conjugate gradients on M x = f(0) from the current state (sliding coordinates stay 0). Returns iterations, −1 on failure.</summary>
    private int ConjugateGradients(ReadOnlySpan<double> start, Span<double> x)
    {
        int n = _n;
        start.CopyTo(x);
        var f0 = _op.ConstantForce;
        var r = _u.AsSpan();
        var p = _tmp.AsSpan();
        var ap = _tmp2.AsSpan();
        _op.Apply(x, ap);
        for (int i = 0; i < n; i++) r[i] = f0[i] - ap[i];
        for (int u = 0; u < _units; u++)
            if (_op.Modes[u] == UnitMode.Sliding) { x[_pos[u]] = 0; r[_pos[u]] = 0; }
        r.CopyTo(p);
        double rr = Numerics.Dot(r, r), target = 1e-28 * Math.Max(Numerics.Dot(f0, f0), 1e-300);
        int maxIt = Math.Max(100, 50 * n);
        for (int it = 0; it < maxIt; it++)
        {
            if (rr <= target) return it;
            _op.Apply(p, ap);
            double pap = Numerics.Dot(p, ap);
            if (!(pap > 0)) return rr <= 1e6 * target ? it : -1;
            double alpha = rr / pap;
            Numerics.Axpy(alpha, p, x);
            Numerics.Axpy(-alpha, ap, r);
            double rrNew = Numerics.Dot(r, r);
            double b = rrNew / rr;
            rr = rrNew;
            for (int i = 0; i < n; i++) p[i] = r[i] + b * p[i];
        }
        return -1;
    }

    /// <summary>New mode at a surface point from the inactive (w) and active (w + a) z-forces; <paramref name="old"/> tells the side it came from.</summary>
    private static (UnitMode Mode, HeatEventKind Kind) Classify(double f0, double f1, UnitMode old)
    {
        if (f0 > 0 && f1 < 0) return (UnitMode.Sliding, HeatEventKind.SlideEnter);
        if (f0 < 0 && f1 > 0) return (UnitMode.Active, HeatEventKind.Repelling);
        if (f0 >= 0 && f1 >= 0) return (UnitMode.Active, old == UnitMode.Inactive ? HeatEventKind.CrossUp : HeatEventKind.Graze);
        return (UnitMode.Inactive, old == UnitMode.Active ? HeatEventKind.CrossDown : HeatEventKind.Graze);
    }

    private HeatEvent Event(double t, int unit, HeatEventKind kind, UnitMode mode)
    {
        int j = _switchCoords[unit];
        return new HeatEvent(t, j, _eq.Sheaf.CoordinateName(j), kind, mode);
    }
}

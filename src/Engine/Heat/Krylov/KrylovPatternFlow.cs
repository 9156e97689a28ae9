using ResidualSheaf.Engine.LinearAlgebra;

namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// The Krylov flow of one mode set for <see cref="PiecewiseDriver"/>: c(τ) = c* + exp(−τM)(c(0) − c*) with M = αL(σ)[F,F], c* by
/// the exact sweeps (<see cref="SlidingConstraint"/> for the sliding set) or conjugate gradients, exp(−τM)u on an extended Krylov
/// basis (<see cref="KrylovBasis"/>) grown until its error bound (<see cref="KrylovErrorBound"/>) covers the step or a switch is
/// found in it (<see cref="KrylovSwitchSearch"/>). A piece is one such step; its search is cut at the remaining time. Lives as long
/// as its integrator (the sliding columns carry over between runs); allocation-free while stepping.
/// </summary>
internal sealed class KrylovPatternFlow : IPatternFlow
{
    /// <summary>A piece with τ·θ_max below this is short: the next basis starts with <see cref="PolynomialLead"/> polynomial vectors.</summary>
    private const double ShortPiece = 30;

    /// <summary>Polynomial vectors before the first inverse one after a short piece.</summary>
    private const int PolynomialLead = 12;

    private readonly HeatEquation _eq;
    private readonly FreeLaplacianOperator _op;
    private readonly UnitriangularSweeps? _sweeps;
    private readonly SlidingConstraint? _constraint;
    private readonly KrylovSlidingForces _forces;
    private readonly KrylovBasis _basis;
    private readonly KrylovSwitchSearch _search;
    private readonly KrylovBasisSizer _sizer;
    private ConjugateGradient? _cg;
    private readonly int _n;
    private readonly int _units;
    private readonly int[] _pos;
    private readonly int _kmax;
    private readonly double _tolerance;
    private readonly double[] _cstar;
    private readonly double[] _u;
    private readonly double[] _tmp;
    private readonly double[] _display;
    private readonly double[] _edgeWork;
    private readonly int[] _slidingPositions;
    private UnitMode[] _modes = [];
    private int _nSliding;
    private bool _sliding;
    private double _beta;
    private double _lastEventStep;

    /// <summary>
    /// A flow whose pieces build <paramref name="kmin"/> to <paramref name="kmax"/> basis vectors (<see cref="KrylovBasisSizer"/>);
    /// <paramref name="tolerance"/> bounds each piece's error, the bound is evaluated every <paramref name="checkEvery"/> vectors
    /// (spaced wider in large bases); the basis's dense kernels run on <paramref name="team"/>.
    /// </summary>
    public KrylovPatternFlow(HeatEquation equation, UnitriangularSweeps? sweeps, int kmin, int kmax, double tolerance, int checkEvery, KernelTeam team)
    {
        _eq = equation;
        _op = new FreeLaplacianOperator(equation);
        _sweeps = sweeps;
        _n = equation.FreeDimension;
        _units = equation.SwitchingCount;
        _pos = [.. equation.SwitchingFreeIndices];
        _sizer = new KrylovBasisSizer(kmin, kmax, checkEvery);
        _kmax = kmax;
        _tolerance = tolerance;
        var mask = new UnitMaskEntries(equation);
        if (sweeps is not null) _constraint = new SlidingConstraint(equation, sweeps, mask);
        _forces = new KrylovSlidingForces(equation, _op, mask, kmax);
        _basis = new KrylovBasis(_n, kmax, _forces, _pos, team);
        _search = new KrylovSwitchSearch(equation, kmax, team);
        _cstar = new double[_n];
        _u = new double[_n];
        _tmp = new double[_n];
        _display = new double[_n];
        _edgeWork = new double[equation.Sheaf.EdgeDimension];
        _slidingPositions = new int[_units];
    }

    /// <summary>Products with M so far (operator and basis images), over the flow's lifetime.</summary>
    public long Products => _op.Products + _forces.Products;

    /// <summary>Products with M⁻¹ (sweep pairs) in the current run.</summary>
    public long InverseProducts { get; private set; }

    /// <summary>Conjugate-gradient iterations in the current run.</summary>
    public long CgIterations { get; private set; }

    /// <summary>Sum of the steps' error bounds in the current run.</summary>
    public double ErrorSum { get; private set; }

    /// <summary>Largest basis a piece of the current run used.</summary>
    public int LargestBasis { get; private set; }

    /// <summary>Basis vectors summed over the pieces of the current run.</summary>
    public long BasisVectors { get; private set; }

    public bool SearchCutAtEndTime => true;

    public bool CapBeforeSwitch => false;

    public double StartDistance { get; private set; }

    public bool Consistent { get; private set; }

    public bool CertifiedFinal { get; private set; }

    public bool AtRest => _beta == 0;

    public double FastestRate => _basis.RitzValues[_basis.Count - 1];

    /// <summary>Resets the per-run counters.</summary>
    public void BeginRun()
    {
        InverseProducts = 0;
        CgIterations = 0;
        ErrorSum = 0;
        LargestBasis = 0;
        BasisVectors = 0;
        _lastEventStep = 0;
    }

    /// <summary>A piece ended on <paramref name="k"/> vectors: the run's basis statistics.</summary>
    private void EndPiece(int k)
    {
        LargestBasis = Math.Max(LargestBasis, k);
        BasisVectors += k;
    }

    public bool Prepare(UnitMode[] modes, double[] state)
    {
        _modes = modes;
        _sliding = false;
        _nSliding = 0;
        for (int k = 0; k < _units; k++)
            if (modes[k] == UnitMode.Sliding)
            {
                _sliding = true;
                _slidingPositions[_nSliding++] = _pos[k];
            }
        _op.SetModes(modes);
        if (_constraint is not null)
        {
            InverseProducts += _constraint.SetPattern(modes, _sliding, _cstar);
        }
        else
        {
            // c*: conjugate gradients on M x = f(0) from the current state (sliding coordinates stay 0).
            // Only problems without exact sweeps need CG; the others do not carry its three work vectors.
            _cg ??= new ConjugateGradient(_n);
            int it = _cg.Solve(_op, _op.ConstantForce, state, _cstar, _slidingPositions.AsSpan(0, _nSliding));
            if (it < 0) return false;
            CgIterations += it;
        }
        bool consistent = !_sliding;
        for (int k = 0; k < _units && consistent; k++)
            consistent = modes[k] == UnitMode.Active ? _cstar[_pos[k]] >= 0 : _cstar[_pos[k]] < 0;
        Consistent = consistent;
        return true;
    }

    public bool Start(double t, double[] state)
    {
        int n = _n;
        for (int i = 0; i < n; i++) _u[i] = state[i] - _cstar[i];
        _beta = Numerics.Norm2(_u);
        StartDistance = Numerics.MaxAbs(_u);
        if (!double.IsFinite(_beta)) return false;
        CertifiedFinal = Consistent && _search.Certified(_cstar, _beta);
        return true;
    }

    public bool NextSwitch(double remaining, out double tau, out int unit, out SwitchFunction function)
    {
        if (!BuildStep(remaining, out tau, out unit, out function, out double err)) return false;
        ErrorSum += err;
        _lastEventStep = unit < 0 ? 0 : tau;
        return true;
    }

    /// <summary>state = c* + ũ(τ).</summary>
    public void StateAt(double tau, double[] result)
    {
        _basis.Displacement(tau, _display);
        for (int i = 0; i < _n; i++) result[i] = _cstar[i] + _display[i];
    }

    /// <summary>‖ũ(τ)‖∞ of the current model.</summary>
    public double DistanceAt(double tau)
    {
        _basis.Displacement(tau, _display);
        return Numerics.MaxAbs(_display);
    }

    public double[] Limit() => (double[])_cstar.Clone();

    /// <summary>
    /// Builds the basis from u = c − c* (norm β) until the error horizon covers <paramref name="remaining"/>, an event is found inside
    /// it, or the basis is full; returns the step τ, the event (unit −1 when none) and the error bound of the step.
    /// </summary>
    private bool BuildStep(double remaining, out double tau, out int evUnit, out SwitchFunction evFn, out double err)
    {
        int n = _n;
        double beta = _beta;
        bool sliding = _sliding, certified = CertifiedFinal;
        double lastEventStep = _lastEventStep;
        var modes = _modes;
        var basis = _basis;
        int kmax = _kmax;
        _sizer.BeginPiece();
        tau = 0; evUnit = -1; evFn = SwitchFunction.Crossing; err = 0;
        // After a short piece (τ·θ_max small) the next one is likely short too: there exp(−τM)u is a low-degree polynomial in M, so
        // the first vectors are polynomial ones (one product each, against two for an inverse vector and its image); the inverse
        // part joins only if the piece turns out long.
        int polyLead = _sweeps is not null && lastEventStep > 0 && basis.Count > 0 && lastEventStep * FastestRate < ShortPiece ? PolynomialLead : 0;
        if (sliding) _forces.Begin(modes);
        basis.Append(_u, beta, 0, sliding);
        int lastPoly = 0, lastInv = 0, nPoly = 0, nInv = 0, checkedAt = -1;
        // The residual direction of a check is (I − VVᵀ) M v_lastPoly on the current k vectors, which is exactly the next polynomial
        // vector before its normalisation: when that vector comes next it is taken from the check (held in _tmp) instead of
        // being orthogonalised a second time. residualAt is the basis size it was computed for (−1: none held).
        int residualAt = -1;
        double residualBefore = 0, residualNorm = 0;
        bool useInv = _sweeps is not null, polyBreak = false;
        while (true)
        {
            int k = basis.Count;
            if (checkedAt != k && (_sizer.IsCheck(k) || k == kmax || polyBreak))
            {
                checkedAt = k;
                // Residual direction r = (I − VVᵀ) M v_lastPoly: (I − VVᵀ) M V = r̂ cᵀ (rank one), c_i = r̂ · M v_i.
                var r = _tmp;
                basis.Image(lastPoly).CopyTo(r);
                double before = Numerics.Norm2(r);
                basis.Orthogonalize(r, k);
                double rho = Numerics.Norm2(r);
                residualAt = k;
                residualBefore = before;
                residualNorm = rho;
                if (rho <= 1e-12 * before) polyBreak = true;
                if (!basis.Fit(k, beta, r, rho, polyBreak)) return false;
                var p = basis.Residual(k);
                var theta = basis.Theta(k);
                double tauOk = polyBreak ? double.PositiveInfinity : KrylovErrorBound.Horizon(p, theta, _tolerance);
                double horizon = Math.Min(tauOk, remaining);
                // k == kmax makes the sizer say enough; below it, enough when growing the basis no longer pays.
                bool final = _sizer.Enough(k, tauOk) || tauOk >= remaining || polyBreak;
                // Beyond the minimum a switch inside the horizon ends the piece before the basis grows further (with a fixed size the
                // minimum is the size, where the piece is final anyway).
                bool scan = !certified && (final || (lastEventStep > 0 && tauOk >= 2 * lastEventStep) || k >= _sizer.Min);
                if (scan)
                {
                    var (te, u, fn) = _search.Scan(basis, k, horizon, modes, _cstar, _forces);
                    if (te <= horizon)
                    {
                        EndPiece(k);
                        tau = te; evUnit = u; evFn = fn;
                        err = KrylovErrorBound.Integral(p, theta, te);
                        return true;
                    }
                }
                if (final)
                {
                    EndPiece(k);
                    tau = horizon;
                    err = double.IsPositiveInfinity(horizon)
                        ? (polyBreak ? 0 : KrylovErrorBound.Integral(p, theta, double.PositiveInfinity))
                        : KrylovErrorBound.Integral(p, theta, horizon);
                    return true;
                }
                if (!useInv)
                {
                    // The residual direction is the next polynomial vector: reuse it.
                    basis.Append(r, rho, k, sliding);
                    lastPoly = k;
                    nPoly++;
                    continue;
                }
            }
            if (basis.Count == kmax) { checkedAt = -1; continue; }
            bool inv = useInv && nInv + polyLead <= nPoly;
            var wv = _tmp;
            double nb, nw;
            if (!inv && residualAt == k)
            {
                nb = residualBefore;
                nw = residualNorm;
            }
            else
            {
                if (inv)
                {
                    _sweeps!.InverseLaplacian(basis.Vector(lastInv), wv, _edgeWork, _eq.Alpha);
                    if (sliding) _constraint!.Constrain(wv);
                    InverseProducts++;
                }
                else
                {
                    basis.Image(lastPoly).CopyTo(wv);
                }
                nb = Numerics.Norm2(wv);
                basis.Orthogonalize(wv, k);
                nw = Numerics.Norm2(wv);
            }
            residualAt = -1;
            if (!double.IsFinite(nw)) return false;
            if (nw <= 1e-12 * nb)
            {
                if (inv) useInv = false; else polyBreak = true;
                checkedAt = -1;
                continue;
            }
            basis.Append(wv, nw, k, sliding);
            if (inv) { lastInv = k; nInv++; } else { lastPoly = k; nPoly++; }
        }
    }
}

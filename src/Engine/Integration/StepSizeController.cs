namespace ResidualSheaf.Engine.Integration;

/// <summary>What the controller decided about one step attempt.</summary>
internal enum StepVerdict
{
    /// <summary>Take the step.</summary>
    Accept,

    /// <summary>Retry from the same point with the smaller step the controller proposed.</summary>
    Reject,

    /// <summary>Give up: f, the state or the error estimate stayed non-finite.</summary>
    NonFinite,
}

/// <summary>
/// Step-size selection: Hairer's initial step, the PI (Hairer–Lubich) controller of DOPRI5 / DOP853 and the retreat from
/// non-finite attempts. Knows the stepper only through its error estimate, its orders and its controller constants.
/// </summary>
internal sealed class StepSizeController
{
    // A step sequence that keeps producing NaN/∞ after this many quartered retries is treated as a genuine blow-up.
    private const int MaxNonFiniteRetries = 40;

    private readonly Stepper _stepper;
    private readonly OdeOptions _options;
    private readonly double[] _hinitY;
    private readonly double[] _hinitF;
    private double _hAbs;
    private double _facOld = 1e-4;
    private bool _rejectedLast;
    private int _nonFinite;

    public StepSizeController(Stepper stepper, OdeOptions options, bool adaptive)
    {
        _stepper = stepper;
        _options = options;
        Adaptive = adaptive;
        _hinitY = new double[stepper.N];
        _hinitF = new double[stepper.N];
    }

    /// <summary>False for fixed-step methods and for adaptive methods run with <see cref="OdeOptions.Adaptive"/> = false.</summary>
    public bool Adaptive { get; }

    /// <summary>True when the last rejection was a non-finite attempt (so a collapsing step is reported as non-finite).</summary>
    public bool LastRejectNonFinite { get; private set; }

    /// <summary>Chooses the first step size (evaluates f once more for Hairer's heuristic unless a first step is given).</summary>
    public void Start(double direction, double span, double fixedStep)
    {
        _hAbs = Adaptive ? _options.FirstStep ?? InitialStep(direction, _options.MaxStep, span) : fixedStep;
    }

    /// <summary>|h| to attempt next: the proposal capped by the maximum step and the method's stability limit.</summary>
    public double NextStepSize() =>
        Adaptive ? Math.Min(_hAbs, Math.Min(_options.MaxStep, _stepper.StableStepLimit())) : _hAbs;

    /// <summary>True when an adaptive step has fallen below the resolution of t (10 ulp).</summary>
    public bool Underflows(double t, double hAbs)
    {
        double minStep = 10 * Math.Abs(Math.BitIncrement(Math.Abs(t)) - Math.Abs(t));
        return Adaptive && hAbs < minStep;
    }

    /// <summary>Called at the start of each accepted step's attempts: non-finite retries are counted per step.</summary>
    public void BeginStep() => _nonFinite = 0;

    /// <summary>The attempt of size <paramref name="h"/> produced NaN/∞: quarter the step, or give up.</summary>
    public StepVerdict OnNonFinite(double h)
    {
        if (!Adaptive || ++_nonFinite > MaxNonFiniteRetries)
        {
            return StepVerdict.NonFinite;
        }

        _rejectedLast = true;
        LastRejectNonFinite = true;
        _hAbs = 0.25 * Math.Abs(h);
        return StepVerdict.Reject;
    }

    /// <summary>Hairer's PI controller (DOPRI5 / DOP853 conventions) on the scaled error norm of an attempt of size <paramref name="h"/>.</summary>
    public StepVerdict OnError(double err, double h)
    {
        if (!Adaptive)
        {
            return StepVerdict.Accept;
        }

        double q = _stepper.ErrorOrder + 1;
        double beta = _stepper.Beta;
        double expo1 = (1.0 / q) - (0.75 * beta);
        double fac11 = Math.Pow(Math.Max(err, 1e-300), expo1);
        double safe = _stepper.Safety;
        double maxShrink = 1.0 / _stepper.MinFactor; // h/hnew ≤ this
        double maxGrow = 1.0 / _stepper.MaxFactor; // h/hnew ≥ this
        if (err <= 1.0)
        {
            double fac = fac11 / Math.Pow(_facOld, beta);
            fac = Math.Max(maxGrow, Math.Min(maxShrink, fac / safe));
            double hNew = Math.Abs(h) / fac;
            if (_rejectedLast)
            {
                // No growth straight after a rejection (Hairer): the rejected size was an overestimate.
                hNew = Math.Min(hNew, Math.Abs(h));
            }

            _facOld = Math.Max(err, 1e-4);
            _hAbs = hNew;
            _rejectedLast = false;
            return StepVerdict.Accept;
        }

        _rejectedLast = true;
        LastRejectNonFinite = false;
        _hAbs = Math.Abs(h) / Math.Min(maxShrink, fac11 / safe);
        return StepVerdict.Reject;
    }

    /// <summary>Hairer's initial step heuristic (as in HW I §II.4 and SciPy's select_initial_step); costs one evaluation.</summary>
    private double InitialStep(double direction, double maxStep, double span)
    {
        Stepper s = _stepper;
        s.EnsureF();
        int n = s.N;
        double[] y = s.Y, f = s.F, atol = s.Atol, rtol = s.Rtol;
        double d0 = 0, d1 = 0;
        for (int i = 0; i < n; i++)
        {
            double sc = atol[i] + (rtol[i] * Math.Abs(y[i]));
            d0 += (y[i] / sc) * (y[i] / sc);
            d1 += (f[i] / sc) * (f[i] / sc);
        }

        d0 = Math.Sqrt(d0 / n);
        d1 = Math.Sqrt(d1 / n);
        double h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
        h0 = Math.Min(h0, Math.Min(maxStep, span));
        for (int i = 0; i < n; i++)
        {
            _hinitY[i] = y[i] + (direction * h0 * f[i]);
        }

        s.Eval(s.T + (direction * h0), _hinitY, _hinitF);
        double d2 = 0;
        for (int i = 0; i < n; i++)
        {
            double sc = atol[i] + (rtol[i] * Math.Abs(y[i]));
            double e = (_hinitF[i] - f[i]) / sc;
            d2 += e * e;
        }

        d2 = Math.Sqrt(d2 / n) / h0;
        double h1 = (d1 <= 1e-15 && d2 <= 1e-15)
            ? Math.Max(1e-6, h0 * 1e-3)
            : Math.Pow(0.01 / Math.Max(d1, d2), 1.0 / (s.ErrorOrder + 1));
        double h = Math.Min(100 * h0, h1);
        return Math.Min(h, Math.Min(maxStep, span));
    }
}

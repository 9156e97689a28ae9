namespace ResidualSheaf.Engine.Integration;

/// <summary>A snapshot after one accepted step (valid until the next step; copy <see cref="State"/> to keep it).</summary>
/// <param name="Time">Time reached.</param>
/// <param name="StepSize">Size of the step just taken (signed).</param>
/// <param name="State">State at <paramref name="Time"/> (a view of the integrator's buffer).</param>
public readonly record struct OdeStepInfo(double Time, double StepSize, ReadOnlyMemory<double> State);

/// <summary>
/// Step-by-step integrator: owns the stepper, step-size control, event location and output.
/// Call <see cref="Step"/> (or enumerate <see cref="Steps"/>) until it returns false, then read <see cref="Solution"/>.
/// </summary>
public sealed class OdeIntegrator
{
    private const double EventRootUlps = 100;

    private readonly OdeProblem _problem;
    private readonly OdeOptions _options;
    private readonly Stepper _stepper;
    private readonly OdeSolution _solution;
    private readonly double _direction;
    private readonly double _tEnd;
    private readonly bool _adaptive;
    private readonly double _fixedStep;
    private readonly bool _saveEvery;
    private readonly double[] _saveAt;
    private int _saveIndex;

    // Controller state.
    private double _hAbs;
    private double _facOld = 1e-4;
    private bool _rejectedLast;
    private double _lastH;
    private bool _lastRejectNonFinite;

    // Event state.
    private readonly EventFunction[] _events;
    private readonly int[] _sign;
    private readonly bool[] _disarmed;
    private readonly double[] _gLeft;
    private readonly double[] _tLeft;
    private readonly double[] _gRight;
    private readonly double[] _yTmp;
    private readonly List<Candidate> _candidates = [];
    private int _rootEvent;

    /// <summary>Creates an integrator positioned at t0 (validates options; evaluates nothing yet).</summary>
    /// <param name="problem">The problem.</param>
    /// <param name="algorithm">The method.</param>
    /// <param name="options">Options (defaults when null).</param>
    public OdeIntegrator(OdeProblem problem, OdeAlgorithm algorithm, OdeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(algorithm);
        _options = options ?? new OdeOptions();
        int n = problem.Dimension;
        _options.Validate(n);
        _problem = problem;
        _tEnd = problem.TEnd;
        _direction = Math.Sign(problem.TEnd - problem.T0);
        Statistics = new OdeStatistics();
        _stepper = algorithm.CreateStepper(problem, Statistics);
        for (int i = 0; i < n; i++)
        {
            _stepper.Rtol[i] = _options.RtolVector?[i] ?? _options.Rtol;
            _stepper.Atol[i] = _options.AtolVector?[i] ?? _options.Atol;
        }

        _stepper.Initialize(problem.T0, problem.Y0);
        _adaptive = _stepper.IsAdaptive && _options.Adaptive;
        _fixedStep = _stepper.IsAdaptive ? (_options.FirstStep ?? double.NaN) : _stepper.FixedStep;
        _saveAt = _options.SaveAt is null ? [] : FilterSaveAt(_options.SaveAt, problem.T0, problem.TEnd, _direction);
        _saveEvery = _options.SaveEveryStep ?? (_options.SaveAt is null);
        _solution = new OdeSolution(n) { Statistics = Statistics, Status = OdeStatus.Running };
        _events = [.. problem.Events];
        _sign = new int[_events.Length];
        _disarmed = new bool[_events.Length];
        _gLeft = new double[_events.Length];
        _tLeft = new double[_events.Length];
        _gRight = new double[_events.Length];
        _yTmp = new double[n];
        Status = OdeStatus.Running;
    }

    /// <summary>Work counters (live).</summary>
    public OdeStatistics Statistics { get; }

    /// <summary>Current status; <see cref="OdeStatus.Running"/> until the integration ends.</summary>
    public OdeStatus Status { get; private set; }

    /// <summary>Current time.</summary>
    public double Time => _stepper.T;

    /// <summary>Current state (view of an internal buffer).</summary>
    public ReadOnlySpan<double> State => _stepper.Y;

    /// <summary>The solution accumulated so far (complete once <see cref="Status"/> is not Running).</summary>
    public OdeSolution Solution => _solution;

    private bool Started { get; set; }

    /// <summary>Takes one accepted step (possibly cut at an event); returns false once the integration has ended.</summary>
    public bool Step()
    {
        if (Status != OdeStatus.Running)
        {
            return false;
        }

        if (!Started && !Start())
        {
            return false;
        }

        if (_options.CancellationToken.IsCancellationRequested)
        {
            Finish(OdeStatus.Cancelled);
            return false;
        }

        if (!AttemptUntilAccepted())
        {
            return false;
        }

        PostStep();
        return true;
    }

    /// <summary>Lazily enumerates accepted steps; the caller may stop enumerating at any time.</summary>
    public IEnumerable<OdeStepInfo> Steps()
    {
        while (Step())
        {
            yield return new OdeStepInfo(_stepper.T, _lastH, _stepper.Y);
        }
    }

    /// <summary>Integrates to the end (or failure) and returns the solution.</summary>
    public OdeSolution Run()
    {
        while (Step())
        {
        }

        return _solution;
    }

    private bool Start()
    {
        Started = true;
        _stepper.EnsureF();
        if (!AllFinite(_stepper.F))
        {
            Finish(OdeStatus.NonFiniteState);
            return false;
        }

        if (_saveEvery)
        {
            Save(_stepper.T, _stepper.Y);
        }

        SaveAtPoints(_stepper.T, inclusiveStart: true);
        if (_adaptive)
        {
            double span = Math.Abs(_tEnd - _stepper.T);
            _hAbs = _options.FirstStep ?? _stepper.InitialStep(_direction, _options.MaxStep, span);
        }
        else
        {
            _hAbs = _fixedStep;
        }

        return ArmEvents(_stepper.T, _stepper.Y);
    }

    private bool AttemptUntilAccepted()
    {
        int nonFinite = 0;
        while (true)
        {
            if (Statistics.Accepted + Statistics.Rejected >= _options.MaxSteps)
            {
                Finish(OdeStatus.StepLimit);
                return false;
            }

            double t = _stepper.T;
            double remaining = Math.Abs(_tEnd - t);
            double hAbs = _adaptive ? Math.Min(_hAbs, Math.Min(_options.MaxStep, _stepper.StableStepLimit())) : _hAbs;
            double minStep = 10 * Math.Abs(Math.BitIncrement(Math.Abs(t)) - Math.Abs(t));
            if (_adaptive && hAbs < minStep)
            {
                // Step sizes collapsing onto a region where f is NaN/∞ is a non-finite failure, not an accuracy one.
                Finish(_lastRejectNonFinite ? OdeStatus.NonFiniteState : OdeStatus.StepSizeUnderflow);
                return false;
            }

            double tNew;
            if (hAbs >= remaining || (!_adaptive && hAbs * (1 + 1e-9) >= remaining))
            {
                tNew = _tEnd;
            }
            else
            {
                tNew = t + (_direction * hAbs);
            }

            double h = tNew - t;
            double err = _stepper.TryStep(tNew);
            if (!double.IsFinite(err) || !AllFinite(_stepper.YNew))
            {
                if (!_adaptive || ++nonFinite > 40)
                {
                    Finish(OdeStatus.NonFiniteState);
                    return false;
                }

                Statistics.Rejected++;
                _rejectedLast = true;
                _lastRejectNonFinite = true;
                _hAbs = 0.25 * Math.Abs(h);
                continue;
            }

            if (!_adaptive)
            {
                _stepper.Accept();
                Statistics.Accepted++;
                _lastH = h;
                return true;
            }

            // Hairer's PI controller (DOPRI5 / DOP853 conventions).
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
                    hNew = Math.Min(hNew, Math.Abs(h));
                }

                _facOld = Math.Max(err, 1e-4);
                _hAbs = hNew;
                _rejectedLast = false;
                _stepper.Accept();
                Statistics.Accepted++;
                _lastH = h;
                return true;
            }

            Statistics.Rejected++;
            _rejectedLast = true;
            _lastRejectNonFinite = false;
            _hAbs = Math.Abs(h) / Math.Min(maxShrink, fac11 / safe);
        }
    }

    private void PostStep()
    {
        double stepStart = _stepper.TOld;
        bool needInterp = _events.Length > 0 || _saveAt.Length > 0 || _options.Dense;
        DenseSegment? live = needInterp ? _stepper.LiveSegment() : null;

        // Events: may cut the step.
        EventOutcome outcome = _events.Length > 0 ? LocateEvents(stepStart) : default;
        if (Status != OdeStatus.Running)
        {
            return;
        }

        double tReached = _stepper.T;
        if (live is not null && _options.Dense)
        {
            DenseSegment seg = live.Clone();
            seg.Start = stepStart;
            seg.End = tReached;
            _solution.Segments.Add(seg);
        }

        SaveAtPoints(tReached, inclusiveStart: false);
        if (_saveEvery)
        {
            Save(tReached, _stepper.Y);
        }

        if (outcome.Cut)
        {
            HandleCut(outcome);
            return;
        }

        if (_stepper.IsConverged())
        {
            Finish(OdeStatus.Converged);
            return;
        }

        if (tReached == _tEnd)
        {
            Finish(OdeStatus.Success);
        }
    }

    private void HandleCut(EventOutcome outcome)
    {
        double t = _stepper.T;
        bool stop = false;
        bool restart = false;
        foreach (Candidate c in outcome.Group)
        {
            if (!Matches(_events[c.Index].Direction, c.Direction))
            {
                continue;
            }

            EventFunction ev = _events[c.Index];
            if (ev.Action == EventAction.Stop)
            {
                stop = true;
            }
            else if (ev.Action == EventAction.Restart)
            {
                restart = true;
            }
        }

        if (stop)
        {
            Finish(OdeStatus.StoppedByEvent);
            return;
        }

        if (restart)
        {
            double[] y = _yTmp;
            _stepper.Y.AsSpan().CopyTo(y);
            foreach (Candidate c in outcome.Group)
            {
                EventFunction ev = _events[c.Index];
                if (ev.Action == EventAction.Restart && Matches(ev.Direction, c.Direction) && ev.Callback is not null
                    && !ev.Callback(t, y, c.Index, c.Direction))
                {
                    stop = true;
                }
            }

            if (!AllFinite(y))
            {
                _stepper.Restart(t, y);
                Finish(OdeStatus.NonFiniteState);
                return;
            }

            _stepper.Restart(t, y);
            if (_saveEvery)
            {
                Save(t, y);
            }

            if (stop)
            {
                Finish(OdeStatus.StoppedByEvent);
                return;
            }

            if (!ArmEvents(t, _stepper.Y))
            {
                return;
            }
        }

        if (t == _tEnd)
        {
            Finish(OdeStatus.Success);
        }
    }

    private static bool Matches(EventDirection filter, EventDirection actual) => (filter & actual) != 0;

    /// <summary>Initialises signs at (t, y); functions inside the hysteresis band are disarmed until they leave it.</summary>
    private bool ArmEvents(double t, ReadOnlySpan<double> y)
    {
        double band = Band(y);
        for (int k = 0; k < _events.Length; k++)
        {
            double g = _events[k].G(t, y);
            if (!double.IsFinite(g))
            {
                Finish(OdeStatus.NonFiniteState);
                return false;
            }

            _gLeft[k] = g;
            if (Math.Abs(g) <= band)
            {
                _disarmed[k] = true;
                _sign[k] = 0;
            }
            else
            {
                _disarmed[k] = false;
                _sign[k] = Math.Sign(g);
            }
        }

        return true;
    }

    // Taken at every event sample over the whole state (MaxAbs is vectorised).
    private double Band(ReadOnlySpan<double> y) => _options.EventHysteresis * (1 + Numerics.MaxAbs(y));

    private readonly record struct Candidate(double Time, int Index, EventDirection Direction, int SignAfter);

    private readonly record struct EventOutcome(bool Cut, List<Candidate> Group);

    private double GAt(double t)
    {
        _stepper.Interpolate(t, _yTmp);
        return _events[_rootEvent].G(t, _yTmp);
    }

    private EventOutcome LocateEvents(double stepStart)
    {
        double stepEnd = _stepper.T;
        double h = stepEnd - stepStart;
        int m = _options.EventSamples;
        double tol = EventRootUlps * 2.220446049250313e-16 * (Math.Abs(stepEnd) + Math.Abs(h));
        for (int k = 0; k < _events.Length; k++)
        {
            _tLeft[k] = stepStart;
            if (_disarmed[k] && !ProbeDeparture(k, stepStart, h, m))
            {
                return default;
            }
        }

        for (int j = 1; j <= m; j++)
        {
            double tr = j == m ? stepEnd : stepStart + (h * j / m);
            ReadOnlySpan<double> yr;
            if (j == m)
            {
                yr = _stepper.Y;
            }
            else
            {
                _stepper.Interpolate(tr, _yTmp);
                yr = _yTmp;
            }

            double band = Band(yr);
            _candidates.Clear();
            for (int k = 0; k < _events.Length; k++)
            {
                double g = _events[k].G(tr, yr);
                if (!double.IsFinite(g))
                {
                    Finish(OdeStatus.NonFiniteState);
                    return default;
                }

                _gRight[k] = g;
            }

            for (int k = 0; k < _events.Length; k++)
            {
                double g = _gRight[k];
                if (_disarmed[k])
                {
                    if (Math.Abs(g) > band)
                    {
                        _disarmed[k] = false;
                        _sign[k] = Math.Sign(g);
                    }

                    continue;
                }

                int s = Math.Sign(g);
                if (_sign[k] == 0)
                {
                    _sign[k] = s;
                    continue;
                }

                if (s == _sign[k])
                {
                    continue;
                }

                EventDirection dir = _sign[k] < 0 ? EventDirection.Rising : EventDirection.Falling;
                double tk;
                if (s == 0)
                {
                    tk = tr;
                }
                else
                {
                    _rootEvent = k;
                    tk = RootFinder.Illinois(static (self, t) => self.GAt(t), this, _tLeft[k], _gLeft[k], tr, g, tol);
                    if (double.IsNaN(tk))
                    {
                        Finish(OdeStatus.NonFiniteState);
                        return default;
                    }
                }

                _candidates.Add(new Candidate(tk, k, dir, s));
            }

            if (_candidates.Count > 0)
            {
                _candidates.Sort(static (a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Index.CompareTo(b.Index));
                int i = 0;
                while (i < _candidates.Count)
                {
                    double t0 = _candidates[i].Time;
                    int end = i;
                    double tGroup = t0;
                    while (end < _candidates.Count && _candidates[end].Time <= t0 + tol)
                    {
                        tGroup = Math.Max(tGroup, _candidates[end].Time);
                        end++;
                    }

                    bool cut = false;
                    for (int c = i; c < end; c++)
                    {
                        Candidate cand = _candidates[c];
                        EventFunction ev = _events[cand.Index];
                        if (Matches(ev.Direction, cand.Direction) && ev.Action != EventAction.Record)
                        {
                            cut = true;
                        }
                    }

                    if (cut)
                    {
                        // Cut the step at the (after-crossing side of the) group time and record the group's events there.
                        var group = _candidates.GetRange(i, end - i);
                        if (tGroup != stepEnd)
                        {
                            _stepper.Interpolate(tGroup, _yTmp);
                            _stepper.TruncateAt(tGroup, _yTmp);
                        }

                        foreach (Candidate cand in group)
                        {
                            if (Matches(_events[cand.Index].Direction, cand.Direction) && !Record(tGroup, cand.Index, cand.Direction, _stepper.Y))
                            {
                                return default;
                            }
                        }

                        return new EventOutcome(true, group);
                    }

                    for (int c = i; c < end; c++)
                    {
                        Candidate cand = _candidates[c];
                        _sign[cand.Index] = cand.SignAfter;
                        if (Matches(_events[cand.Index].Direction, cand.Direction))
                        {
                            _stepper.Interpolate(cand.Time, _yTmp);
                            if (!Record(cand.Time, cand.Index, cand.Direction, _yTmp))
                            {
                                return default;
                            }
                        }
                    }

                    i = end;
                }
            }

            // Shift the window.
            for (int k = 0; k < _events.Length; k++)
            {
                _gLeft[k] = _gRight[k];
                _tLeft[k] = tr;
            }
        }

        return default;
    }

    /// <summary>
    /// A disarmed function (|g| inside the hysteresis band at the step start, e.g. just after a restart) is probed close to the
    /// step start on a geometric grid, so that it is armed with its departure sign even when it leaves and re-crosses zero
    /// before the first sample point (a short bounce inside a long step). Returns false if g is not finite.
    /// </summary>
    private bool ProbeDeparture(int k, double stepStart, double h, int m)
    {
        ReadOnlySpan<double> fractions = [1e-9, 1e-7, 1e-5, 1e-3, 1e-2];
        foreach (double frac in fractions)
        {
            if (frac >= 1.0 / m)
            {
                break;
            }

            double tp = stepStart + (h * frac);
            _stepper.Interpolate(tp, _yTmp);
            double g = _events[k].G(tp, _yTmp);
            if (!double.IsFinite(g))
            {
                Finish(OdeStatus.NonFiniteState);
                return false;
            }

            if (Math.Abs(g) > Band(_yTmp))
            {
                _disarmed[k] = false;
                _sign[k] = Math.Sign(g);
                _gLeft[k] = g;
                _tLeft[k] = tp;
                return true;
            }
        }

        return true;
    }

    private bool Record(double t, int index, EventDirection direction, ReadOnlySpan<double> y)
    {
        _solution.Events.Add(new OdeEvent(t, index, direction, _options.SaveEventStates ? y.ToArray() : []));
        Statistics.Events++;
        if (Statistics.Events > _options.MaxEvents)
        {
            Finish(OdeStatus.Zeno);
            return false;
        }

        return true;
    }

    private void Save(double t, ReadOnlySpan<double> y)
    {
        _solution.Times.Add(t);
        _solution.States.Add(y.ToArray());
    }

    private void SaveAtPoints(double tReached, bool inclusiveStart)
    {
        while (_saveIndex < _saveAt.Length)
        {
            double ts = _saveAt[_saveIndex];
            double rel = (ts - tReached) * _direction;
            if (rel > 0)
            {
                break;
            }

            if (inclusiveStart)
            {
                // Only points equal to t0 can be saved before the first step.
                Save(ts, _stepper.Y);
            }
            else if (ts == tReached)
            {
                Save(ts, _stepper.Y);
            }
            else
            {
                var y = new double[_stepper.N];
                _stepper.Interpolate(ts, y);
                Save(ts, y);
            }

            _saveIndex++;
        }
    }

    private static double[] FilterSaveAt(double[] saveAt, double t0, double tEnd, double direction)
    {
        var list = new List<double>();
        foreach (double t in saveAt)
        {
            if ((t - t0) * direction >= 0 && (tEnd - t) * direction >= 0)
            {
                list.Add(t);
            }
        }

        list.Sort();
        if (direction < 0)
        {
            list.Reverse();
        }

        return [.. list];
    }

    private void Finish(OdeStatus status)
    {
        Status = status;
        _solution.Status = status;
        _solution.FinalTime = _stepper.T;
        _solution.FinalState = _stepper.Y.ToArray();
        if (status != OdeStatus.Success)
        {
            _solution.FailureTime = _stepper.T;
        }
    }

    private static bool AllFinite(ReadOnlySpan<double> v)
    {
        foreach (double x in v)
        {
            if (!double.IsFinite(x))
            {
                return false;
            }
        }

        return true;
    }
}

namespace ResidualSheaf.Engine.Integration;

/// <summary>
/// Event location on the dense output of an accepted step: samples every switching function, refines sign changes by Illinois
/// regula falsi, groups simultaneous roots, cuts the step at the first group that acts, keeps functions inside the hysteresis
/// band disarmed and enforces the event cap (Zeno). Failures are reported through <see cref="Failure"/>; the driver ends the
/// integration with that status, seeing the stepper exactly as location left it.
/// </summary>
internal sealed class EventLocator
{
    private const double EventRootUlps = 100;

    private readonly EventFunction[] _events;
    private readonly Stepper _stepper;
    private readonly OdeOptions _options;
    private readonly OdeSolution _solution;
    private readonly OdeStatistics _statistics;
    private readonly int[] _sign;
    private readonly bool[] _disarmed;
    private readonly double[] _gLeft;
    private readonly double[] _tLeft;
    private readonly double[] _gRight;
    private readonly double[] _yTmp;
    private readonly int[] _pending;
    private readonly List<Candidate> _candidates = [];
    private int _rootEvent;

    public EventLocator(EventFunction[] events, Stepper stepper, OdeOptions options, OdeSolution solution, OdeStatistics statistics)
    {
        _events = events;
        _stepper = stepper;
        _options = options;
        _solution = solution;
        _statistics = statistics;
        _sign = new int[events.Length];
        _disarmed = new bool[events.Length];
        _gLeft = new double[events.Length];
        _tLeft = new double[events.Length];
        _gRight = new double[events.Length];
        _yTmp = new double[stepper.N];
        _pending = new int[events.Length];
    }

    /// <summary>Number of switching functions.</summary>
    public int Count => _events.Length;

    /// <summary><see cref="OdeStatus.Running"/> unless location hit a non-finite g (NonFiniteState) or the event cap (Zeno).</summary>
    public OdeStatus Failure { get; private set; } = OdeStatus.Running;

    /// <summary>A sign change of one function (its root time, the crossing direction and the sign after it).</summary>
    internal readonly record struct Candidate(double Time, int Index, EventDirection Direction, int SignAfter);

    /// <summary>Whether the step was cut at a group of simultaneous events that act (Stop or Restart), and that group.</summary>
    internal readonly record struct EventOutcome(bool Cut, List<Candidate> Group);

    /// <summary>Initialises signs at (t, y); functions inside the hysteresis band are disarmed until they leave it.</summary>
    public bool Arm(double t, ReadOnlySpan<double> y)
    {
        double band = Band(y);
        for (int k = 0; k < _events.Length; k++)
        {
            double g = _events[k].G(t, y);
            if (!double.IsFinite(g))
            {
                Failure = OdeStatus.NonFiniteState;
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

    /// <summary>Which actions the group's direction-matching events ask for.</summary>
    public void Actions(List<Candidate> group, out bool stop, out bool restart)
    {
        stop = false;
        restart = false;
        foreach (Candidate c in group)
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
    }

    /// <summary>Runs the group's restart callbacks on <paramref name="y"/> in group order; false when one asks to stop.</summary>
    public bool RunCallbacks(double t, double[] y, List<Candidate> group)
    {
        bool carryOn = true;
        foreach (Candidate c in group)
        {
            EventFunction ev = _events[c.Index];
            if (ev.Action == EventAction.Restart && Matches(ev.Direction, c.Direction) && ev.Callback is not null
                && !ev.Callback(t, y, c.Index, c.Direction))
            {
                carryOn = false;
            }
        }

        return carryOn;
    }

    /// <summary>Locates the events of the step just accepted (from <paramref name="stepStart"/> to the stepper's time), in time order.</summary>
    public EventOutcome Locate(double stepStart)
    {
        double stepEnd = _stepper.T;
        double h = stepEnd - stepStart;
        int m = _options.EventSamples;
        double tol = EventRootUlps * 2.220446049250313e-16 * (Math.Abs(stepEnd) + Math.Abs(h));
        int pending = 0;
        for (int k = 0; k < _events.Length; k++)
        {
            _tLeft[k] = stepStart;
            if (_disarmed[k])
            {
                _pending[pending++] = k;
            }
        }

        if (pending > 0 && !ProbeDepartures(pending, stepStart, h, m))
        {
            return default;
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

            if (!Sample(tr, yr, tol))
            {
                return default;
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

                    if (Acts(i, end))
                    {
                        return Cut(i, end, tGroup, stepEnd);
                    }

                    if (!RecordPassing(i, end))
                    {
                        return default;
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

    private static bool Matches(EventDirection filter, EventDirection actual) => (filter & actual) != 0;

    // Taken at every event sample over the whole state (MaxAbs is vectorised).
    private double Band(ReadOnlySpan<double> y) => _options.EventHysteresis * (1 + Numerics.MaxAbs(y));

    private double GAt(double t)
    {
        _stepper.Interpolate(t, _yTmp);
        return _events[_rootEvent].G(t, _yTmp);
    }

    /// <summary>
    /// Evaluates every function at the sample (tr, yr), re-arms those that left the band and collects the sign changes since the
    /// previous sample (refined) into the candidate list. False if g or the refinement is not finite.
    /// </summary>
    /// <remarks>
    /// When every sign change of the window acts (a Restart or Stop matching its direction), only the earliest group of them
    /// matters: the step is cut there and the rest are found again in the next step. Refining all of them (an interpolation of the
    /// whole state per iteration) is then wasted, and with hundreds of switching units a window can hold dozens. So the change
    /// with the earliest secant estimate is refined first (to t₁), every other one is evaluated once at t₁ + tol, and only those
    /// whose sign has already changed there (a root at or before t₁ + tol: possibly earlier, possibly in the group) are refined;
    /// each refinement is the same bracket and the same iteration as before, so the cut and its group are those of refining all
    /// (for functions with one root in the window, which the sampling assumes).
    /// </remarks>
    private bool Sample(double tr, ReadOnlySpan<double> yr, double tol)
    {
        double band = Band(yr);
        _candidates.Clear();
        for (int k = 0; k < _events.Length; k++)
        {
            double g = _events[k].G(tr, yr);
            if (!double.IsFinite(g))
            {
                Failure = OdeStatus.NonFiniteState;
                return false;
            }

            _gRight[k] = g;
        }

        int changes = 0;
        bool allAct = true;
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
            allAct &= Matches(_events[k].Direction, dir) && _events[k].Action != EventAction.Record;
            _pending[changes++] = k;
        }

        if (changes == 0)
        {
            return true;
        }

        if (!allAct || changes == 1)
        {
            for (int i = 0; i < changes; i++)
            {
                if (!Refine(_pending[i], tr, tol))
                {
                    return false;
                }
            }

            return true;
        }

        // Deferred refinement: the earliest secant estimate first, then only the changes already complete at t₁ + tol.
        int first = 0;
        double earliest = double.PositiveInfinity;
        for (int i = 0; i < changes; i++)
        {
            int k = _pending[i];
            double a = _tLeft[k], ga = _gLeft[k], gb = _gRight[k];
            double x = gb == 0 ? tr : ((a * gb) - (tr * ga)) / (gb - ga);
            if (!(x >= a && x <= tr))
            {
                x = 0.5 * (a + tr);
            }

            if (x < earliest)
            {
                (earliest, first) = (x, i);
            }
        }

        if (!Refine(_pending[first], tr, tol))
        {
            return false;
        }

        double probe = _candidates[0].Time + tol;
        if (probe >= tr)
        {
            for (int i = 0; i < changes; i++)
            {
                if (i != first && !Refine(_pending[i], tr, tol))
                {
                    return false;
                }
            }

            return true;
        }

        _stepper.Interpolate(probe, _yTmp);
        for (int i = 0; i < changes; i++)
        {
            int k = _pending[i];
            if (i == first)
            {
                continue;
            }

            double g = _events[k].G(probe, _yTmp);
            if (!double.IsFinite(g))
            {
                Failure = OdeStatus.NonFiniteState;
                return false;
            }

            if (Math.Sign(g) != _sign[k] && !Refine(k, tr, tol))
            {
                return false;
            }
        }

        return true;
    }

    // Refines function k's sign change in [tLeft, tr] and adds it to the candidates.
    private bool Refine(int k, double tr, double tol)
    {
        double g = _gRight[k];
        int s = Math.Sign(g);
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
                Failure = OdeStatus.NonFiniteState;
                return false;
            }
        }

        _candidates.Add(new Candidate(tk, k, dir, s));
        return true;
    }

    /// <summary>True when a direction-matching Stop or Restart event is among candidates [i, end).</summary>
    private bool Acts(int i, int end)
    {
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

        return cut;
    }

    /// <summary>Cuts the step at the (after-crossing side of the) group time and records the group's events there.</summary>
    private EventOutcome Cut(int i, int end, double tGroup, double stepEnd)
    {
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

    /// <summary>Records a group of Record-only events inside the step, each at its own root, and moves their signs on.</summary>
    private bool RecordPassing(int i, int end)
    {
        for (int c = i; c < end; c++)
        {
            Candidate cand = _candidates[c];
            _sign[cand.Index] = cand.SignAfter;
            if (Matches(_events[cand.Index].Direction, cand.Direction))
            {
                _stepper.Interpolate(cand.Time, _yTmp);
                if (!Record(cand.Time, cand.Index, cand.Direction, _yTmp))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>
    /// Probes the disarmed functions (indices in <c>_pending[..count]</c>) just after the step start, at fractions 1e−9 … 1e−2 of
    /// the step (below the first sample), re-arming each at the first probe where it has left the band. One interpolation per
    /// probe serves every pending function: a step after many restarts can have hundreds of them.
    /// </summary>
    private bool ProbeDepartures(int count, double stepStart, double h, int m)
    {
        ReadOnlySpan<double> fractions = [1e-9, 1e-7, 1e-5, 1e-3, 1e-2];
        foreach (double frac in fractions)
        {
            if (frac >= 1.0 / m || count == 0)
            {
                break;
            }

            double tp = stepStart + (h * frac);
            _stepper.Interpolate(tp, _yTmp);
            double band = Band(_yTmp);
            int kept = 0;
            for (int i = 0; i < count; i++)
            {
                int k = _pending[i];
                double g = _events[k].G(tp, _yTmp);
                if (!double.IsFinite(g))
                {
                    Failure = OdeStatus.NonFiniteState;
                    return false;
                }

                if (Math.Abs(g) > band)
                {
                    _disarmed[k] = false;
                    _sign[k] = Math.Sign(g);
                    _gLeft[k] = g;
                    _tLeft[k] = tp;
                }
                else
                {
                    _pending[kept++] = k;
                }
            }

            count = kept;
        }

        return true;
    }

    private bool Record(double t, int index, EventDirection direction, ReadOnlySpan<double> y)
    {
        _solution.AddEvent(new OdeEvent(t, index, direction, _options.SaveEventStates ? y.ToArray() : []));
        _statistics.Events++;
        if (_statistics.Events > _options.MaxEvents)
        {
            Failure = OdeStatus.Zeno;
            return false;
        }

        return true;
    }
}

namespace ResidualSheaf.Engine.Integration;

/// <summary>
/// What goes into the solution besides events: the requested <see cref="OdeOptions.SaveAt"/> points (interpolated), every step
/// end (<see cref="OdeOptions.SaveEveryStep"/>, on by default when SaveAt is not given) and the dense segments
/// (<see cref="OdeOptions.Dense"/>).
/// </summary>
internal sealed class SavePolicy
{
    private readonly Stepper _stepper;
    private readonly OdeSolution _solution;
    private readonly double _direction;
    private readonly bool _saveEvery;
    private readonly bool _dense;
    private readonly double[] _saveAt;
    private int _saveIndex;

    public SavePolicy(Stepper stepper, OdeOptions options, OdeSolution solution, double t0, double tEnd, double direction)
    {
        _stepper = stepper;
        _solution = solution;
        _direction = direction;
        _dense = options.Dense;
        _saveAt = options.SaveAt is null ? [] : FilterSaveAt(options.SaveAt, t0, tEnd, direction);
        _saveEvery = options.SaveEveryStep ?? (options.SaveAt is null);
    }

    /// <summary>True when saving needs the step's interpolant (SaveAt points inside the span or dense output).</summary>
    public bool NeedsInterpolant => _saveAt.Length > 0 || _dense;

    /// <summary>Saves the initial point (and SaveAt points equal to t0).</summary>
    public void AtStart()
    {
        if (_saveEvery)
        {
            Save(_stepper.T, _stepper.Y);
        }

        SaveAtPoints(_stepper.T, inclusiveStart: true);
    }

    /// <summary>
    /// After an accepted step from <paramref name="stepStart"/> (possibly cut at an event): stores the step's interpolant
    /// <paramref name="live"/> (built before the cut, so still valid on the whole cut step), the SaveAt points passed and the step end.
    /// </summary>
    public void AfterStep(double stepStart, DenseSegment? live)
    {
        double tReached = _stepper.T;
        if (live is not null && _dense)
        {
            DenseSegment seg = live.Clone();
            seg.Start = stepStart;
            seg.End = tReached;
            _solution.AddSegment(seg);
        }

        SaveAtPoints(tReached, inclusiveStart: false);
        if (_saveEvery)
        {
            Save(tReached, _stepper.Y);
        }
    }

    /// <summary>After a restart callback changed the state at <paramref name="t"/>: the new state is saved as a second point at t.</summary>
    public void AfterRestart(double t, ReadOnlySpan<double> y)
    {
        if (_saveEvery)
        {
            Save(t, y);
        }
    }

    private void Save(double t, ReadOnlySpan<double> y) => _solution.AddPoint(t, y.ToArray());

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
                _solution.AddPoint(ts, y);
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
}

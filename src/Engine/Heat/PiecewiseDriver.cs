namespace ResidualSheaf.Engine.Heat;

/// <summary>Why a <see cref="PiecewiseDriver"/> run stopped (each integrator maps it to its public status).</summary>
internal enum PiecewiseStatus
{
    Converged,
    ReachedDistance,
    ReachedEnd,
    EventLimit,
    Failed,
    StepLimit,
    Cancelled,
    Stopped,
}

/// <summary>How a <see cref="PiecewiseDriver"/> run ended: status, time (+∞ for the limit), state there, the limit when proved.</summary>
internal readonly record struct PiecewiseOutcome(PiecewiseStatus Status, double Time, double[] State, double[]? Limit);

/// <summary>
/// The event-driven loop of the piecewise-linear heat flow, shared by the exact and the Krylov integrators: initial classification
/// of units on their surface, one piece of an <see cref="IPatternFlow"/> after another, requested outputs, switches
/// (<see cref="SurfaceSwitch.Apply"/>: crossings, sliding entry and exit), and every stop check (cancellation, callbacks, stop
/// distance, certified limit, end time, rest, step and event caps). One instance per run.
/// </summary>
internal sealed class PiecewiseDriver
{
    private readonly HeatEquation _eq;
    private readonly IPatternFlow _flow;
    private readonly double[] _times;
    private readonly Func<double, double[], bool>? _onOutput;
    private readonly Func<HeatEvent, bool>? _onEvent;
    private readonly List<double[]> _outStates = [];
    private readonly List<HeatEvent> _events = [];
    private readonly TangentSurfaceGuard _tangent;
    private int _nextOut;
    private bool _stopped;

    /// <summary>
    /// A run of <paramref name="flow"/> on <paramref name="equation"/> with outputs at <paramref name="times"/> (validated); the
    /// callbacks see each output and event as it is made and stop the run (status Stopped) at the end of the step by returning false.
    /// </summary>
    public PiecewiseDriver(HeatEquation equation, IPatternFlow flow, double[] times, Func<double, double[], bool>? onOutput = null,
        Func<HeatEvent, bool>? onEvent = null)
    {
        _eq = equation;
        _flow = flow;
        _times = times;
        _onOutput = onOutput;
        _onEvent = onEvent;
        Modes = new UnitMode[equation.SwitchingCount];
        _tangent = new TangentSurfaceGuard(equation.SwitchingCount);
    }

    /// <summary>The current modes (the last piece's at the end).</summary>
    public UnitMode[] Modes { get; }

    /// <summary>Events so far, in time order.</summary>
    public List<HeatEvent> Events => _events;

    /// <summary>The output times reached.</summary>
    public double[] OutputTimes => _times[.._nextOut];

    /// <summary>The states at <see cref="OutputTimes"/>.</summary>
    public double[][] OutputStates => [.. _outStates];

    /// <summary>Patterns prepared (one per visited mode set, in visiting order).</summary>
    public int Prepares { get; private set; }

    /// <summary>Pieces whose next switch was searched.</summary>
    public int Steps { get; private set; }

    /// <summary>
    /// Runs from <paramref name="state"/> (modified in place; often the final state) at <paramref name="startTime"/> to
    /// <paramref name="endTime"/>. A positive <paramref name="stopDistance"/> stops within that ‖c − c*‖∞ of c* of a consistent
    /// pattern (bisection on the flow); 0 runs to the certified limit. Stops after <paramref name="maxEvents"/> events or more than
    /// <paramref name="maxSteps"/> pieces.
    /// </summary>
    public PiecewiseOutcome Run(double[] state, double startTime, double endTime, double stopDistance, int maxEvents, int maxSteps,
        CancellationToken cancellation)
    {
        var flow = _flow;
        var modes = Modes;
        bool cut = flow.SearchCutAtEndTime, capBefore = flow.CapBeforeSwitch;
        _eq.ModesFromState(state, modes);
        SurfaceSwitch.ClassifyOnSurface(_eq, state, modes, startTime, e =>
        {
            AddEvent(e);
            return true;
        }, out _);

        double t = startTime;
        bool dirty = true;
        while (true)
        {
            if (cancellation.IsCancellationRequested) return new(PiecewiseStatus.Cancelled, t, state, null);
            if (_stopped) return new(PiecewiseStatus.Stopped, t, state, null);
            if (dirty)
            {
                if (!flow.Prepare(modes, state)) return new(PiecewiseStatus.Failed, t, state, null);
                Prepares++;
                dirty = false;
            }
            if (!flow.Start(t, state)) return new(PiecewiseStatus.Failed, t, state, null);
            while (_nextOut < _times.Length && _times[_nextOut] <= t) Output((double[])state.Clone());
            bool distanceStop = flow.Consistent && stopDistance > 0;
            if (distanceStop && flow.StartDistance <= stopDistance) return new(PiecewiseStatus.ReachedDistance, t, state, null);
            if (flow.CertifiedFinal && double.IsPositiveInfinity(endTime) && stopDistance == 0 && _nextOut == _times.Length)
                return new(PiecewiseStatus.Converged, double.PositiveInfinity, flow.Limit(), flow.Limit());
            if (cut && t >= endTime) return new(PiecewiseStatus.ReachedEnd, t, state, null);
            double remaining = endTime - t;
            if (flow.AtRest)
            {
                while (_nextOut < _times.Length) Output((double[])state.Clone());
                return double.IsPositiveInfinity(endTime)
                    ? new(PiecewiseStatus.Converged, double.PositiveInfinity, state, (double[])state.Clone())
                    : new(PiecewiseStatus.ReachedEnd, endTime, state, null);
            }

            if (!flow.NextSwitch(remaining, out double tau, out int unit, out var function)) return new(PiecewiseStatus.Failed, t, state, null);
            Steps++;
            if (Steps > maxSteps) return new(PiecewiseStatus.StepLimit, t, state, null);
            if (distanceStop && StopInside(t, tau, stopDistance, state) is double tStop) return new(PiecewiseStatus.ReachedDistance, tStop, state, null);

            double end = t + tau;
            // A flow that searched past the end time has its piece cut there.
            double through = cut ? end : Math.Min(end, endTime);
            while (_nextOut < _times.Length && _times[_nextOut] <= through) Output(NewStateAt(_times[_nextOut] - t));
            if (double.IsPositiveInfinity(tau))
            {
                // No switch on [τ, ∞): the limit is c* of this pattern (a flow whose search is cut gets here only with no end time).
                return double.IsPositiveInfinity(endTime)
                    ? new(PiecewiseStatus.Converged, double.PositiveInfinity, flow.Limit(), flow.Limit())
                    : new(PiecewiseStatus.Converged, endTime, NewStateAt(endTime - t), flow.Limit());
            }
            if (!cut && end > endTime) return new(PiecewiseStatus.ReachedEnd, endTime, NewStateAt(endTime - t), null);
            if (capBefore && _events.Count >= maxEvents) return new(PiecewiseStatus.EventLimit, end, NewStateAt(tau), null);
            flow.StateAt(tau, state);
            t = unit < 0 && tau == remaining ? endTime : end;
            if (unit < 0) continue;

            var old = modes[unit];
            AddEvent(_tangent.Correct(_eq, SurfaceSwitch.Apply(_eq, t, state, modes, unit, function), t, tau, old, modes, unit));
            dirty = true;
            if (!capBefore && _events.Count >= maxEvents) return new(PiecewiseStatus.EventLimit, t, state, null);
        }
    }

    /// <summary>
    /// The first time in the step (length <paramref name="tau"/>, +∞ allowed) where the flow's ‖c − c*‖∞ reaches the stop distance,
    /// by bisection (which assumes the distance decreases there); on success the outputs up to it are made, the state is put there
    /// and the time returned, else null.
    /// </summary>
    private double? StopInside(double t, double tau, double stopDistance, double[] state)
    {
        var flow = _flow;
        double hi = tau;
        if (double.IsPositiveInfinity(hi))
        {
            hi = 1 / flow.FastestRate;
            while (flow.DistanceAt(hi) > stopDistance) hi *= 2;
        }
        if (!(flow.DistanceAt(hi) <= stopDistance)) return null;
        double lo = 0;
        for (int it = 0; it < 200 && hi - lo > 1e-14 * hi; it++)
        {
            double mid = 0.5 * (lo + hi);
            if (flow.DistanceAt(mid) <= stopDistance) hi = mid; else lo = mid;
        }
        while (_nextOut < _times.Length && _times[_nextOut] <= t + hi) Output(NewStateAt(_times[_nextOut] - t));
        flow.StateAt(hi, state);
        return t + hi;
    }

    private double[] NewStateAt(double tau)
    {
        var c = new double[_eq.FreeDimension];
        _flow.StateAt(tau, c);
        return c;
    }

    private void Output(double[] x)
    {
        _outStates.Add(x);
        double tOut = _times[_nextOut++];
        if (_onOutput is not null && !_stopped && !_onOutput(tOut, x)) _stopped = true;
    }

    private void AddEvent(HeatEvent e)
    {
        _events.Add(e);
        if (_onEvent is not null && !_stopped && !_onEvent(e)) _stopped = true;
    }

    /// <summary>
    /// The checks both integrators make on their common arguments; returns the output times as an array.
    /// </summary>
    public static double[] Validate(ReadOnlySpan<double> initial, int freeDimension, IReadOnlyList<double>? outputTimes, double endTime, int maxEvents)
    {
        if (initial.Length != freeDimension)
            throw new ArgumentException($"initial state has length {initial.Length}; the problem has {freeDimension} free coordinates", nameof(initial));
        foreach (double v in initial)
            if (!double.IsFinite(v)) throw new ArgumentException("initial state contains a non-finite value", nameof(initial));
        var times = (outputTimes ?? []).ToArray();
        for (int i = 0; i < times.Length; i++)
            if (!double.IsFinite(times[i]) || times[i] < 0 || (i > 0 && times[i] < times[i - 1]))
                throw new ArgumentException($"output times must be finite, ≥ 0 and non-decreasing (entry {i} = {times[i]})", nameof(outputTimes));
        if (double.IsNaN(endTime) || endTime < 0) throw new ArgumentException($"end time must be ≥ 0 (got {endTime})", nameof(endTime));
        if (maxEvents < 0) throw new ArgumentException($"maxEvents must be ≥ 0 (got {maxEvents})", nameof(maxEvents));
        return times;
    }
}

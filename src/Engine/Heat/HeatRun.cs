namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// What every <see cref="HeatSolver"/> method shares: the observer, the stop criteria checked at each sample, the event list with its
/// counters and cap, the last finite state, and the assembly of the <see cref="HeatSolution"/>. One instance per run.
/// </summary>
internal sealed class HeatRun
{
    private readonly double[] _force;
    private readonly double[] _lastFinite;
    private readonly List<HeatEvent> _events = [];

    public HeatRun(HeatEquation equation, HeatOptions options, IHeatObserver? observer)
    {
        Equation = equation;
        Options = options;
        Observer = observer;
        _force = new double[equation.FreeDimension];
        _lastFinite = new double[equation.FreeDimension];
        int units = equation.SwitchingCount;
        SwitchIndex = [.. equation.SwitchingFreeIndices];
        Modes = new UnitMode[units];
    }

    public HeatEquation Equation { get; }

    public HeatOptions Options { get; }

    public IHeatObserver? Observer { get; }

    /// <summary>State position of each switching unit.</summary>
    public int[] SwitchIndex { get; }

    /// <summary>Current unit modes (frozen modes, or modes from the state for Plain / Euler), as seen by pattern ids and StopForce.</summary>
    public UnitMode[] Modes { get; }

    /// <summary>Force evaluations made here (StopForce checks); the method adds its own.</summary>
    public long ExtraNfev { get; private set; }

    public long Switches { get; private set; }

    public long SlidingEpisodes { get; private set; }

    public long SurfaceEvaluations { get; set; }

    public double? ConvergenceTime { get; private set; }

    public double LastFiniteTime { get; private set; }

    public bool HasFinite { get; private set; }

    public string ConvergedBecause { get; private set; } = "";

    public IReadOnlyList<HeatEvent> Events => _events;

    public bool EventCapExceeded => _events.Count > Options.MaxEvents;

    public HeatEvent MakeEvent(double t, int unit, HeatEventKind kind, UnitMode mode)
    {
        int j = Equation.SwitchingCoordinates[unit];
        return new HeatEvent(t, j, Equation.Sheaf.CoordinateName(j), kind, mode);
    }

    /// <summary>Records and reports an event; false once the event cap is exceeded.</summary>
    public bool AddEvent(HeatEvent e)
    {
        _events.Add(e);
        if (e.Kind != HeatEventKind.Graze) Switches++;
        if (e.Kind == HeatEventKind.SlideEnter) SlidingEpisodes++;
        Observer?.OnEvent(e);
        return !EventCapExceeded;
    }

    /// <summary>
    /// Reports the Active/Inactive side changes between <paramref name="previous"/> and the state (step-end location), updates
    /// <paramref name="previous"/> and <see cref="Modes"/>; false once the event cap is exceeded.
    /// </summary>
    public bool DetectCrossings(double t, ReadOnlySpan<double> state, bool[] previous)
    {
        bool ok = true;
        for (int u = 0; u < SwitchIndex.Length; u++)
        {
            bool active = state[SwitchIndex[u]] >= 0;
            Modes[u] = active ? UnitMode.Active : UnitMode.Inactive;
            if (active == previous[u]) continue;
            previous[u] = active;
            ok &= AddEvent(MakeEvent(t, u, active ? HeatEventKind.CrossUp : HeatEventKind.CrossDown, Modes[u]));
        }
        return ok;
    }

    /// <summary>
    /// One sample: non-finite check, stop criteria, observer. Returns null to continue, else the status to stop with.
    /// <paramref name="force"/> is the force at the state when the caller already has it (else empty: computed if StopForce is set).
    /// </summary>
    public HeatStatus? Sample(double t, ReadOnlySpan<double> state, double stepSize, ReadOnlySpan<double> force = default)
    {
        foreach (double v in state)
            if (!double.IsFinite(v)) return HeatStatus.NonFiniteState;
        state.CopyTo(_lastFinite);
        LastFiniteTime = t;
        HasFinite = true;
        bool converged = Met(state, force, out bool nonFinite);
        if (nonFinite) return HeatStatus.NonFiniteState;
        if (converged) ConvergenceTime = t;
        bool go = Observer?.OnSample(t, state, stepSize, HeatPattern.Id(Modes)) ?? true;
        if (converged) return HeatStatus.Converged;
        return go ? null : HeatStatus.StoppedByObserver;
    }

    /// <summary>True when StopDistance or StopForce holds at the state (with the current modes).</summary>
    public bool Met(ReadOnlySpan<double> state, ReadOnlySpan<double> force, out bool nonFinite)
    {
        nonFinite = false;
        var o = Options;
        if (o.StopDistance is double d)
        {
            double dist = 0;
            var target = o.Target!;
            for (int i = 0; i < state.Length; i++) dist = Math.Max(dist, Math.Abs(state[i] - target[i]));
            if (dist <= d)
            {
                ConvergedBecause = $"‖c − target‖∞ = {dist:e3} ≤ StopDistance {d:e3}";
                return true;
            }
        }
        if (o.StopForce is double fmax)
        {
            if (force.IsEmpty)
            {
                Equation.Force(state, Modes, _force);
                ExtraNfev++;
                force = _force;
            }
            double fn = 0;
            foreach (double v in force)
            {
                if (!double.IsFinite(v))
                {
                    nonFinite = true;
                    return false;
                }
                fn = Math.Max(fn, Math.Abs(v));
            }
            if (fn <= fmax)
            {
                ConvergedBecause = $"‖ċ‖∞ = {fn:e3} ≤ StopForce {fmax:e3}";
                return true;
            }
        }
        return false;
    }

    /// <summary>Marks convergence found outside <see cref="Sample"/> (Euler stop rule, exact limit, bisection).</summary>
    public void SetConverged(double t, string because)
    {
        ConvergenceTime = t;
        ConvergedBecause = because;
    }

    /// <summary>The solution; a non-finite <paramref name="state"/> is replaced by the last finite sample.</summary>
    public HeatSolution Finish(HeatStatus status, double t, ReadOnlySpan<double> state, HeatStatistics stats, double[]? exactLimit = null, string? detail = null)
    {
        double[] final = state.ToArray();
        double finalTime = t;
        bool finite = true;
        foreach (double v in final) finite &= double.IsFinite(v);
        if (!finite && HasFinite)
        {
            final = (double[])_lastFinite.Clone();
            finalTime = LastFiniteTime;
        }
        var events = _events.Where(e => e.Time <= finalTime).ToArray();
        string message = status switch
        {
            HeatStatus.Converged => $"converged at t = {ConvergenceTime:g6}: {ConvergedBecause}",
            HeatStatus.EndTimeReached => $"reached the end time t = {finalTime:g6} without meeting a stop criterion",
            HeatStatus.StoppedByObserver => $"the observer stopped the run at t = {finalTime:g6}",
            HeatStatus.StepLimit => $"step limit {Options.MaxSteps} reached at t = {finalTime:g6}",
            HeatStatus.StepSizeUnderflow => $"the step size fell below the resolution of t at t = {finalTime:g6}",
            HeatStatus.NonFiniteState => $"a NaN or infinity appeared in the state or the force after t = {finalTime:g6}; the final state is the last finite one",
            HeatStatus.EventLimit => $"more than {Options.MaxEvents} switching events by t = {finalTime:g6} (chattering or Zeno behaviour)",
            HeatStatus.NumericalFailure => $"a solver inside the method failed at t = {finalTime:g6}; the final state is the last good one",
            _ => $"interrupted (cancellation) at t = {finalTime:g6}",
        };
        if (detail is not null) message += $" ({detail})";
        return new HeatSolution(status, message, finalTime, final, events, stats with { SurfaceEvaluations = SurfaceEvaluations },
            status == HeatStatus.Converged ? ConvergenceTime : null, exactLimit);
    }
}

namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// What every <see cref="HeatSolver"/> method shares: the observer, the stop rules checked at each sample, the event list with its
/// counters and cap, the last finite state, and the assembly of the <see cref="HeatSolution"/>. One instance per run.
/// </summary>
internal sealed class HeatRun
{
    private readonly double[] _lastFinite;
    private readonly List<HeatEvent> _events = [];
    private readonly SampleContext _sample;
    private readonly (StopRule Rule, StopCheck Check)[] _stateRules;
    private readonly (StopRule Rule, StopCheck Check)[] _historyRules;

    public HeatRun(HeatProblem problem, HeatAlgorithm algorithm, IHeatObserver? observer, CancellationToken cancellation)
    {
        Problem = problem;
        Algorithm = algorithm;
        Equation = problem.Equation;
        Observer = observer;
        Cancellation = cancellation;
        _lastFinite = new double[Equation.FreeDimension];
        int units = Equation.SwitchingCount;
        SwitchIndex = [.. Equation.SwitchingFreeIndices];
        Modes = new UnitMode[units];
        _sample = new SampleContext(Equation, Modes);
        _stateRules = [.. problem.StopRules.Where(r => r.IsStateFunction).Select(r => (r, r.Start(Equation)))];
        _historyRules = [.. problem.StopRules.Where(r => !r.IsStateFunction).Select(r => (r, r.Start(Equation)))];
    }

    public HeatProblem Problem { get; }

    public HeatAlgorithm Algorithm { get; }

    public HeatEquation Equation { get; }

    public IHeatObserver? Observer { get; }

    public CancellationToken Cancellation { get; }

    /// <summary>State position of each switching unit.</summary>
    public int[] SwitchIndex { get; }

    /// <summary>Current unit modes (frozen modes, or modes from the state for Plain / Euler), as seen by pattern ids and force rules.</summary>
    public UnitMode[] Modes { get; }

    /// <summary>Force evaluations made here (force rules); the method adds its own.</summary>
    public long ExtraNfev => _sample.Evaluations;

    /// <summary>True when the problem has a rule that depends on the state alone (it can be located between samples).</summary>
    public bool HasStateRules => _stateRules.Length > 0;

    /// <summary>
    /// The distance rule when it is all that looks at the samples (the only state rule, no history rule, no observer), else null:
    /// then a sample that provably does not meet it has no effect but to be the previous sample.
    /// </summary>
    public DistanceStop? UnobservedDistanceRule =>
        Observer is null && _historyRules.Length == 0 && _stateRules is [{ Rule: DistanceStop d }] ? d : null;

    public long Switches { get; private set; }

    public long SlidingEpisodes { get; private set; }

    public long SurfaceEvaluations { get; set; }

    public double? ConvergenceTime { get; private set; }

    public double LastFiniteTime { get; private set; }

    public bool HasFinite { get; private set; }

    public string ConvergedBecause { get; private set; } = "";

    /// <summary>The rule that ended the run (None while it runs).</summary>
    public StopReason Reason { get; private set; }

    public IReadOnlyList<HeatEvent> Events => _events;

    public bool EventCapExceeded => _events.Count > Problem.MaxEvents;
    public HeatEvent MakeEvent(double t, int unit, HeatEventKind kind, UnitMode mode) => SurfaceSwitch.Event(Equation, t, unit, kind, mode);

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
    /// One sample: non-finite check, state rules, observer, history rules. Returns null to continue, else the status to stop with.
    /// <paramref name="force"/> is the force at the state when the caller already has it (else empty: computed if a rule needs it).
    /// </summary>
    public HeatStatus? Sample(double t, ReadOnlySpan<double> state, double stepSize, ReadOnlySpan<double> force = default)
    {
        foreach (double v in state)
            if (!double.IsFinite(v)) return HeatStatus.NonFiniteState;
        state.CopyTo(_lastFinite);
        LastFiniteTime = t;
        HasFinite = true;
        var sample = new HeatSample(_sample, t, state, stepSize, HeatPattern.Id(Modes));
        _sample.Reset(force);
        bool converged = MetStateRule(sample, out bool nonFinite);
        if (nonFinite) return HeatStatus.NonFiniteState;
        if (converged) ConvergenceTime = t;
        Observer?.OnSample(sample);
        if (converged) return HeatStatus.Converged;
        foreach (var (rule, check) in _historyRules)
        {
            if (!check.IsMet(sample, out string because)) continue;
            (Reason, ConvergedBecause, StoppedAt) = (rule.Reason, because, t);
            return HeatStatus.StoppedByRule;
        }
        return null;
    }

    /// <summary>Time at which a history rule stopped the run.</summary>
    public double? StoppedAt { get; private set; }

    /// <summary>
    /// True when a state rule (distance, force) holds at the state with the current modes. A probe: it records no reason (the
    /// sample taken where the rules hold does, from the same state).
    /// </summary>
    public bool Met(ReadOnlySpan<double> state, ReadOnlySpan<double> force, out bool nonFinite)
    {
        _sample.Reset(force);
        var sample = new HeatSample(_sample, double.NaN, state, 0, 0);
        nonFinite = false;
        foreach (var (_, check) in _stateRules)
        {
            bool met = check.Holds(sample);
            if (_sample.ForceNotFinite)
            {
                nonFinite = true;
                return false;
            }
            if (met) return true;
        }
        return false;
    }

    private bool MetStateRule(in HeatSample sample, out bool nonFinite)
    {
        nonFinite = false;
        foreach (var (rule, check) in _stateRules)
        {
            bool met = check.IsMet(sample, out string because);
            if (_sample.ForceNotFinite)
            {
                nonFinite = true;
                return false;
            }
            if (!met) continue;
            (Reason, ConvergedBecause) = (rule.Reason, because);
            return true;
        }
        return false;
    }

    /// <summary>Marks convergence found outside <see cref="Sample"/> (Euler stop rule, exact limit, bisection).</summary>
    public void SetConverged(double t, StopReason reason, string because)
    {
        ConvergenceTime = t;
        Reason = reason;
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
            HeatStatus.StoppedByRule => $"stopped at t = {finalTime:g6}: {ConvergedBecause}",
            HeatStatus.StepLimit => $"step limit {Problem.MaxSteps} reached at t = {finalTime:g6}",
            HeatStatus.StepSizeUnderflow => $"the step size fell below the resolution of t at t = {finalTime:g6}",
            HeatStatus.NonFiniteState => $"a NaN or infinity appeared in the state or the force after t = {finalTime:g6}; the final state is the last finite one",
            HeatStatus.EventLimit => $"more than {Problem.MaxEvents} switching events by t = {finalTime:g6} (chattering or Zeno behaviour)",
            HeatStatus.NumericalFailure => $"a solver inside the method failed at t = {finalTime:g6}; the final state is the last good one",
            _ => $"interrupted (cancellation) at t = {finalTime:g6}",
        };
        if (detail is not null) message += $" ({detail})";
        var reason = status is HeatStatus.Converged or HeatStatus.StoppedByRule ? Reason : StopReason.None;
        return new HeatSolution(status, reason, message, finalTime, final, events, stats with { SurfaceEvaluations = SurfaceEvaluations },
            status == HeatStatus.Converged ? ConvergenceTime : null, exactLimit, Algorithm);
    }
}

using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.Integration;

namespace ResidualSheaf.Engine.Training;

/// <summary>
/// The joint training flow integrated switching-aware, as <see cref="OdeFlow"/> does the heat equation (integration-notes §2):
/// the mode of every (sample, unit) pair is frozen between events, so each piece is smooth and the integrator's error estimate
/// sees no kink; one Restart event per unit watches z_j (or, while the unit slides, min(w_j, −(w_j + a_j)), positive while the
/// sliding attracts); at a located root z_j is put on its surface and <see cref="SurfaceDecision"/> decides the new mode from the
/// two surface forces (crossing, sliding entry, repelling point, graze, sliding exit). A sliding unit's z_j is held on 0 (its
/// force component is zeroed: Filippov's convex combination of the two sides). Without it, an adaptive method halves its step at
/// every kink a sliding unit makes (docs/training-integration.md §2).
/// </summary>
public sealed class SwitchingAwareTraining
{
    private readonly JointFlow _flow;
    private readonly OdeAlgorithm _integrator;
    private readonly OdeOptions _options;
    private readonly UnitMode[] _modes;
    private readonly int[] _index;
    // Surface forces of each sample's units, cached for the (time, version) at which they were computed: the event locator
    // evaluates every unit's function at the same sample time, and one pair of sample-force evaluations serves all of a sample's
    // sliding units. The version changes with every restart (state or modes changed at the same time).
    private readonly double[] _inactive, _active, _cacheTime;
    private readonly long[] _cacheVersion;
    private long _version;

    /// <summary>A switching-aware integrator of <paramref name="flow"/> with <paramref name="integrator"/>.</summary>
    /// <param name="flow">The joint flow; its sheaf must support frozen modes (<see cref="JointFlow.SupportsFrozenModes"/>).</param>
    /// <param name="integrator">An explicit method with dense output (dp5, tsit5, bs3, dop853) or rkc.</param>
    /// <param name="options">Tolerances and limits; event options are set here (no event cap, event states not kept).</param>
    /// <exception cref="ArgumentException">The sheaf's masks are not frozen-mode compatible, or the integrator is Rodas4 (its
    /// Jacobian would need the sliding constraint).</exception>
    public SwitchingAwareTraining(JointFlow flow, OdeAlgorithm integrator, OdeOptions options)
    {
        ArgumentNullException.ThrowIfNull(flow);
        ArgumentNullException.ThrowIfNull(integrator);
        ArgumentNullException.ThrowIfNull(options);
        if (!flow.SupportsFrozenModes)
            throw new ArgumentException("the sheaf has a switching map whose mask is not its own tail's coordinates: frozen modes do not describe its flow", nameof(flow));
        if (integrator is Rodas4 || integrator is ExplicitEuler || integrator is RungeKutta4)
            throw new ArgumentException($"{integrator.Name}: switching-aware training takes an adaptive method with dense output (dp5, tsit5, bs3, dop853, rkc)", nameof(integrator));
        _flow = flow;
        _integrator = integrator;
        _options = options with { MaxEvents = int.MaxValue, SaveEventStates = false, SaveEveryStep = false };
        _modes = new UnitMode[flow.Units];
        _index = [.. Enumerable.Range(0, flow.Units).Select(flow.SwitchIndex)];
        _inactive = new double[flow.Units];
        _active = new double[flow.Units];
        _cacheTime = new double[flow.Samples];
        _cacheVersion = new long[flow.Samples];
    }

    /// <summary>The current mode of every unit (after <see cref="Integrate"/>: at its end).</summary>
    public ReadOnlySpan<UnitMode> Modes => _modes;

    /// <summary>
    /// Integrates from (<paramref name="t0"/>, <paramref name="state"/>) to <paramref name="t1"/>, overwriting
    /// <paramref name="state"/> with the final state; the modes start from the state's signs (a unit exactly on its surface is
    /// classified from its surface forces).
    /// </summary>
    public TrainingIntegration Integrate(double[] state, double t0, double t1)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Length != _flow.StateLength) throw new ArgumentException($"state of length {state.Length}; {_flow.StateLength} expected", nameof(state));
        long switches = 0, sliding = 0, surface = 0;
        _version++;
        _flow.ModesFromState(state, _modes);
        for (int k = 0; k < _modes.Length; k++)
        {
            if (state[_index[k]] != 0) continue;
            var (mode, kind) = Decide(state, k, UnitMode.Active);
            surface++;
            _modes[k] = mode;
            if (kind == HeatEventKind.SlideEnter) sliding++;
        }

        var events = new EventFunction[_modes.Length];
        for (int k = 0; k < events.Length; k++)
        {
            int unit = k;
            events[k] = new EventFunction((t, y) => Switching(t, y, unit, ref surface), EventDirection.Both, EventAction.Restart,
                (_, y, _, _) =>
                {
                    var old = _modes[unit];
                    y[_index[unit]] = 0.0;
                    var (mode, kind) = Decide(y, unit, old);
                    surface++;
                    _modes[unit] = mode;
                    _version++;
                    if (kind != HeatEventKind.Graze) switches++;
                    if (kind == HeatEventKind.SlideEnter) sliding++;
                    return true;
                });
        }
        var problem = new OdeProblem((_, y, dy) => _flow.Derivative(y, dy, _modes), state, t0, t1) { IsAutonomous = true, Events = events };
        var solution = Ode.Solve(problem, _integrator, _options);
        solution.FinalState.CopyTo(state, 0);
        return new TrainingIntegration(solution.Status, solution.FinalTime, solution.Statistics, switches, sliding, surface);
    }

    private double Switching(double t, ReadOnlySpan<double> y, int unit, ref long surface)
    {
        if (_modes[unit] != UnitMode.Sliding) return y[_index[unit]];
        int perSample = _flow.UnitsPerSample, s = unit / perSample;
        // Keyed by (time, version): between restarts the state is a function of the time alone, so equal keys mean an equal state.
        if (_cacheVersion[s] != _version || _cacheTime[s] != t)
        {
            _flow.SurfaceForces(y, _modes, s, -1, _inactive.AsSpan(s * perSample, perSample), _active.AsSpan(s * perSample, perSample));
            surface++;
            (_cacheVersion[s], _cacheTime[s]) = (_version, t);
        }
        return Math.Min(_inactive[unit], -_active[unit]);
    }

    // The new mode of a unit on its surface (z_j already 0 in y) from its two surface forces.
    private (UnitMode Mode, HeatEventKind Kind) Decide(ReadOnlySpan<double> y, int unit, UnitMode old)
    {
        int perSample = _flow.UnitsPerSample, s = unit / perSample, u = unit % perSample;
        var f0 = _inactive.AsSpan(s * perSample, perSample);
        var f1 = _active.AsSpan(s * perSample, perSample);
        _flow.SurfaceForces(y, _modes, s, old == UnitMode.Sliding ? -1 : unit, f0, f1);
        _cacheVersion[s] = -1;
        return old == UnitMode.Sliding ? SurfaceDecision.Exit(SurfaceDecision.ExitReached(f0[u], f1[u])) : SurfaceDecision.Classify(f0[u], f1[u], old);
    }
}

/// <summary>What one switching-aware integration of the joint flow did.</summary>
/// <param name="Status">The integrator's status (Success when it reached the end time).</param>
/// <param name="FinalTime">Where it stopped.</param>
/// <param name="Statistics">The integrator's counts (f evaluations, steps, events).</param>
/// <param name="Switches">Mode changes other than grazes.</param>
/// <param name="SlidingEpisodes">Sliding entries.</param>
/// <param name="SurfaceEvaluations">Evaluations of a sample's surface forces (two sample forces each; not in Nfev).</param>
public sealed record TrainingIntegration(OdeStatus Status, double FinalTime, OdeStatistics Statistics, long Switches, long SlidingEpisodes,
    long SurfaceEvaluations);

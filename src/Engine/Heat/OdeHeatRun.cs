using ResidualSheaf.Engine.Integration;

namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// Plain and SwitchingAware runs on an <see cref="OdeIntegrator"/>, stepped one accepted step at a time so that the observer and the
/// stop criteria see every step.
/// </summary>
internal static class OdeHeatRun
{
    /// <summary>
    /// Plain: masks recomputed in every right-hand-side call; switches are sign changes of z_j between accepted steps, reported at the
    /// step end (located only to the step). SwitchingAware: frozen modes, one Restart event per unit, surface decisions by
    /// <see cref="SurfaceDecision"/>.
    /// </summary>
    /// <remarks>
    /// An optional hand-off: after
    /// <see cref="Handoff.QuietSteps"/> accepted steps without an event, spanning at least the time of the last event, the run is passed, at the current time and state, to
    /// <see cref="Handoff.Continue"/>, which finishes it (the modes are in <see cref="HeatRun.Modes"/>).
    /// </remarks>
    public static HeatSolution Run(HeatRun run, ReadOnlySpan<double> initial, OdeFlow flow, Handoff? handoff)
    {
        var eq = run.Equation;
        bool switching = flow.FrozenModes;
        var cancel = run.Cancellation;
        var modes = run.Modes;
        int[] idx = run.SwitchIndex;
        int units = modes.Length;
        var y0 = initial.ToArray();
        eq.ModesFromState(y0, modes);
        if (switching)
        {
            bool underCap = SurfaceSwitch.ClassifyOnSurface(eq, y0, modes, 0, run.AddEvent, out int evaluations);
            run.SurfaceEvaluations += evaluations;
            if (!underCap) return run.Finish(HeatStatus.EventLimit, 0, y0, Stats(run, null));
        }

        var jacobian = new FrozenJacobian(eq);
        var stateModes = new UnitMode[units];
        OdeRhs rhs = switching
            ? (t, y, dy) => eq.Force(y, modes, dy)
            : (t, y, dy) => eq.Force(y, dy);
        OdeJacobian jac = switching
            ? (t, y, j) => jacobian.Fill(modes, y, j)
            : (t, y, j) =>
            {
                eq.ModesFromState(y, stateModes);
                jacobian.Fill(stateModes, y, j);
            };
        // Without a smooth head J is the cached pattern matrix: the integrator's sparse factor reads it by columns.
        OdeSparseJacobian? sparseJac = eq.HasSmoothHead ? null : switching
            ? (t, y) => jacobian.Columns(modes)
            : (t, y) =>
            {
                eq.ModesFromState(y, stateModes);
                return jacobian.Columns(stateModes);
            };
        bool capHit = false;
        var events = switching ? new EventFunction[units] : [];
        for (int u = 0; u < events.Length; u++)
        {
            int unit = u;
            events[u] = new EventFunction((t, y) => Switching(run, y, unit), EventDirection.Both, EventAction.Restart,
                (t, y, k, dir) =>
                {
                    if (Restart(run, t, y, unit)) return true;
                    capHit = true;
                    return false;
                });
        }
        var problem = new OdeProblem(rhs, y0, 0, run.Problem.EndTime)
        {
            Jacobian = jac,
            SparseJacobian = sparseJac,
            IsAutonomous = true,
            Events = events,
            // Frozen modes make the force affine until a switch restarts the integrator (a smooth head's curvature does not).
            JacobianConstantBetweenRestarts = switching && !eq.HasSmoothHead,
        };
        var odeOptions = new OdeOptions
        {
            Rtol = flow.Rtol,
            Atol = flow.Atol,
            MaxSteps = run.Problem.MaxSteps,
            SaveEveryStep = false,
            MaxEvents = int.MaxValue,
            SaveEventStates = false,
            CancellationToken = cancel,
        };
        var algorithm = flow.Integrator;
        var it = new OdeIntegrator(problem, algorithm, odeOptions);
        int quiet = 0, eventsSeen = run.Events.Count;
        double lastSwitch = 0;
        var active = new bool[units];
        for (int u = 0; u < units; u++) active[u] = y0[idx[u]] >= 0;

        HeatStatus? stop = run.Sample(0, y0, 0);
        double tPrev = 0;
        while (stop is null)
        {
            if (cancel.IsCancellationRequested)
            {
                stop = HeatStatus.Interrupted;
                break;
            }
            if (!it.Step()) break;
            double t = it.Time;
            var y = it.State;
            if (capHit || (!switching && !run.DetectCrossings(t, y, active)))
            {
                stop = HeatStatus.EventLimit;
                break;
            }
            stop = run.Sample(t, y, t - tPrev);
            tPrev = t;
            if (handoff is null || stop is not null) continue;
            if (run.Events.Count != eventsSeen) (quiet, lastSwitch) = (0, t);
            else quiet++;
            eventsSeen = run.Events.Count;
            // Quiet for QuietSteps steps and for as long again as the time of the last switch (switch gaps grow with t).
            if (quiet >= handoff.QuietSteps && t - lastSwitch >= lastSwitch)
            {
                var s = it.Statistics;
                return handoff.Continue(t, y.ToArray(), new HeatStatistics(s.Nfev, s.Njev, s.Nlu, s.Accepted, s.Rejected, 0, 0, 0));
            }
        }
        stop ??= it.Status switch
        {
            OdeStatus.Success => HeatStatus.EndTimeReached,
            OdeStatus.StepLimit => HeatStatus.StepLimit,
            OdeStatus.StepSizeUnderflow => HeatStatus.StepSizeUnderflow,
            OdeStatus.NonFiniteState => HeatStatus.NonFiniteState,
            OdeStatus.Cancelled => HeatStatus.Interrupted,
            OdeStatus.Zeno or OdeStatus.StoppedByEvent => HeatStatus.EventLimit,
            _ => HeatStatus.EndTimeReached,
        };
        return run.Finish(stop.Value, it.Time, it.State, Stats(run, it.Statistics), detail: $"{algorithm.Name}, {(switching ? "switching-aware" : "plain")}");
    }

    /// <summary>
    /// One switching function per unit: z_j for a non-sliding unit; for a sliding unit min(w_j, −(w_j + a_j)), positive while the
    /// sliding is attracting and reaching 0 when either exit condition (w_j = 0 or w_j + a_j = 0) is met.
    /// </summary>
    private static double Switching(HeatRun run, ReadOnlySpan<double> y, int unit)
    {
        if (run.Modes[unit] != UnitMode.Sliding) return y[run.SwitchIndex[unit]];
        run.Equation.SurfaceForces(y, run.Modes, unit, out double w, out double wa);
        run.SurfaceEvaluations++;
        return Math.Min(w, -wa);
    }

    /// <summary>The restart at a located root: put z_j on its surface, decide the new mode, record the event.</summary>
    private static bool Restart(HeatRun run, double t, Span<double> y, int unit)
    {
        var modes = run.Modes;
        var old = modes[unit];
        y[run.SwitchIndex[unit]] = 0.0;
        run.Equation.SurfaceForces(y, modes, unit, out double f0, out double f1);
        run.SurfaceEvaluations++;
        // One event function min(w_j, −(w_j + a_j)) watches both exits of a sliding unit, so the forces tell which one fired.
        var (mode, kind) = old == UnitMode.Sliding
            ? SurfaceDecision.Exit(SurfaceDecision.ExitReached(f0, f1))
            : SurfaceDecision.Classify(f0, f1, old);
        modes[unit] = mode;
        return run.AddEvent(SurfaceSwitch.Event(run.Equation, t, unit, kind, mode));
    }

    /// <summary>When and to what a switching-aware run hands over.</summary>
    /// <param name="QuietSteps">Accepted steps without an event after which the run is handed over.</param>
    /// <param name="Continue">Finishes the run from (time, state, statistics so far).</param>
    internal sealed record Handoff(int QuietSteps, Func<double, double[], HeatStatistics, HeatSolution> Continue);

    private static HeatStatistics Stats(HeatRun run, OdeStatistics? s) =>
        new((s?.Nfev ?? 0) + run.ExtraNfev, s?.Njev ?? 0, s?.Nlu ?? 0, s?.Accepted ?? 0, s?.Rejected ?? 0, run.Switches, run.SlidingEpisodes, 0);
}

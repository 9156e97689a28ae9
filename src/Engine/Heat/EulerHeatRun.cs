namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// The authors' forward Euler through the facade: c ← c + dt·Force(c) with masks from the state, stopped when max|Δc| &lt; tol, with
/// exactly the arithmetic of <see cref="AuthorsEuler.Run"/> (so the step counts match). Switches are sign changes between steps.
/// </summary>
internal static class EulerHeatRun
{
    public static HeatSolution Run(HeatRun run, ReadOnlySpan<double> initial, FixedStepEuler flow)
    {
        var eq = run.Equation;
        var o = run.Problem;
        int n = eq.FreeDimension;
        // Without a change rule the rule is never met (tolerance 0: max|Δc| < 0 is false).
        double dt = flow.Dt, tol = o.Rule<ChangeStop>()?.Tolerance ?? 0;
        var c = initial.ToArray();
        var next = new double[n];
        var f = new double[n];
        var active = new bool[run.Modes.Length];
        eq.ModesFromState(c, run.Modes);
        for (int u = 0; u < active.Length; u++) active[u] = run.Modes[u] == UnitMode.Active;
        long nfev = 0, steps = 0;

        eq.Force(c, f);
        nfev++;
        HeatStatus? stop = Numerics.AllFinite(f) ? run.Sample(0, c, 0, f) : HeatStatus.NonFiniteState;
        double t = 0;
        while (stop is null)
        {
            if (steps >= o.MaxSteps) { stop = HeatStatus.StepLimit; break; }
            if (run.Cancellation.IsCancellationRequested) { stop = HeatStatus.Interrupted; break; }
            // The step goes into a second buffer so that a step that overflows leaves the last finite state in place.
            double maxChange = 0;
            for (int i = 0; i < n; i++)
            {
                double dc = dt * f[i];
                next[i] = c[i] + dc;
                maxChange = Math.Max(maxChange, Math.Abs(dc));
            }
            if (!double.IsFinite(maxChange) || !Numerics.AllFinite(next)) { stop = HeatStatus.NonFiniteState; break; }
            (c, next) = (next, c);
            steps++;
            t = steps * dt;
            if (!run.DetectCrossings(t, c, active)) { stop = HeatStatus.EventLimit; break; }
            bool ruleMet = maxChange < tol;
            bool atEnd = t >= o.EndTime;
            bool last = ruleMet || atEnd || steps >= o.MaxSteps;
            bool haveForce = false;
            if (!ruleMet)
            {
                eq.Force(c, f);
                nfev++;
                if (!Numerics.AllFinite(f)) { stop = HeatStatus.NonFiniteState; break; }
                haveForce = true;
            }
            if (last || steps % flow.SampleEvery == 0)
            {
                stop = run.Sample(t, c, dt, haveForce ? f : default);
                if (stop is not null) break;
            }
            if (ruleMet)
            {
                run.SetConverged(t, StopReason.Change, $"Euler stop rule max|Δc| = {maxChange:e3} < {tol:e3} after {steps} steps");
                stop = HeatStatus.Converged;
            }
            else if (atEnd)
            {
                stop = HeatStatus.EndTimeReached;
            }
        }
        var stats = new HeatStatistics(nfev + run.ExtraNfev, 0, 0, steps, 0, run.Switches, run.SlidingEpisodes, 0);
        return run.Finish(stop.Value, t, c, stats, detail: $"authors' Euler, dt = {dt:g4}, {steps} steps");
    }

}

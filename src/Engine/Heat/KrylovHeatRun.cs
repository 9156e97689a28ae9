namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// Krylov through the facade: one <see cref="KrylovPiecewiseIntegrator"/> run (which locates switches exactly and stops itself at
/// StopDistance by bisection on its model), sampled at t = 0 and on the same log-spaced grid as the exact method; its events and
/// samples are then replayed to the observer in time order, with the unit modes the events imply.
/// </summary>
internal static class KrylovHeatRun
{
    public static HeatSolution Run(HeatRun run, ReadOnlySpan<double> initial)
    {
        var eq = run.Equation;
        var o = run.Options;
        var times = new List<double> { 0 };
        times.AddRange(ExactHeatRun.Grid(o.ExactSamplesPerDecade, o.EndTime));
        // Atol bounds the 2-norm error each Krylov step may add (the model's a-posteriori bound).
        var integrator = new KrylovPiecewiseIntegrator(eq, tolerance: o.Atol);
        // The integrator measures the distance to c*_σ, the sample below to the target: aim a hair inside StopDistance so that the
        // two (equal up to rounding and the model's error, ~1e−13) agree at the stop; the time found is later by ~1e−6 relative.
        double stopDistance = 0;
        if (o.StopDistance is double d && o.Target is not null)
            stopDistance = d - Math.Max(1e-6 * d, 1e-14 * (1 + Numerics.MaxAbs(o.Target)));
        var res = integrator.Run(initial, times, o.EndTime, Math.Max(stopDistance, 0), o.MaxEvents, o.MaxSteps, o.Cancellation);

        var unitOf = new Dictionary<int, int>();
        for (int u = 0; u < eq.SwitchingCount; u++) unitOf[eq.SwitchingCoordinates[u]] = u;
        var modes = new UnitMode[eq.SwitchingCount];
        eq.ModesFromState(initial, modes);
        int ev = 0;
        bool Replay(double upTo)
        {
            while (ev < res.Events.Count && res.Events[ev].Time <= upTo)
            {
                var e = res.Events[ev++];
                modes[unitOf[e.Coordinate]] = e.NewMode;
                if (!run.AddEvent(e)) return false;
            }
            modes.CopyTo(run.Modes);
            return true;
        }

        HeatStatus? stop = null;
        double tPrev = 0, tLast = 0;
        for (int i = 0; i < res.Times.Length && stop is null; i++)
        {
            double t = res.Times[i];
            if (!Replay(t)) { stop = HeatStatus.EventLimit; break; }
            stop = run.Sample(t, res.States[i], t - tPrev);
            tPrev = tLast = t;
        }
        var stats = new HeatStatistics(res.Products + res.InverseProducts + run.ExtraNfev, 0, 0, res.Steps, 0, run.Switches, run.SlidingEpisodes, 0);
        string detail = $"Krylov, {res.Steps} steps, {res.Products} products with M and {res.InverseProducts} with M⁻¹, {res.PatternSolves} patterns, "
            + $"summed error bound {res.ErrorBound:e2}";
        if (stop is not null) return run.Finish(stop.Value, tLast, res.States[^1], Stats(), null, detail);

        double tEnd = res.FinalTime;
        if (!Replay(double.IsPositiveInfinity(tEnd) ? double.MaxValue : tEnd))
            return run.Finish(HeatStatus.EventLimit, tEnd, res.FinalState, Stats(), null, detail);
        if (double.IsPositiveInfinity(tEnd))
        {
            // Certified final pattern and no end time: the state is the limit itself.
            run.SetConverged(tLast, "the Krylov integrator certified the final pattern; its c* is the limit");
            return run.Finish(HeatStatus.Converged, tLast, res.FinalState, Stats(), res.Limit, detail);
        }
        if (tEnd > tLast)
        {
            stop = run.Sample(tEnd, res.FinalState, tEnd - tLast);
            if (stop is HeatStatus s) return run.Finish(s, tEnd, res.FinalState, Stats(), null, detail);
        }
        HeatStatus status = res.Status switch
        {
            KrylovStatus.EventLimit => HeatStatus.EventLimit,
            KrylovStatus.StepLimit => HeatStatus.StepLimit,
            KrylovStatus.Cancelled => HeatStatus.Interrupted,
            KrylovStatus.Failed => HeatStatus.NumericalFailure,
            _ => HeatStatus.EndTimeReached,
        };
        if (res.Status == KrylovStatus.ReachedDistance)
        {
            // Its own stop: within StopDistance of c*_σ of a consistent pattern, a stationary point of the flow. The sample above
            // would have said Converged had that point been the target; it is not, so the flow rests elsewhere.
            detail += $"; stopped within {o.StopDistance:e2} of a stationary point that is not the target (it rests elsewhere)";
        }
        return run.Finish(status, tEnd, res.FinalState, Stats(), null, detail);

        HeatStatistics Stats() => stats with { Nfev = res.Products + res.InverseProducts + run.ExtraNfev };
    }
}

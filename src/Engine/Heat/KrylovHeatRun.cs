namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// Krylov through the facade: one <see cref="KrylovPiecewiseIntegrator"/> run (which locates switches exactly and stops itself at
/// StopDistance by bisection on its model), sampled at t = 0 and on the same log-spaced grid as the exact method. Its samples and
/// events reach the observer as they are made, so progress logs, StopForce and observer stops work as for the other methods.
/// </summary>
internal static class KrylovHeatRun
{
    /// <summary>
    /// Continues a run from (<paramref name="startTime"/>, <paramref name="initial"/>) with the modes in <see cref="HeatRun.Modes"/>
    /// (a hand-off: the sample at the start was already made); <paramref name="before"/> holds the earlier phase's work counters,
    /// <paramref name="detailPrefix"/> describes it.
    /// </summary>
    public static HeatSolution Run(HeatRun run, ReadOnlySpan<double> initial, KrylovPiecewiseFlow flow, double startTime, HeatStatistics? before, string detailPrefix)
    {
        var eq = run.Equation;
        var o = run.Problem;
        var times = new List<double>();
        if (startTime == 0) times.Add(0);
        times.AddRange(ExactHeatRun.Grid(flow.SamplesPerDecade, o.EndTime).Where(t => t > startTime));
        // The integrator measures the distance to c*_σ, the samples to the target: aim a hair inside StopDistance so that the two
        // (equal up to rounding and the model's error, ~1e−13) agree at the stop; the time found is later by ~1e−6 relative.
        double stopDistance = 0;
        var distanceRule = o.Rule<DistanceStop>();
        if (distanceRule is not null)
        {
            double d = distanceRule.Tolerance;
            stopDistance = Math.Max(d - Math.Max(1e-6 * d, 1e-14 * (1 + Numerics.MaxAbs(distanceRule.Target))), 0);
        }

        var unitOf = new Dictionary<int, int>();
        for (int u = 0; u < eq.SwitchingCount; u++) unitOf[eq.SwitchingCoordinates[u]] = u;
        var modes = new UnitMode[eq.SwitchingCount];
        eq.ModesFromState(initial, modes);
        var handedOver = startTime > 0 ? (UnitMode[])run.Modes.Clone() : null;
        HeatStatus? stop = null;
        double tPrev = startTime, tStop = startTime;
        double[]? stopState = null;
        bool OnEvent(HeatEvent e)
        {
            int unit = unitOf[e.Coordinate];
            modes[unit] = e.NewMode;
            // A unit sliding at the hand-off is classified again at the start: the same episode, not a new one.
            if (handedOver is not null && e.Time == startTime && handedOver[unit] == e.NewMode) return true;
            if (run.AddEvent(e)) return true;
            stop = HeatStatus.EventLimit;
            return false;
        }
        bool OnOutput(double t, double[] state)
        {
            modes.CopyTo(run.Modes);
            var s = run.Sample(t, state, t - tPrev);
            tPrev = t;
            if (s is null) return true;
            (stop, tStop, stopState) = (s, t, state);
            return false;
        }

        // Atol bounds the 2-norm error each Krylov step may add (the model's a-posteriori bound).
        using var integrator = new KrylovPiecewiseIntegrator(eq, maxBasis: flow.MaxBasis, tolerance: flow.Tolerance, minBasis: flow.MinBasis,
            threads: flow.Threads);
        var res = integrator.Run(initial, times, o.EndTime, stopDistance, Math.Max(o.MaxEvents - run.Events.Count, 0), o.MaxSteps, run.Cancellation, OnOutput, OnEvent, startTime);
        var b = before ?? new HeatStatistics(0, 0, 0, 0, 0, 0, 0, 0);
        var stats = new HeatStatistics(b.Nfev + res.Products + res.InverseProducts + run.ExtraNfev, b.Njev, b.Nlu, b.Accepted + res.Steps, b.Rejected,
            run.Switches, run.SlidingEpisodes, 0);
        string detail = detailPrefix + $"Krylov, {res.Steps} steps, {res.Products} products with M and {res.InverseProducts} with M⁻¹, {res.PatternSolves} patterns, "
            + $"summed error bound {res.ErrorBound:e2}";
        // Only an adaptive allowance makes the basis sizes worth reporting (a fixed one keeps the detail as it was).
        if (flow.MinBasis is int min && min < flow.MaxBasis)
            detail += $", basis {min} to {flow.MaxBasis} vectors (largest used {res.LargestBasis}, {(double)res.BasisVectors / Math.Max(res.Steps, 1):f1} per step)";
        if (stop is HeatStatus stopped)
        {
            // A sample's stop is at that sample; an event cap at the event, where the integrator ended its step.
            return stopState is null
                ? run.Finish(stopped, res.FinalTime, res.FinalState, stats, null, detail)
                : run.Finish(stopped, tStop, stopState, stats, null, detail);
        }

        double tEnd = res.FinalTime;
        if (double.IsPositiveInfinity(tEnd))
        {
            // Certified final pattern and no end time: the state is the limit itself.
            run.SetConverged(tPrev, StopReason.ExactLimit, "the Krylov integrator certified the final pattern; its c* is the limit");
            return run.Finish(HeatStatus.Converged, tPrev, res.FinalState, stats, res.Limit, detail);
        }
        if (tEnd > tPrev && res.Status is KrylovStatus.ReachedDistance or KrylovStatus.ReachedEnd)
        {
            modes.CopyTo(run.Modes);
            if (run.Sample(tEnd, res.FinalState, tEnd - tPrev) is HeatStatus s) return run.Finish(s, tEnd, res.FinalState, stats, null, detail);
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
            // Within StopDistance of c*_σ of a consistent pattern, a stationary point of the flow; the sample above would have said
            // Converged had that point been the target. It is not, so the flow rests elsewhere.
            detail += $"; stopped within {distanceRule?.Tolerance:e2} of a stationary point that is not the target (it rests elsewhere)";
        }
        return run.Finish(status, tEnd, res.FinalState, stats, null, detail);
    }
}

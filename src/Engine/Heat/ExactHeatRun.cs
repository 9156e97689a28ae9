using System.Collections.Concurrent;

namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// ExactPiecewise through the facade: one <see cref="ExactPiecewiseIntegrator"/> run, then samples of its closed form at t = 0, at
/// every event time and on a log-spaced grid from 1e−3; a stop criterion met between two samples is located by bisection on the
/// closed form (relative 1e−6).
/// </summary>
internal static class ExactHeatRun
{
    private const double GridStart = 1e-3;
    private const double BisectionTolerance = 1e-6;

    public static HeatSolution Run(HeatRun run, ReadOnlySpan<double> initial, ExactPiecewiseFlow flow)
    {
        var eq = run.Equation;
        var o = run.Problem;
        int n = eq.FreeDimension;
        var res = new ExactPiecewiseIntegrator(eq, flow.SharedPatterns, ownCopy: false).Run(initial, null, o.EndTime, o.MaxEvents);
        var path = res.Trajectory!;
        double[]? limit = res.Limit;
        bool criteria = run.HasStateRules;
        double horizon = res.Status == ExactStatus.EventLimit ? Math.Min(res.FinalTime, o.EndTime) : o.EndTime;
        var state = new double[n];
        long segmentsUsed = 1;
        int nextEvent = 0;
        double tPrev = 0, t = 0;
        HeatStatus? stop = null;
        double limitScale = limit is null ? 0 : 1e-15 * (1 + Numerics.MaxAbs(limit));
        // The sample grid is made as it is walked: a run that converges at t ≈ 100 does not build the grid up to an end time of 1e6.
        var grid = new GridWalk(flow.SamplesPerDecade, horizon);
        bool first = true;
        // Samples nobody sees (no observer; a distance rule alone): one provably farther than the rule's tolerance from its target
        // only moves the bracket's lower end, so its state is not evaluated (stale until a sample is) and the numbers are unchanged.
        var bound = run.UnobservedDistanceRule is { } rule ? new DistanceBound(path, rule.Target.ToArray(), rule.Tolerance) : null;
        bool stale = false;
        while (true)
        {
            if (run.Cancellation.IsCancellationRequested) { stop = HeatStatus.Interrupted; break; }
            // Next sample: the earlier of the next event time and the next grid time (t = 0 first).
            double tEvent = nextEvent < res.Events.Count ? res.Events[nextEvent].Time : double.PositiveInfinity;
            double tGrid = grid.Current;
            if (first) t = 0;
            else t = Math.Min(tEvent, tGrid);
            if (double.IsPositiveInfinity(t))
            {
                t = tPrev;
                break;
            }
            if (!first && tGrid <= tEvent) grid.Advance();
            while (nextEvent < res.Events.Count && res.Events[nextEvent].Time <= t)
            {
                if (!run.AddEvent(res.Events[nextEvent++])) stop = HeatStatus.EventLimit;
            }
            if (stop is not null) break;
            if (!first && bound is not null && bound.Exceeds(t))
            {
                tPrev = t;
                stale = true;
                continue;
            }
            stale = false;
            path.StateAt(t, state);
            path.ModesAt(t).CopyTo(run.Modes);
            if (!first && criteria && run.Met(state, default, out _))
            {
                // Met between the previous sample and this one: bisection on the closed form for the first time it holds.
                double lo = tPrev, hi = t;
                var probe = new double[n];
                while (hi - lo > BisectionTolerance * hi)
                {
                    double mid = 0.5 * (lo + hi);
                    if (bound is not null && bound.Exceeds(mid))
                    {
                        lo = mid;
                        continue;
                    }
                    path.StateAt(mid, probe);
                    path.ModesAt(mid).CopyTo(run.Modes);
                    if (run.Met(probe, default, out _)) hi = mid;
                    else lo = mid;
                }
                t = hi;
                path.StateAt(t, state);
                path.ModesAt(t).CopyTo(run.Modes);
            }
            first = false;
            stop = run.Sample(t, state, t - tPrev);
            tPrev = t;
            if (stop is not null) break;
            if (!criteria && limit is not null && Numerics.MaxAbsDifference(state, limit) <= limitScale)
            {
                run.SetConverged(t, StopReason.ExactLimit, $"the closed form reached its exact limit c* (‖c − c*‖∞ ≤ {limitScale:e2}) after {res.Events.Count} events");
                stop = HeatStatus.Converged;
                break;
            }
        }
        // Every way out of the loop leaves the state of the last sample, at tPrev.
        if (stale) path.StateAt(tPrev, state);
        if (stop is null)
        {
            // The grid ended at the horizon: the end time, or the cap's unprocessed switch.
            stop = res.Status == ExactStatus.EventLimit && horizon < o.EndTime ? HeatStatus.EventLimit : HeatStatus.EndTimeReached;
            if (tPrev < horizon)
            {
                path.StateAt(horizon, state);
                t = horizon;
            }
        }
        for (int i = 1; i < path.PieceCount; i++)
            if (path.PieceStart(i) <= t) segmentsUsed++;
        var stats = new HeatStatistics(run.ExtraNfev, 0, 0, segmentsUsed, 0, run.Switches, run.SlidingEpisodes, res.Eigendecompositions);
        return run.Finish(stop.Value, t, state, stats, limit, $"exact piecewise, {res.Segments} segments, {res.Eigendecompositions} eigendecompositions");
    }


    /// <summary>1e−3 · 10^{k/perDecade} for k = 0, 1, … up to <paramref name="end"/>, with <paramref name="end"/> itself last.</summary>
    internal static List<double> Grid(int perDecade, double end)
    {
        var g = new List<double>();
        for (var walk = new GridWalk(perDecade, end); !double.IsPositiveInfinity(walk.Current); walk.Advance()) g.Add(walk.Current);
        return g;
    }

    /// <summary>The points of <see cref="Grid"/> one after another (+∞ after the last).</summary>
    private struct GridWalk(int perDecade, double end)
    {
        private int _k;
        private bool _past;

        public double Current { readonly get; private set; } = Point(0, perDecade, end);

        public void Advance()
        {
            if (_past || Current >= end)
            {
                _past = true;
                Current = double.PositiveInfinity;
                return;
            }
            Current = Point(++_k, perDecade, end);
        }

        // The points up to 1e9 are computed once per density: a run walks a hundred or more of them, and Math.Pow costs more
        // than the rest of a skipped sample. The table holds the values Raw gives, so the grid is the same either way.
        private static readonly ConcurrentDictionary<int, double[]> Tables = new();

        private static double Point(int k, int perDecade, double end)
        {
            var table = Tables.GetOrAdd(perDecade, static pd => [.. Enumerable.Range(0, 12 * pd + 1).Select(j => Raw(j, pd))]);
            double t = k < table.Length ? table[k] : Raw(k, perDecade);
            return t >= end ? end : t;
        }

        private static double Raw(int k, int perDecade) => GridStart * Math.Pow(10, (double)k / perDecade);
    }
}

using ResidualSheaf.Engine.Integration;

namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// RkcKrylov: switching-aware RKC while switches keep coming (each costs RKC a few force evaluations, the Krylov flow a new basis),
/// then the exact Krylov flow for the rest. The hand-off matters for the tail: there the state decays like e^{−αλ_min t} and RKC's
/// damped Chebyshev polynomial, whose error control sees only the absolute error, decays it too slowly once that error is below
/// tolerance; the Krylov flow resolves the slow modes exactly (measured on 20 blocks of width 64: RKC alone stalls at 1.4e−8 at
/// rtol 1e−6).
/// </summary>
internal static class RkcKrylovHeatRun
{
    public static HeatSolution Run(HeatRun run, ReadOnlySpan<double> initial)
    {
        var o = run.Options;
        var handoff = new OdeHeatRun.Handoff(o.HandoffQuietSteps, (t, state, before) =>
            KrylovHeatRun.Run(run, state, t, before, $"RKC switching-aware to t = {t:g6} ({before.Accepted} steps, {before.Nfev} evaluations), then "));
        return OdeHeatRun.Run(run, initial, switching: true, new Rkc(), handoff);
    }
}

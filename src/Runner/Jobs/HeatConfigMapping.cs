using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.Integration;
using ResidualSheaf.Runner.Config;

namespace ResidualSheaf.Runner.Jobs;

/// <summary>
/// The one mapping from a config's <c>heat</c> section to the engine's (problem, algorithm), shared by the heat job and the hunts;
/// the decisions themselves (auto thresholds, κ) live in the engine (<see cref="AutoFlow"/>).
/// </summary>
public static class HeatConfigMapping
{
    /// <summary>The ODE method of a config spelling (any name in <see cref="OdeAlgorithms.Names"/>; resolve auto first).</summary>
    /// <exception cref="ArgumentException">An unknown name.</exception>
    public static OdeAlgorithm Integrator(string name) => OdeAlgorithms.Create(name);

    /// <summary>The config spelling of an ODE method.</summary>
    public static string IntegratorName(OdeAlgorithm a) => OdeAlgorithms.NameOf(a);

    /// <summary>
    /// The integrator spelling with <c>auto</c> resolved from κ of L_free at the pattern of <paramref name="patternCochain"/>
    /// (a full cochain, e.g. the expected limit).
    /// </summary>
    public static string ResolveIntegrator(string integrator, HeatEquation equation, ReadOnlySpan<double> patternCochain) =>
        integrator != "auto" ? integrator : IntegratorName(AutoFlow.ChooseIntegrator(equation, patternCochain));

    /// <summary>The integrator spelling with <c>auto</c> resolved from the size and λ_min, λ_max of L_free.</summary>
    public static string ResolveIntegrator(string integrator, int freeDimension, double lambdaMin, double lambdaMax) =>
        integrator != "auto" ? integrator : IntegratorName(AutoFlow.ChooseIntegrator(freeDimension, lambdaMin, lambdaMax));

    /// <summary>
    /// The method spelling with <c>auto</c> resolved by size (other names pass through); with a smooth output head never a
    /// piecewise-linear method (switching-aware at every size, as <see cref="AutoFlow"/> chooses).
    /// </summary>
    public static string ResolveMethod(string method, int freeDimension, bool smoothHead = false) =>
        method != "auto" ? method : AutoFlow.IsLarge(freeDimension) && !smoothHead ? "rkc-krylov" : "switching-aware";

    /// <summary>
    /// The algorithm of a heat section: <paramref name="method"/> and <paramref name="integrator"/> are the section's spellings with
    /// auto resolved (<see cref="ResolveMethod"/>, <see cref="ResolveIntegrator(string, HeatEquation, ReadOnlySpan{double})"/>).
    /// </summary>
    public static HeatAlgorithm Algorithm(HeatConfig h, string method, string integrator) => method switch
    {
        "switching-aware" or "plain" => new OdeFlow(Integrator(integrator), FrozenModes: method == "switching-aware") { Rtol = h.Rtol, Atol = h.Atol },
        "exact" => new ExactPiecewiseFlow(),
        "krylov" => Krylov(h, new KrylovPiecewiseFlow { Tolerance = h.KrylovTolerance ?? h.Atol }),
        "rkc-krylov" => RkcKrylov(h, HandoffFlow.RkcKrylov(h.Rtol, h.Atol, h.KrylovTolerance ?? h.Atol, h.HandoffQuietSteps)),
        "authors-euler" => new FixedStepEuler(h.EulerDt),
        _ => throw new ArgumentException($"unknown method '{method}'", nameof(method)),
    };

    /// <summary>
    /// The section's basis sizes and threads (<c>krylov_basis</c>, <c>krylov_min_basis</c>, <c>krylov_threads</c>) on a Krylov flow;
    /// absent fields keep its defaults.
    /// </summary>
    private static KrylovPiecewiseFlow Krylov(HeatConfig h, KrylovPiecewiseFlow flow) => flow with
    {
        MaxBasis = h.KrylovBasis ?? flow.MaxBasis,
        MinBasis = h.KrylovMinBasis ?? flow.MinBasis,
        Threads = h.KrylovThreads ?? flow.Threads,
    };

    /// <summary>The hand-off with the section's basis sizes on its Krylov tail.</summary>
    private static HandoffFlow RkcKrylov(HeatConfig h, HandoffFlow flow) => flow with { Then = Krylov(h, flow.Then) };

    /// <summary>
    /// The problem of a heat section: time span, limits and stop rules in the order they are checked — distance to
    /// <paramref name="target"/> (not for authors-euler, which stops by its own rule so its step counts stay comparable with the
    /// authors'), force, the plateau rule (only with a target), and the Euler change rule.
    /// </summary>
    public static HeatProblem Problem(HeatConfig h, HeatEquation equation, double[] initial, double[]? target)
    {
        bool euler = h.Method == "authors-euler";
        var rules = new List<StopRule>();
        if (target is not null && !euler) rules.Add(new DistanceStop(target, h.StopDistance));
        if (h.StopForce is double f) rules.Add(new ForceStop(f));
        if (target is not null && !euler && h.PlateauWindow > 0)
            rules.Add(new PlateauStop(h.PlateauWindow, target, PlateauStop.DistanceFactor * h.StopDistance));
        if (euler) rules.Add(new ChangeStop(h.EulerTolerance));
        return new HeatProblem(equation, initial) { EndTime = h.EndTime, MaxSteps = h.MaxSteps, MaxEvents = h.MaxEvents, StopRules = rules };
    }

    /// <summary>
    /// The section of a hunt's tightened re-run: the verification tolerances (the Krylov bound follows atol), and for Euler ten times
    /// smaller steps and change tolerance (its "tolerance" is the step).
    /// </summary>
    public static HeatConfig Tightened(HeatConfig h, double rtol, double atol) => h with
    {
        Rtol = rtol,
        Atol = atol,
        KrylovTolerance = null,
        EulerDt = h.EulerDt / 10,
        EulerTolerance = h.EulerTolerance / 10,
    };

    /// <summary>The config spelling of a concrete algorithm (for summaries).</summary>
    public static string MethodName(HeatAlgorithm a) => a switch
    {
        OdeFlow { FrozenModes: true } => "switching-aware",
        OdeFlow => "plain",
        ExactPiecewiseFlow => "exact",
        KrylovPiecewiseFlow => "krylov",
        HandoffFlow => "rkc-krylov",
        FixedStepEuler => "authors-euler",
        _ => a.Name,
    };
}

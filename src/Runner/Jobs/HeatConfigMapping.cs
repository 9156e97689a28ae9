using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.Integration;

namespace ResidualSheaf.Runner.Jobs;

/// <summary>Config spellings of methods and integrators → engine objects.</summary>
public static class HeatConfigMapping
{
    /// <summary>
    /// Above this many free coordinates <c>auto</c> picks rkc-krylov: DP5 and Rodas4 are stability- or memory-limited there, dense
    /// eigendecompositions cost O(n³) per pattern, and the Krylov flow pays a new basis per switch (bench/…/LargeStackReport.md:
    /// 7 680 free coordinates, ~4 000 switches: krylov 68 s, rkc-krylov 7.1 s at rtol 1e−6).
    /// </summary>
    public const int LargeProblem = 2000;

    /// <summary>Resolves method <c>auto</c> by size (other names pass through).</summary>
    public static string ResolveMethod(string method, int freeDimension) =>
        method != "auto" ? method : freeDimension <= LargeProblem ? "switching-aware" : "rkc-krylov";

    /// <summary>switching-aware | plain | exact | authors-euler | krylov | rkc-krylov (resolve auto first).</summary>
    public static HeatMethod Method(string name) => name switch
    {
        "krylov" => HeatMethod.Krylov,
        "rkc-krylov" => HeatMethod.RkcKrylov,
        "plain" => HeatMethod.Plain,
        "exact" => HeatMethod.ExactPiecewise,
        "authors-euler" => HeatMethod.AuthorsEuler,
        "switching-aware" => HeatMethod.SwitchingAware,
        _ => throw new ArgumentException($"unknown method '{name}'", nameof(name)),
    };

    /// <summary>
    /// Above this condition number of L_free at the limit's pattern, <c>auto</c> picks Rodas4: an explicit method's step is capped
    /// near 3.3/(αλ_max) while the flow needs time ~1/(αλ_min), so κ is the factor of wasted steps (measured on the lab block at
    /// weight scale ≈ 9, κ ≈ 3e4: DP5 ~1e6 evaluations and spurious energy increases, Rodas4 ~4e3 and none).
    /// </summary>
    public const double StiffConditionNumber = 1e3;

    /// <summary>
    /// Up to this many free coordinates <c>auto</c> always picks Rodas4: its dense LU is then cheaper than the explicit steps it
    /// saves, and κ at the limit's pattern misses stiffness met in other patterns on the way (measured on 600 lab-block hunt
    /// cases: DP5-by-κ 2 295 cases/min with a heavy tail of 1e6-evaluation runs, Rodas4 throughout 13 091 cases/min).
    /// </summary>
    public const int SmallProblem = 200;

    /// <summary>Resolves <c>auto</c> from the size and λ_min, λ_max of L_free (other names pass through).</summary>
    public static string Resolve(string integrator, int freeDimension, double lambdaMin, double lambdaMax) =>
        integrator != "auto" ? integrator
        : freeDimension <= SmallProblem || !(lambdaMin > 0) || lambdaMax / lambdaMin > StiffConditionNumber ? "rodas4" : "dp5";

    /// <summary>A name registered in <see cref="OdeAlgorithms"/> (dp5 | bs3 | dop853 | rodas4 | rkc | tsit5).</summary>
    public static OdeAlgorithm Algorithm(string name) => OdeAlgorithms.TryCreate(name, out OdeAlgorithm? a) ? a : throw new ArgumentException($"unknown integrator '{name}'", nameof(name));
}

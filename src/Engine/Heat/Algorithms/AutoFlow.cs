using ResidualSheaf.Engine.Integration;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Engine.Spectra;

namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// Chooses the method and, for switching-aware runs, the integrator from the size of the problem and the conditioning of L_free
/// (DifferentialEquations.jl's <c>AutoAlgSwitch</c> in spirit, decided once before the run). <see cref="Resolve"/> gives the concrete
/// algorithm; solving with an <see cref="AutoFlow"/> resolves at the initial state's pattern.
/// </summary>
public sealed record AutoFlow : HeatAlgorithm
{
    /// <summary>
    /// Above this many free coordinates the Krylov hand-off method is chosen: DP5 and Rodas4 are stability- or memory-limited there,
    /// dense eigendecompositions cost O(n³) per pattern, and the pure Krylov flow pays a new basis per switch
    /// (bench/ResidualSheaf.Benchmarks/LargeStackReport.md).
    /// </summary>
    public const int LargeProblem = 2000;

    /// <summary>
    /// Up to this many free coordinates Rodas4 is always chosen: its dense LU is then cheaper than the explicit steps it saves, and
    /// κ at one pattern misses stiffness met in other patterns on the way (hunt throughput measured in the same report).
    /// </summary>
    public const int SmallProblem = 200;

    /// <summary>
    /// Above this condition number of L_free Rodas4 is chosen: an explicit method's step is capped near 3.3/(αλ_max) while the flow
    /// needs time ~1/(αλ_min), so κ is the factor of wasted steps.
    /// </summary>
    public const double StiffConditionNumber = 1e3;

    /// <summary>Relative tolerance of the chosen integrator.</summary>
    public double Rtol { get; init; } = 1e-8;

    /// <summary>Absolute tolerance of the chosen integrator.</summary>
    public double Atol { get; init; } = 1e-10;

    /// <summary>Error bound per Krylov step of the large-problem method (null: <see cref="Atol"/>).</summary>
    public double? KrylovTolerance { get; init; }

    /// <summary>Quiet steps before the hand-off of the large-problem method.</summary>
    public int HandoffQuietSteps { get; init; } = 20;

    /// <summary>The integrator of a switching-aware choice (null: chosen by <see cref="ChooseIntegrator(HeatEquation, ReadOnlySpan{double})"/>).</summary>
    public OdeAlgorithm? Integrator { get; init; }

    /// <inheritdoc/>
    public override string Name => "auto";

    /// <inheritdoc/>
    public override void Validate()
    {
        CheckPositive(Rtol, nameof(Rtol));
        CheckPositive(Atol, nameof(Atol));
        if (KrylovTolerance is double kt) CheckPositive(kt, nameof(KrylovTolerance));
        if (HandoffQuietSteps < 1)
            throw new ArgumentException($"{nameof(HandoffQuietSteps)} must be at least 1 (got {HandoffQuietSteps}).", nameof(HandoffQuietSteps));
    }

    /// <summary>True when <see cref="Resolve"/> picks the large-problem method for an equation with this many free coordinates.</summary>
    public static bool IsLarge(int freeDimension) => freeDimension > LargeProblem;

    /// <summary>
    /// The concrete algorithm: switching-aware up to <see cref="LargeProblem"/> free coordinates (integrator <see cref="Integrator"/>,
    /// or chosen from κ of L_free at the pattern of <paramref name="patternCochain"/>, a full cochain, e.g. the expected limit), the
    /// RKC → Krylov hand-off above; never a piecewise-linear method with a smooth output head (switching-aware RKC instead above the
    /// threshold, switching-aware Rodas4 below it).
    /// </summary>
    public HeatAlgorithm Resolve(HeatEquation equation, ReadOnlySpan<double> patternCochain)
    {
        ArgumentNullException.ThrowIfNull(equation);
        // The Krylov tail needs a piecewise-linear flow, which a smooth output head breaks: a large headed problem gets RKC alone.
        if (IsLarge(equation.FreeDimension) && equation.HasSmoothHead)
            return new OdeFlow(Integrator ?? new Rkc()) { Rtol = Rtol, Atol = Atol };
        if (IsLarge(equation.FreeDimension))
            return HandoffFlow.RkcKrylov(Rtol, Atol, KrylovTolerance ?? Atol, HandoffQuietSteps);
        return new OdeFlow(Integrator ?? ChooseIntegrator(equation, patternCochain)) { Rtol = Rtol, Atol = Atol };
    }

    /// <summary>
    /// Rodas4 for small or stiff problems, else DP5, from κ of L_free at the pattern of <paramref name="patternCochain"/> (a full
    /// cochain); above <see cref="LargeProblem"/> free coordinates L_free is not formed and DP5 is returned.
    /// </summary>
    public static OdeAlgorithm ChooseIntegrator(HeatEquation equation, ReadOnlySpan<double> patternCochain)
    {
        ArgumentNullException.ThrowIfNull(equation);
        if (IsLarge(equation.FreeDimension)) return new DormandPrince54();
        // The head's curvature makes κ of the linear L_free meaningless (a_out has no linear edge, so λ_min = 0): choose Rodas4,
        // which gets the head's exact Jacobian.
        if (equation.HasSmoothHead) return new Rodas4();
        var problem = equation.Problem;
        var ev = DirichletDiagnostics.SymmetricEigenvalues(problem.FreeLaplacian(MaskPattern.From(problem.Sheaf, patternCochain)));
        return ChooseIntegrator(equation.FreeDimension, ev[0], ev[^1]);
    }

    /// <summary>Rodas4 when n ≤ <see cref="SmallProblem"/>, λ_min ≤ 0 or κ = λ_max/λ_min &gt; <see cref="StiffConditionNumber"/>; else DP5.</summary>
    public static OdeAlgorithm ChooseIntegrator(int freeDimension, double lambdaMin, double lambdaMax) =>
        freeDimension <= SmallProblem || !(lambdaMin > 0) || lambdaMax / lambdaMin > StiffConditionNumber ? new Rodas4() : new DormandPrince54();

    internal override HeatSolution Run(HeatRun run, ReadOnlySpan<double> initial)
    {
        var chosen = Resolve(run.Equation, run.Equation.Problem.Embed(initial));
        return HeatSolver.Solve(run.Problem, chosen, run.Observer, run.Cancellation);
    }
}

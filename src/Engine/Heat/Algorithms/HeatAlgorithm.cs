namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// How to integrate a <see cref="HeatProblem"/>: a value carrying its own parameters (DifferentialEquations.jl's algorithm). Pass it
/// to <see cref="HeatSolver.Solve"/>.
/// </summary>
/// <remarks>
/// Extension contract: a new method is one record deriving from this class. It validates its parameters in <see cref="Validate"/>,
/// refuses problems it cannot solve in <see cref="Unsupported"/> (with a reason a user can act on), and in <see cref="Run"/> drives
/// the shared run (<c>HeatRun</c>): it reports every sample through <c>run.Sample</c> (which applies the stop rules and calls the
/// observer), every switch through <c>run.AddEvent</c>, and ends with <c>run.Finish</c>; it checks the cancellation token once per
/// step or sample and never throws on a numerical failure.
/// </remarks>
public abstract record HeatAlgorithm
{
    /// <summary>A short readable name.</summary>
    public abstract string Name { get; }

    /// <summary>Throws an <see cref="ArgumentException"/> (ParamName = the parameter) for the first invalid parameter.</summary>
    public virtual void Validate()
    {
    }

    /// <summary>Null when this algorithm can solve <paramref name="problem"/>, else the reason it cannot.</summary>
    public virtual string? Unsupported(HeatProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        if (NeedsPiecewiseLinearFlow && problem.Equation.HasSmoothHead)
            return "it solves the piecewise-linear flow in closed form, and a smooth output head (sigmoid, softmax) makes the force " +
                "nonlinear between switches; use switching-aware, plain or authors-euler";
        return problem.Rule<ChangeStop>() is not null
            ? "the change rule max|Δc| < tol is a rule of fixed-step Euler; use a distance or force rule with this method"
            : null;
    }

    /// <summary>
    /// True for methods that integrate each activation pattern's affine flow exactly (exact, Krylov): they refuse sheaves with a
    /// smooth output head.
    /// </summary>
    protected virtual bool NeedsPiecewiseLinearFlow => false;

    internal abstract HeatSolution Run(HeatRun run, ReadOnlySpan<double> initial);

    /// <summary>Throws unless <paramref name="value"/> is finite and positive.</summary>
    protected static void CheckPositive(double value, string name)
    {
        if (!double.IsFinite(value) || value <= 0) throw new ArgumentException($"{name} must be finite and positive (got {value}).", name);
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}

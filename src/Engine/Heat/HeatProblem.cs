namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// What to solve: the heat equation (its Dirichlet problem, α and soft pins), the initial free coordinates, the time span, the stop
/// rules and the limits after which a run gives up. Immutable; one problem may be solved by several algorithms.
/// </summary>
public sealed record HeatProblem
{
    private readonly double[] _initial;

    /// <summary>Creates the problem; the initial state is copied.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="equation"/> is null.</exception>
    /// <exception cref="ArgumentException">The initial state's length is not the number of free coordinates.</exception>
    public HeatProblem(HeatEquation equation, ReadOnlySpan<double> initial)
    {
        ArgumentNullException.ThrowIfNull(equation);
        if (initial.Length != equation.FreeDimension)
            throw new ArgumentException($"initial state has length {initial.Length}; the problem has {equation.FreeDimension} free coordinates", nameof(initial));
        Equation = equation;
        _initial = initial.ToArray();
    }

    /// <summary>The equation (shares its workspaces: a problem is solved by one thread at a time).</summary>
    public HeatEquation Equation { get; }

    /// <summary>Initial free coordinates (may be non-finite: the run then ends at once with <see cref="HeatStatus.NonFiniteState"/>).</summary>
    public ReadOnlySpan<double> Initial => _initial;

    /// <summary>End time (finite, &gt; 0).</summary>
    public double EndTime { get; init; } = 1e4;

    /// <summary>Rules that end the run when they hold at a sample (checked in order; state rules before history rules).</summary>
    public IReadOnlyList<StopRule> StopRules { get; init; } = [];

    /// <summary>Maximum step attempts (ODE), Krylov steps or Euler steps before <see cref="HeatStatus.StepLimit"/>.</summary>
    public int MaxSteps { get; init; } = 1_000_000;

    /// <summary>Maximum number of switching events before <see cref="HeatStatus.EventLimit"/>.</summary>
    public int MaxEvents { get; init; } = 100_000;

    /// <summary>The first rule of type <typeparamref name="T"/>, or null.</summary>
    public T? Rule<T>() where T : StopRule => StopRules.OfType<T>().FirstOrDefault();

    /// <summary>Throws an <see cref="ArgumentException"/> whose ParamName names the first invalid field.</summary>
    public void Validate()
    {
        if (!double.IsFinite(EndTime) || EndTime <= 0)
            throw new ArgumentException($"{nameof(EndTime)} must be finite and positive (got {EndTime}).", nameof(EndTime));
        if (MaxSteps <= 0) throw new ArgumentException($"{nameof(MaxSteps)} must be positive (got {MaxSteps}).", nameof(MaxSteps));
        if (MaxEvents < 0) throw new ArgumentException($"{nameof(MaxEvents)} must be non-negative (got {MaxEvents}).", nameof(MaxEvents));
        ArgumentNullException.ThrowIfNull(StopRules, nameof(StopRules));
        foreach (var rule in StopRules)
        {
            if (rule is null) throw new ArgumentException("a stop rule is null", nameof(StopRules));
            rule.Validate(Equation.FreeDimension);
        }
    }
}

namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// A rule that ends a heat run when it holds at a sample. Rules are immutable parts of a <see cref="HeatProblem"/>; the state a rule
/// keeps during one run (a time window, say) lives in the <see cref="StopCheck"/> that <see cref="Start"/> creates for that run.
/// </summary>
/// <remarks>
/// Extension contract: derive from this class, return a fresh <see cref="StopCheck"/> from <see cref="Start"/>, and say through
/// <see cref="IsStateFunction"/> whether the rule depends on the state alone (then the exact method may locate its first time by
/// bisection between samples, and <see cref="HeatStatus.Converged"/> is reported when it fires) or on the history (then it is
/// checked at samples only, after the observer has seen the sample).
/// </remarks>
public abstract class StopRule
{
    /// <summary>The reason a run reports when this rule ends it.</summary>
    public abstract StopReason Reason { get; }

    /// <summary>
    /// True when the rule is a function of the state (and modes) alone: it is checked before the observer sees the sample, may be
    /// located by bisection, and ends the run as <see cref="HeatStatus.Converged"/>. False for history rules (checked after the
    /// observer; the run ends with <see cref="HeatStatus.StoppedByRule"/>).
    /// </summary>
    public abstract bool IsStateFunction { get; }

    /// <summary>Checks the problem's dimensions; throws <see cref="ArgumentException"/> naming the rule's field.</summary>
    /// <param name="freeDimension">|Ω| of the problem.</param>
    public virtual void Validate(int freeDimension)
    {
    }

    /// <summary>The per-run check (fresh state for every run).</summary>
    public abstract StopCheck Start(HeatEquation equation);
}

/// <summary>One run's instance of a <see cref="StopRule"/>.</summary>
public abstract class StopCheck
{
    /// <summary>
    /// True when the rule holds at <paramref name="sample"/>; <paramref name="because"/> then says why in words (it goes into the
    /// solution's message).
    /// </summary>
    public abstract bool IsMet(in HeatSample sample, out string because);

    /// <summary>
    /// Whether the rule holds at <paramref name="sample"/>, without the words (a bisection for the first time a rule holds asks
    /// this at every probe, and formatting the reason each time would cost more than the check); by default <see cref="IsMet"/>.
    /// Must agree with <see cref="IsMet"/>.
    /// </summary>
    public virtual bool Holds(in HeatSample sample) => IsMet(sample, out _);
}

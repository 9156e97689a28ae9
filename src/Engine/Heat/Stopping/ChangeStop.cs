namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// The authors' stop rule for fixed-step Euler: converged when the last step changed no coordinate by <see cref="Tolerance"/> or more
/// (max|Δc| &lt; tol). It is a rule of the discretisation, not of the flow, so only <see cref="FixedStepEuler"/> supports it.
/// </summary>
public sealed class ChangeStop : StopRule
{
    /// <summary>Creates the rule.</summary>
    /// <exception cref="ArgumentException">A tolerance that is not finite and positive.</exception>
    public ChangeStop(double tolerance)
    {
        if (!double.IsFinite(tolerance) || tolerance <= 0)
            throw new ArgumentException($"{nameof(Tolerance)} must be finite and positive (got {tolerance}).", nameof(tolerance));
        Tolerance = tolerance;
    }

    /// <summary>The step change below which the run stops.</summary>
    public double Tolerance { get; }

    /// <inheritdoc/>
    public override StopReason Reason => StopReason.Change;

    /// <inheritdoc/>
    public override bool IsStateFunction => false;

    /// <inheritdoc/>
    /// <remarks>The Euler stepper applies the rule itself (it needs Δc of the step); at samples it never fires.</remarks>
    public override StopCheck Start(HeatEquation equation) => Never.Instance;

    private sealed class Never : StopCheck
    {
        public static readonly Never Instance = new();

        public override bool IsMet(in HeatSample sample, out string because)
        {
            because = "";
            return false;
        }
    }
}

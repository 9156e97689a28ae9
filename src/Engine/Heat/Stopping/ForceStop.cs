namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// Converged when ‖ċ‖∞ ≤ <see cref="Tolerance"/>, with ċ the method's own velocity (frozen modes, sliding components 0): a
/// stationary point, wherever it is.
/// </summary>
public sealed class ForceStop : StopRule
{
    /// <summary>Creates the rule.</summary>
    /// <exception cref="ArgumentException">A tolerance that is negative or not finite.</exception>
    public ForceStop(double tolerance)
    {
        if (!double.IsFinite(tolerance) || tolerance < 0)
            throw new ArgumentException($"{nameof(Tolerance)} must be finite and non-negative (got {tolerance}).", nameof(tolerance));
        Tolerance = tolerance;
    }

    /// <summary>The largest force component at which the run stops.</summary>
    public double Tolerance { get; }

    /// <inheritdoc/>
    public override StopReason Reason => StopReason.Force;

    /// <inheritdoc/>
    public override bool IsStateFunction => true;

    /// <inheritdoc/>
    public override StopCheck Start(HeatEquation equation) => new Check(Tolerance);

    private sealed class Check(double tolerance) : StopCheck
    {
        public override bool IsMet(in HeatSample sample, out string because)
        {
            double fn = 0;
            foreach (double v in sample.Force) fn = Math.Max(fn, Math.Abs(v));
            because = fn <= tolerance ? $"‖ċ‖∞ = {fn:e3} ≤ StopForce {tolerance:e3}" : "";
            return fn <= tolerance;
        }
    }
}

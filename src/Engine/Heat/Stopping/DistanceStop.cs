namespace ResidualSheaf.Engine.Heat;

/// <summary>Converged when ‖c − <see cref="Target"/>‖∞ ≤ <see cref="Tolerance"/> (the target: harmonic extension or least-squares point).</summary>
public sealed class DistanceStop : StopRule
{
    private readonly double[] _target;

    /// <summary>Creates the rule; the target is copied.</summary>
    /// <exception cref="ArgumentException">A non-finite target value, or a tolerance that is negative or not finite.</exception>
    public DistanceStop(ReadOnlySpan<double> target, double tolerance)
    {
        _target = target.ToArray();
        for (int i = 0; i < _target.Length; i++)
            if (!double.IsFinite(_target[i])) throw new ArgumentException($"Target[{i}] is not finite ({_target[i]}).", nameof(target));
        if (!double.IsFinite(tolerance) || tolerance < 0)
            throw new ArgumentException($"{nameof(Tolerance)} must be finite and non-negative (got {tolerance}).", nameof(tolerance));
        Tolerance = tolerance;
    }

    /// <summary>The free-coordinate target.</summary>
    public ReadOnlySpan<double> Target => _target;

    /// <summary>The distance at which the run stops.</summary>
    public double Tolerance { get; }

    /// <inheritdoc/>
    public override StopReason Reason => StopReason.Distance;

    /// <inheritdoc/>
    public override bool IsStateFunction => true;

    /// <inheritdoc/>
    public override void Validate(int freeDimension)
    {
        if (_target.Length != freeDimension)
            throw new ArgumentException($"Target has length {_target.Length}; the problem has {freeDimension} free coordinates.", nameof(Target));
    }

    /// <inheritdoc/>
    public override StopCheck Start(HeatEquation equation) => new Check(this);

    private sealed class Check(DistanceStop rule) : StopCheck
    {
        public override bool IsMet(in HeatSample sample, out string because)
        {
            double dist = Numerics.MaxAbsDifference(sample.State, rule._target);
            because = dist <= rule.Tolerance ? $"‖c − target‖∞ = {dist:e3} ≤ StopDistance {rule.Tolerance:e3}" : "";
            return dist <= rule.Tolerance;
        }

        public override bool Holds(in HeatSample sample) => Numerics.MaxAbsDifference(sample.State, rule._target) <= rule.Tolerance;
    }
}

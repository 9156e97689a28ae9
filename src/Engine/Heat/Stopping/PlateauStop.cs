namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// Stops a run resting at a stationary point other than the expected limit: E has not decreased by more than
/// <see cref="RelativeTolerance"/> (relative) over the last <see cref="Window"/> time units while the state is farther than
/// <see cref="MinDistance"/> from <see cref="Target"/> (e.g. a Filippov sliding equilibrium or another self-consistent
/// least-squares point of a chord sheaf). Integrating on to the end time there would only accumulate step-size-control noise.
/// </summary>
public sealed class PlateauStop : StopRule
{
    /// <summary>A plateau stops a run only farther than this many stop distances from the expected limit.</summary>
    public const double DistanceFactor = 100;

    private readonly double[] _target;

    /// <summary>Creates the rule; the target is copied.</summary>
    /// <exception cref="ArgumentException">A window that is not finite and positive, a negative tolerance or distance.</exception>
    public PlateauStop(double window, ReadOnlySpan<double> target, double minDistance, double relativeTolerance = 1e-9)
    {
        if (!(window > 0) || !double.IsFinite(window)) throw new ArgumentException($"{nameof(Window)} must be finite and positive (got {window}).", nameof(window));
        if (!(relativeTolerance >= 0)) throw new ArgumentException($"{nameof(RelativeTolerance)} must be ≥ 0 (got {relativeTolerance}).", nameof(relativeTolerance));
        if (!(minDistance >= 0)) throw new ArgumentException($"{nameof(MinDistance)} must be ≥ 0 (got {minDistance}).", nameof(minDistance));
        Window = window;
        RelativeTolerance = relativeTolerance;
        MinDistance = minDistance;
        _target = target.ToArray();
    }

    /// <summary>The time window.</summary>
    public double Window { get; }

    /// <summary>Largest relative decrease of E over the window that still counts as flat.</summary>
    public double RelativeTolerance { get; }

    /// <summary>The rule fires only when ‖c − target‖∞ exceeds this.</summary>
    public double MinDistance { get; }

    /// <summary>The expected limit on the free coordinates.</summary>
    public ReadOnlySpan<double> Target => _target;

    /// <inheritdoc/>
    public override StopReason Reason => StopReason.Plateau;

    /// <inheritdoc/>
    public override bool IsStateFunction => false;

    /// <inheritdoc/>
    public override void Validate(int freeDimension)
    {
        if (_target.Length != freeDimension)
            throw new ArgumentException($"Target has length {_target.Length}; the problem has {freeDimension} free coordinates.", nameof(Target));
    }

    /// <inheritdoc/>
    public override StopCheck Start(HeatEquation equation) => new Check(this);

    private sealed class Check(PlateauStop rule) : StopCheck
    {
        private readonly PlateauDetector _detector = new(rule.Window, rule.RelativeTolerance);

        public override bool IsMet(in HeatSample sample, out string because)
        {
            because = "";
            if (!_detector.Add(sample.Time, sample.Energy)) return false;
            double distance = Numerics.MaxAbsDifference(sample.State, rule._target);
            if (distance <= rule.MinDistance) return false;
            because = $"energy plateau: E changed by ≤ {rule.RelativeTolerance:g3} (relative) over the last {rule.Window:g6} time units at distance " +
                      $"{distance:e3} from the target: the flow rests at another stationary point";
            return true;
        }
    }
}

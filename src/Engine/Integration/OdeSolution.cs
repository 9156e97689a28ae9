namespace ResidualSheaf.Engine.Integration;

/// <summary>Outcome of an integration.</summary>
public enum OdeStatus
{
    /// <summary>Still integrating (only seen on a live <see cref="OdeIntegrator"/>).</summary>
    Running,

    /// <summary>Reached the final time.</summary>
    Success,

    /// <summary>The step size fell below the resolution of t (see <see cref="OdeSolution.FailureTime"/>).</summary>
    StepSizeUnderflow,

    /// <summary>The maximum number of step attempts was reached.</summary>
    StepLimit,

    /// <summary>The right-hand side, the state or a switching function became NaN/infinite.</summary>
    NonFiniteState,

    /// <summary>The cancellation token was signalled.</summary>
    Cancelled,

    /// <summary>The event cap was reached (chattering / Zeno behaviour).</summary>
    Zeno,

    /// <summary>An event with <see cref="EventAction.Stop"/> fired, or a restart callback returned false.</summary>
    StoppedByEvent,

    /// <summary>The fixed-step stop rule max|Δy| &lt; tol was met before the final time.</summary>
    Converged,
}

/// <summary>Work counters, identical in meaning for every method.</summary>
public sealed class OdeStatistics
{
    /// <summary>Right-hand-side evaluations (including those for finite-difference Jacobians and dense output).</summary>
    public long Nfev { get; internal set; }

    /// <summary>Jacobian evaluations (callback calls or finite-difference Jacobians).</summary>
    public long Njev { get; internal set; }

    /// <summary>LU factorisations.</summary>
    public long Nlu { get; internal set; }

    /// <summary>Accepted steps.</summary>
    public long Accepted { get; internal set; }

    /// <summary>Rejected steps.</summary>
    public long Rejected { get; internal set; }

    /// <summary>Events reported.</summary>
    public long Events { get; internal set; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"nfev={Nfev} njev={Njev} nlu={Nlu} accepted={Accepted} rejected={Rejected} events={Events}";
}

/// <summary>A located event.</summary>
/// <param name="Time">Event time.</param>
/// <param name="Index">Index of the event function.</param>
/// <param name="Direction">Direction of the sign change (Rising or Falling).</param>
/// <param name="State">State at the event (before any restart callback).</param>
public sealed record OdeEvent(double Time, int Index, EventDirection Direction, double[] State);

/// <summary>A piece of dense output valid on [Start, End] (End may precede Start when integrating backwards).</summary>
public abstract class DenseSegment
{
    /// <summary>Segment start time.</summary>
    public double Start { get; internal set; }

    /// <summary>Segment end time.</summary>
    public double End { get; internal set; }

    /// <summary>Evaluates the interpolant at <paramref name="t"/> into <paramref name="y"/>.</summary>
    /// <param name="t">Time (inside the segment).</param>
    /// <param name="y">Output state.</param>
    public abstract void Evaluate(double t, Span<double> y);

    /// <summary>A deep copy (for storing in a solution).</summary>
    public abstract DenseSegment Clone();
}

/// <summary>Result of <see cref="Ode.Solve"/>: saved points, events, dense output, status and statistics.</summary>
/// <remarks>
/// The collections are read-only views: only the integrator that produced the solution appends to them, so a caller cannot
/// desynchronise <see cref="Times"/> and <see cref="States"/> or reorder <see cref="Segments"/> under <see cref="Evaluate(double, Span{double})"/>.
/// </remarks>
public sealed class OdeSolution
{
    private readonly List<double> _times = [];
    private readonly List<double[]> _states = [];
    private readonly List<OdeEvent> _events = [];
    private readonly List<DenseSegment> _segments = [];

    internal OdeSolution(int n)
    {
        Dimension = n;
        Times = _times.AsReadOnly();
        States = _states.AsReadOnly();
        Events = _events.AsReadOnly();
        Segments = _segments.AsReadOnly();
    }

    /// <summary>Number of components.</summary>
    public int Dimension { get; }

    /// <summary>Saved times.</summary>
    public IReadOnlyList<double> Times { get; }

    /// <summary>Saved states (one array per saved time).</summary>
    public IReadOnlyList<double[]> States { get; }

    /// <summary>Events in time order.</summary>
    public IReadOnlyList<OdeEvent> Events { get; }

    /// <summary>Outcome.</summary>
    public OdeStatus Status { get; internal set; }

    /// <summary>Time reached when integration ended (the failure time for failures).</summary>
    public double FailureTime { get; internal set; } = double.NaN;

    /// <summary>Final time reached.</summary>
    public double FinalTime { get; internal set; }

    /// <summary>Final state reached.</summary>
    public double[] FinalState { get; internal set; } = [];

    /// <summary>Work counters.</summary>
    public OdeStatistics Statistics { get; internal set; } = new();

    /// <summary>Dense segments (empty unless <see cref="OdeOptions.Dense"/> was set).</summary>
    public IReadOnlyList<DenseSegment> Segments { get; }

    /// <summary>True when a dense interpolant is available.</summary>
    public bool HasDenseOutput => _segments.Count > 0;

    /// <summary>Evaluates the dense interpolant at <paramref name="t"/> (requires <see cref="OdeOptions.Dense"/>).</summary>
    /// <param name="t">Time inside the integrated span.</param>
    /// <param name="y">Output state.</param>
    /// <exception cref="InvalidOperationException">The solution has no dense output.</exception>
    /// <exception cref="ArgumentException"><paramref name="y"/> does not have <see cref="Dimension"/> components.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="t"/> lies outside the integrated span.</exception>
    public void Evaluate(double t, Span<double> y)
    {
        if (_segments.Count == 0)
        {
            throw new InvalidOperationException("No dense output: solve with OdeOptions.Dense = true.");
        }

        if (y.Length != Dimension)
        {
            throw new ArgumentException($"Output length {y.Length} differs from dimension {Dimension}.", nameof(y));
        }

        bool forward = _segments[0].End >= _segments[0].Start;
        int lo = 0, hi = _segments.Count - 1;
        // Find the last segment whose start is <= t (in the integration direction).
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            bool startBefore = forward ? _segments[mid].Start <= t : _segments[mid].Start >= t;
            if (startBefore)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        DenseSegment s = _segments[lo];
        double tMin = Math.Min(_segments[0].Start, _segments[^1].End), tMax = Math.Max(_segments[0].Start, _segments[^1].End);
        double slack = 1e-12 * (Math.Abs(tMin) + Math.Abs(tMax));
        if (t < tMin - slack || t > tMax + slack)
        {
            throw new ArgumentOutOfRangeException(nameof(t), t, $"Outside the integrated span [{tMin}, {tMax}].");
        }

        s.Evaluate(t, y);
    }

    /// <summary>Convenience overload returning a new array.</summary>
    /// <param name="t">Time inside the integrated span.</param>
    /// <exception cref="InvalidOperationException">The solution has no dense output.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="t"/> lies outside the integrated span.</exception>
    public double[] Evaluate(double t)
    {
        var y = new double[Dimension];
        Evaluate(t, y);
        return y;
    }

    /// <summary>Appends a saved point (the array is kept, not copied).</summary>
    internal void AddPoint(double t, double[] y)
    {
        _times.Add(t);
        _states.Add(y);
    }

    internal void AddEvent(OdeEvent e) => _events.Add(e);

    internal void AddSegment(DenseSegment segment) => _segments.Add(segment);
}

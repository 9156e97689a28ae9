namespace ResidualSheaf.Engine.Integration;

/// <summary>Right-hand side of y' = f(t, y); must write all of <paramref name="dydt"/> and must not allocate.</summary>
/// <param name="t">Time.</param>
/// <param name="y">State (read only).</param>
/// <param name="dydt">Derivative output, same length as <paramref name="y"/>.</param>
public delegate void OdeRhs(double t, ReadOnlySpan<double> y, Span<double> dydt);

/// <summary>Dense Jacobian callback: writes ∂f_i/∂y_j into <paramref name="jacobian"/>[i, j].</summary>
/// <param name="t">Time.</param>
/// <param name="y">State (read only).</param>
/// <param name="jacobian">n×n output matrix (every entry must be written).</param>
public delegate void OdeJacobian(double t, ReadOnlySpan<double> y, double[,] jacobian);

/// <summary>
/// Sparse Jacobian callback: ∂f/∂y at (t, y) by columns. The matrix returned is read until the next call and never written.
/// </summary>
/// <param name="t">Time.</param>
/// <param name="y">State (read only).</param>
public delegate SparseColumns OdeSparseJacobian(double t, ReadOnlySpan<double> y);

/// <summary>An upper bound (or estimate) of the spectral radius of ∂f/∂y at (t, y), for stabilized explicit methods (RKC).</summary>
/// <param name="t">Time.</param>
/// <param name="y">State (read only).</param>
public delegate double OdeSpectralRadius(double t, ReadOnlySpan<double> y);

/// <summary>A switching function g(t, y); an event occurs where it changes sign.</summary>
/// <param name="t">Time.</param>
/// <param name="y">State (read only).</param>
public delegate double SwitchingFunction(double t, ReadOnlySpan<double> y);

/// <summary>Called when an event with <see cref="EventAction.Restart"/> fires; may change the state in place and any mode the right-hand side reads.</summary>
/// <param name="t">Event time.</param>
/// <param name="y">State at the event (mutable).</param>
/// <param name="eventIndex">Index of the event function in <see cref="OdeProblem.Events"/>.</param>
/// <param name="direction">Direction of the sign change.</param>
/// <returns>True to continue integrating, false to stop with <see cref="OdeStatus.StoppedByEvent"/>.</returns>
public delegate bool EventCallback(double t, Span<double> y, int eventIndex, EventDirection direction);

/// <summary>Which sign changes of a switching function count as events.</summary>
public enum EventDirection
{
    /// <summary>From negative to non-negative.</summary>
    Rising = 1,

    /// <summary>From positive to non-positive.</summary>
    Falling = 2,

    /// <summary>Either direction.</summary>
    Both = 3,
}

/// <summary>What the integrator does when an event is located.</summary>
public enum EventAction
{
    /// <summary>Record the event and continue without interrupting the step.</summary>
    Record,

    /// <summary>Record the event and stop the integration at the event time.</summary>
    Stop,

    /// <summary>Cut the step at the event, call the callback (which may change state/modes) and restart from there.</summary>
    Restart,
}

/// <summary>A switching function with its direction filter and action.</summary>
public sealed class EventFunction
{
    /// <summary>Creates an event function.</summary>
    /// <param name="g">Switching function.</param>
    /// <param name="direction">Direction filter.</param>
    /// <param name="action">Action when it fires.</param>
    /// <param name="callback">Callback for <see cref="EventAction.Restart"/> (optional, may also be given for other actions; then it is ignored).</param>
    public EventFunction(SwitchingFunction g, EventDirection direction = EventDirection.Both, EventAction action = EventAction.Record, EventCallback? callback = null)
    {
        ArgumentNullException.ThrowIfNull(g);
        G = g;
        Direction = direction;
        Action = action;
        Callback = callback;
    }

    /// <summary>The switching function.</summary>
    public SwitchingFunction G { get; }

    /// <summary>Direction filter.</summary>
    public EventDirection Direction { get; }

    /// <summary>Action on firing.</summary>
    public EventAction Action { get; }

    /// <summary>Restart callback (used for <see cref="EventAction.Restart"/>).</summary>
    public EventCallback? Callback { get; }
}

/// <summary>An initial value problem y' = f(t, y), y(t0) = y0 on [t0, tEnd] (tEnd &lt; t0 integrates backwards).</summary>
public sealed class OdeProblem
{
    /// <summary>Creates a problem.</summary>
    /// <param name="rhs">Right-hand side.</param>
    /// <param name="y0">Initial state (copied).</param>
    /// <param name="t0">Initial time.</param>
    /// <param name="tEnd">Final time.</param>
    public OdeProblem(OdeRhs rhs, ReadOnlySpan<double> y0, double t0, double tEnd)
    {
        ArgumentNullException.ThrowIfNull(rhs);
        Rhs = rhs;
        Y0 = y0.ToArray();
        T0 = t0;
        TEnd = tEnd;
        if (Y0.Length == 0)
        {
            throw new ArgumentException("y0 must have at least one component.", nameof(y0));
        }

        for (int i = 0; i < Y0.Length; i++)
        {
            if (!double.IsFinite(Y0[i]))
            {
                throw new ArgumentException($"y0[{i}] is not finite ({Y0[i]}).", nameof(y0));
            }
        }

        if (!double.IsFinite(t0))
        {
            throw new ArgumentException("t0 must be finite.", nameof(t0));
        }

        if (!double.IsFinite(tEnd))
        {
            throw new ArgumentException("tEnd must be finite.", nameof(tEnd));
        }

        if (tEnd == t0)
        {
            throw new ArgumentException("tEnd must differ from t0.", nameof(tEnd));
        }
    }

    /// <summary>Right-hand side.</summary>
    public OdeRhs Rhs { get; }

    /// <summary>Initial state.</summary>
    public IReadOnlyList<double> InitialState => Y0;

    /// <summary>Initial time.</summary>
    public double T0 { get; }

    /// <summary>Final time.</summary>
    public double TEnd { get; }

    /// <summary>Number of components.</summary>
    public int Dimension => Y0.Length;

    /// <summary>Optional dense Jacobian (used by implicit/Rosenbrock methods; finite differences otherwise).</summary>
    public OdeJacobian? Jacobian { get; init; }

    /// <summary>
    /// Optional sparse form of <see cref="Jacobian"/> (the same matrix, entry for entry): Rosenbrock methods then load their sparse
    /// factor from it and call <see cref="Jacobian"/>, at the same (t, y), only when they need the dense matrix (a system too dense
    /// or a factorization the sparse factor refuses). Needs <see cref="Jacobian"/>.
    /// </summary>
    public OdeSparseJacobian? SparseJacobian { get; init; }

    /// <summary>
    /// True when ∂f/∂y is constant between restarts (f affine in y until an event with <see cref="EventAction.Restart"/> changes it,
    /// e.g. frozen activation modes): Rosenbrock methods then evaluate the Jacobian once after each restart instead of every step.
    /// </summary>
    public bool JacobianConstantBetweenRestarts { get; init; }

    /// <summary>True when f does not depend on t explicitly (lets Rosenbrock methods skip the ∂f/∂t finite difference).</summary>
    public bool IsAutonomous { get; init; }

    /// <summary>Optional spectral radius of ∂f/∂y (used by <see cref="Rkc"/>; a nonlinear power method on f otherwise).</summary>
    public OdeSpectralRadius? SpectralRadius { get; init; }

    /// <summary>Switching (event) functions.</summary>
    public IReadOnlyList<EventFunction> Events { get; init; } = [];

    internal double[] Y0 { get; }
}

namespace ResidualSheaf.Engine.Integration;

/// <summary>A snapshot after one accepted step (valid until the next step; copy <see cref="State"/> to keep it).</summary>
/// <param name="Time">Time reached.</param>
/// <param name="StepSize">Size of the step just taken (signed).</param>
/// <param name="State">State at <paramref name="Time"/> (a view of the integrator's buffer).</param>
public readonly record struct OdeStepInfo(double Time, double StepSize, ReadOnlyMemory<double> State);

/// <summary>
/// Step-by-step integrator: drives the stepper, asking the <see cref="StepSizeController"/> for step sizes, the
/// <see cref="EventLocator"/> for events and the <see cref="SavePolicy"/> for output.
/// Call <see cref="Step"/> (or enumerate <see cref="Steps"/>) until it returns false, then read <see cref="Solution"/>.
/// </summary>
public sealed class OdeIntegrator
{
    private readonly OdeOptions _options;
    private readonly Stepper _stepper;
    private readonly OdeSolution _solution;
    private readonly double _direction;
    private readonly double _tEnd;
    private readonly double _fixedStep;
    private readonly StepSizeController _controller;
    private readonly EventLocator _events;
    private readonly SavePolicy _save;
    private readonly double[] _restartState;
    private double _lastH;

    /// <summary>Creates an integrator positioned at t0 (validates options; evaluates nothing yet).</summary>
    /// <param name="problem">The problem.</param>
    /// <param name="algorithm">The method.</param>
    /// <param name="options">Options (defaults when null).</param>
    /// <exception cref="ArgumentNullException"><paramref name="problem"/> or <paramref name="algorithm"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is invalid for this problem (<see cref="ArgumentException.ParamName"/> names it).</exception>
    public OdeIntegrator(OdeProblem problem, OdeAlgorithm algorithm, OdeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(algorithm);
        _options = options ?? new OdeOptions();
        int n = problem.Dimension;
        _options.Validate(n);
        _tEnd = problem.TEnd;
        _direction = Math.Sign(problem.TEnd - problem.T0);
        Statistics = new OdeStatistics();
        _stepper = algorithm.CreateStepper(problem, Statistics);
        for (int i = 0; i < n; i++)
        {
            _stepper.Rtol[i] = _options.RtolVector?[i] ?? _options.Rtol;
            _stepper.Atol[i] = _options.AtolVector?[i] ?? _options.Atol;
        }

        _stepper.Initialize(problem.T0, problem.Y0);
        _controller = new StepSizeController(_stepper, _options, _stepper.IsAdaptive && _options.Adaptive);
        _fixedStep = _stepper.IsAdaptive ? (_options.FirstStep ?? double.NaN) : _stepper.FixedStep;
        _solution = new OdeSolution(n) { Statistics = Statistics, Status = OdeStatus.Running };
        _save = new SavePolicy(_stepper, _options, _solution, problem.T0, problem.TEnd, _direction);
        _events = new EventLocator([.. problem.Events], _stepper, _options, _solution, Statistics);
        _restartState = new double[n];
        Status = OdeStatus.Running;
    }

    /// <summary>Work counters (live).</summary>
    public OdeStatistics Statistics { get; }

    /// <summary>Current status; <see cref="OdeStatus.Running"/> until the integration ends.</summary>
    public OdeStatus Status { get; private set; }

    /// <summary>Current time.</summary>
    public double Time => _stepper.T;

    /// <summary>Current state (view of an internal buffer).</summary>
    public ReadOnlySpan<double> State => _stepper.Y;

    /// <summary>The solution accumulated so far (complete once <see cref="Status"/> is not Running).</summary>
    public OdeSolution Solution => _solution;

    private bool Started { get; set; }

    /// <summary>Takes one accepted step (possibly cut at an event); returns false once the integration has ended.</summary>
    public bool Step()
    {
        if (Status != OdeStatus.Running)
        {
            return false;
        }

        if (!Started && !Start())
        {
            return false;
        }

        if (_options.CancellationToken.IsCancellationRequested)
        {
            Finish(OdeStatus.Cancelled);
            return false;
        }

        if (!AttemptUntilAccepted())
        {
            return false;
        }

        PostStep();
        return true;
    }

    /// <summary>Lazily enumerates accepted steps; the caller may stop enumerating at any time.</summary>
    public IEnumerable<OdeStepInfo> Steps()
    {
        while (Step())
        {
            yield return new OdeStepInfo(_stepper.T, _lastH, _stepper.Y);
        }
    }

    /// <summary>Integrates to the end (or failure) and returns the solution.</summary>
    public OdeSolution Run()
    {
        while (Step())
        {
        }

        return _solution;
    }

    private bool Start()
    {
        Started = true;
        _stepper.EnsureF();
        if (!Numerics.AllFinite(_stepper.F))
        {
            Finish(OdeStatus.NonFiniteState);
            return false;
        }

        _save.AtStart();
        _controller.Start(_direction, Math.Abs(_tEnd - _stepper.T), _fixedStep);
        return ArmEvents(_stepper.T, _stepper.Y);
    }

    private bool AttemptUntilAccepted()
    {
        _controller.BeginStep();
        while (true)
        {
            if (Statistics.Accepted + Statistics.Rejected >= _options.MaxSteps)
            {
                Finish(OdeStatus.StepLimit);
                return false;
            }

            double t = _stepper.T;
            double remaining = Math.Abs(_tEnd - t);
            double hAbs = _controller.NextStepSize();
            if (_controller.Underflows(t, hAbs))
            {
                // Step sizes collapsing onto a region where f is NaN/∞ is a non-finite failure, not an accuracy one.
                Finish(_controller.LastRejectNonFinite ? OdeStatus.NonFiniteState : OdeStatus.StepSizeUnderflow);
                return false;
            }

            double tNew;
            if (hAbs >= remaining || (!_controller.Adaptive && hAbs * (1 + 1e-9) >= remaining))
            {
                tNew = _tEnd;
            }
            else
            {
                tNew = t + (_direction * hAbs);
            }

            double h = tNew - t;
            double err = _stepper.TryStep(tNew);
            StepVerdict verdict = !double.IsFinite(err) || !Numerics.AllFinite(_stepper.YNew) ? _controller.OnNonFinite(h) : _controller.OnError(err, h);
            if (verdict == StepVerdict.NonFinite)
            {
                Finish(OdeStatus.NonFiniteState);
                return false;
            }

            if (verdict == StepVerdict.Reject)
            {
                Statistics.Rejected++;
                continue;
            }

            _stepper.Accept();
            Statistics.Accepted++;
            _lastH = h;
            return true;
        }
    }

    private void PostStep()
    {
        double stepStart = _stepper.TOld;
        bool needInterp = _events.Count > 0 || _save.NeedsInterpolant;
        DenseSegment? live = needInterp ? _stepper.LiveSegment() : null;

        // Events: may cut the step.
        EventLocator.EventOutcome outcome = _events.Count > 0 ? _events.Locate(stepStart) : default;
        if (_events.Failure != OdeStatus.Running)
        {
            Finish(_events.Failure);
            return;
        }

        double tReached = _stepper.T;
        _save.AfterStep(stepStart, live);
        if (outcome.Cut)
        {
            HandleCut(outcome.Group);
            return;
        }

        if (_stepper.IsConverged())
        {
            Finish(OdeStatus.Converged);
            return;
        }

        if (tReached == _tEnd)
        {
            Finish(OdeStatus.Success);
        }
    }

    private void HandleCut(List<EventLocator.Candidate> group)
    {
        double t = _stepper.T;
        _events.Actions(group, out bool stop, out bool restart);
        if (stop)
        {
            Finish(OdeStatus.StoppedByEvent);
            return;
        }

        if (restart)
        {
            double[] y = _restartState;
            _stepper.Y.AsSpan().CopyTo(y);
            stop = !_events.RunCallbacks(t, y, group);
            if (!Numerics.AllFinite(y))
            {
                _stepper.Restart(t, y);
                Finish(OdeStatus.NonFiniteState);
                return;
            }

            _stepper.Restart(t, y);
            _save.AfterRestart(t, y);
            if (stop)
            {
                Finish(OdeStatus.StoppedByEvent);
                return;
            }

            if (!ArmEvents(t, _stepper.Y))
            {
                return;
            }
        }

        if (t == _tEnd)
        {
            Finish(OdeStatus.Success);
        }
    }

    private bool ArmEvents(double t, ReadOnlySpan<double> y)
    {
        if (_events.Arm(t, y))
        {
            return true;
        }

        Finish(_events.Failure);
        return false;
    }

    private void Finish(OdeStatus status)
    {
        Status = status;
        _solution.Status = status;
        _solution.FinalTime = _stepper.T;
        _solution.FinalState = _stepper.Y.ToArray();
        if (status != OdeStatus.Success)
        {
            _solution.FailureTime = _stepper.T;
        }
    }

}

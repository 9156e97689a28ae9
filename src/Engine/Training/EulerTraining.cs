namespace ResidualSheaf.Engine.Training;

/// <summary>The reference library's schedule: <paramref name="Epochs"/> × <paramref name="StepsPerEpoch"/> Euler steps of size
/// <paramref name="Dt"/>; with <paramref name="WarmStart"/> the stalks are kept between epochs, otherwise re-initialised.</summary>
public sealed record TrainingSchedule(int Epochs, int StepsPerEpoch, double Dt, bool WarmStart);

/// <summary>
/// Forward Euler on the joint flow exactly as the reference library's <c>SheafTrainer.train_step</c>: every force (stalks, weights,
/// biases) from the old state, one simultaneous update (stalks by α·dt, weights by β·dt through the flow's rates), pins re-applied.
/// </summary>
public sealed class EulerTraining
{
    private readonly JointFlow _flow;
    private readonly double[] _force;

    /// <summary>Euler with step <paramref name="dt"/> on <paramref name="flow"/>.</summary>
    public EulerTraining(JointFlow flow, double dt)
    {
        if (!(dt > 0) || !double.IsFinite(dt)) throw new ArgumentOutOfRangeException(nameof(dt), "dt must be positive and finite");
        _flow = flow;
        Dt = dt;
        _force = new double[flow.StateLength];
    }

    /// <summary>The step size.</summary>
    public double Dt { get; }

    /// <summary>One step in place (the flow's chunks on its threads); allocation-free.</summary>
    public void Step(double[] state)
    {
        _flow.Derivative(state, _force);
        Numerics.Axpy(Dt, _force, state);
        _flow.ApplyPins(state);
    }

    /// <summary>
    /// The training loop: for each epoch, re-initialise the stalks unless warm start (never before the first epoch: the caller
    /// initialises), then run the epoch's steps; <paramref name="afterEpoch"/> sees (epoch, total steps, state) at the end of each.
    /// </summary>
    public void Train(double[] state, TrainingSchedule schedule, StalkInitialiser? reinitialise, EpochObserver? afterEpoch)
    {
        int total = 0;
        for (int epoch = 1; epoch <= schedule.Epochs; epoch++)
        {
            if (!schedule.WarmStart && epoch > 1)
            {
                if (reinitialise is null) throw new InvalidOperationException("a cold start needs a stalk initialiser");
                reinitialise(state);
                _flow.ApplyPins(state);
            }
            for (int k = 0; k < schedule.StepsPerEpoch; k++) Step(state);
            total += schedule.StepsPerEpoch;
            afterEpoch?.Invoke(epoch, total, state);
        }
    }
}

/// <summary>Writes fresh stalk values into a joint state (its parameter block untouched).</summary>
public delegate void StalkInitialiser(Span<double> state);

/// <summary>Called after each epoch with the epoch number (from 1), the total steps so far and the state.</summary>
public delegate void EpochObserver(int epoch, int steps, ReadOnlySpan<double> state);

using System.Diagnostics;
using ResidualSheaf.Engine.Integration;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Engine.Training;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Training;
using ResidualSheaf.Runner.Config;

namespace ResidualSheaf.Runner.Jobs;

/// <summary>What one epoch of sheaf training left: the forward-pass losses, the discord by edge type and ‖Δθ‖ since the last.</summary>
/// <param name="Epoch">Epoch (0 before training).</param>
/// <param name="Steps">Nominal steps of dt so far (time = steps · dt).</param>
/// <param name="TrainLoss">Forward-pass loss on the training set.</param>
/// <param name="TestLoss">On the test set (NaN without one).</param>
/// <param name="Discord">Σ over samples of ‖δc‖² on weight, relu, skip, sum, chord edges and ‖φ(z) − y‖² on the output edge.</param>
/// <param name="DeltaTheta">‖θ − θ_previous row‖₂.</param>
/// <param name="Integrator">Cumulative statistics of an adaptive method (null for Euler).</param>
public sealed record TrainingEpoch(int Epoch, int Steps, double TrainLoss, double TestLoss, double[] Discord, double DeltaTheta,
    IntegratorCounts? Integrator);

/// <summary>Cumulative work of an adaptive integration of the joint flow.</summary>
/// <param name="Nfev">Right-hand-side evaluations.</param>
/// <param name="Accepted">Accepted steps.</param>
/// <param name="Rejected">Rejected step attempts.</param>
/// <param name="Njev">Jacobian evaluations (rodas4; 0 for explicit methods).</param>
/// <param name="Nlu">LU factorisations (rodas4; 0 for explicit methods).</param>
/// <param name="Switches">Located mode changes other than grazes (switching-aware only; 0 otherwise).</param>
/// <param name="SlidingEpisodes">Sliding entries (switching-aware only).</param>
public sealed record IntegratorCounts(long Nfev, long Accepted, long Rejected, long Njev = 0, long Nlu = 0, long Switches = 0, long SlidingEpisodes = 0)
{
    /// <summary>These counts plus an integration's.</summary>
    public IntegratorCounts Add(OdeStatistics s) =>
        new(Nfev + s.Nfev, Accepted + s.Accepted, Rejected + s.Rejected, Njev + s.Njev, Nlu + s.Nlu, Switches, SlidingEpisodes);

    /// <summary>These counts plus a switching-aware integration's.</summary>
    public IntegratorCounts Add(TrainingIntegration s) =>
        Add(s.Statistics) with { Switches = Switches + s.Switches, SlidingEpisodes = SlidingEpisodes + s.SlidingEpisodes };
}

/// <summary>
/// One sheaf-training run of a <c>train</c> section: the joint flow of the network over the training set, its stalk
/// initialisation, and the schedule integrated by the reference library's Euler (<c>train.method</c> euler) or one of the
/// project's adaptive integrators (epochs × steps_per_epoch · dt of time, the stalks re-initialised between epochs unless warm
/// start, as Euler); after every epoch the forward-pass losses. Shared by job train and the β sweep.
/// </summary>
public sealed class SheafTrainingRun : IDisposable
{
    private readonly TrainConfig _t;
    private readonly TrainingData _data;
    private readonly double[] _predTrain, _predTest, _cochain, _previous;
    private IntegratorCounts? _stats;

    private SheafTrainingRun(TrainConfig t, TrainingData data, JointFlow flow, double beta)
    {
        _t = t;
        _data = data;
        Flow = flow;
        Beta = beta;
        State = new double[flow.StateLength];
        flow.InitialParameters().CopyTo(State, flow.ParameterOffset);
        Initialise(State);
        _predTrain = new double[data.TrainTargets.Length];
        _predTest = new double[data.TestTargets.Length];
        _cochain = new double[flow.StalkDimension];
        _previous = State.AsSpan(flow.ParameterOffset).ToArray();
        _stats = t.Method == "euler" ? null : new IntegratorCounts(0, 0, 0);
    }

    /// <summary>The run of <paramref name="cfg"/>'s train section for <paramref name="network"/> over <paramref name="data"/>, initialised.</summary>
    public static SheafTrainingRun Create(RunConfig cfg, INetwork network, TrainingData data)
    {
        var t = cfg.Train!;
        double beta = t.Beta ?? 1.0 / data.TrainCount;
        var flow = TrainingSheaf.Create(network, cfg.Constructions[0], data.TrainInputs, data.TrainTargets, t.Alpha, beta);
        flow.UseThreads(t.Threads);
        return new SheafTrainingRun(t, data, flow, beta);
    }

    /// <summary>The flow.</summary>
    public JointFlow Flow { get; }

    /// <summary>β in use (train.beta or 1/n_train).</summary>
    public double Beta { get; }

    /// <summary>The joint state (stalks of every sample, then the parameters).</summary>
    public double[] State { get; }

    /// <summary>The trained parameters so far.</summary>
    public ReadOnlySpan<double> Theta => State.AsSpan(Flow.ParameterOffset, Flow.ParameterLength);

    /// <summary>Wall and CPU seconds of the last <see cref="Train"/> (losses and discord of the rows included).</summary>
    public (double Wall, double Cpu) Time { get; private set; }

    /// <summary>Whether the head is a classifier (cross-entropy loss).</summary>
    public bool CrossEntropy => Flow.Head.IsClassifier;

    private void Initialise(Span<double> s)
    {
        switch (_t.Init)
        {
            case "random": RandomStalks.Draw(Flow, s, _t.InitSeed); break;
            case "zeros": StalkInitialisation.Zeros(Flow, s); break;
            default: StalkInitialisation.ForwardPass(Flow, s, _data.TrainInputs); break;
        }
    }

    /// <summary>The row of <paramref name="epoch"/> at the current state.</summary>
    public TrainingEpoch Measure(int epoch, int steps)
    {
        var theta = Theta;
        Flow.Predict(theta, _data.TrainInputs, _predTrain, _cochain);
        Flow.Predict(theta, _data.TestInputs, _predTest, _cochain);
        double train = TrainingLoss.Of(_predTrain, _data.TrainTargets, _data.OutputWidth, CrossEntropy);
        double test = _data.TestCount == 0 ? double.NaN : TrainingLoss.Of(_predTest, _data.TestTargets, _data.OutputWidth, CrossEntropy);
        var byKind = new double[Enum.GetValues<EdgeKind>().Length];
        double output = Flow.Discord(State, byKind);
        double dw = 0;
        for (int i = 0; i < theta.Length; i++) dw += (theta[i] - _previous[i]) * (theta[i] - _previous[i]);
        theta.CopyTo(_previous);
        double[] discord = [byKind[(int)EdgeKind.Weight], byKind[(int)EdgeKind.Relu], byKind[(int)EdgeKind.Skip], byKind[(int)EdgeKind.Sum],
            byKind[(int)EdgeKind.Chord], output];
        return new TrainingEpoch(epoch, steps, train, test, discord, Math.Sqrt(dw), _stats);
    }

    /// <summary>
    /// The whole schedule from the initialised state; <paramref name="afterEpoch"/> gets the row before training (epoch 0) and
    /// after every epoch. An adaptive integration that fails (step-size underflow, non-finite state, step limit) throws
    /// <see cref="TrainingFailedException"/> after the rows so far.
    /// </summary>
    public void Train(Action<TrainingEpoch> afterEpoch, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        try
        {
            afterEpoch(Measure(0, 0));
            var schedule = new TrainingSchedule(_t.Epochs, _t.StepsPerEpoch, _t.Dt, _t.WarmStart);
            if (_stats is null)
            {
                new EulerTraining(Flow, _t.Dt).Train(State, schedule, Initialise, (epoch, steps, _) =>
                {
                    cancel.ThrowIfCancellationRequested();
                    afterEpoch(Measure(epoch, steps));
                });
                return;
            }
            var algorithm = OdeAlgorithms.Create(_t.Method);
            var options = new OdeOptions { Rtol = _t.Rtol, Atol = _t.Atol, SaveEveryStep = false, MaxSteps = _t.MaxSteps, CancellationToken = cancel };
            var switching = _t.SwitchingAware ? new SwitchingAwareTraining(Flow, algorithm, options) : null;
            double span = _t.StepsPerEpoch * _t.Dt;
            for (int epoch = 1; epoch <= _t.Epochs; epoch++)
            {
                if (!_t.WarmStart && epoch > 1)
                {
                    Initialise(State);
                    Flow.ApplyPins(State);
                }
                if (switching is not null)
                {
                    var piece = switching.Integrate(State, (epoch - 1) * span, epoch * span);
                    _stats = _stats.Add(piece);
                    cancel.ThrowIfCancellationRequested();
                    if (piece.Status != OdeStatus.Success)
                        throw new TrainingFailedException($"{_t.Method} (switching-aware) stopped in epoch {epoch} at t = {piece.FinalTime:g6}: {piece.Status}");
                    afterEpoch(Measure(epoch, epoch * _t.StepsPerEpoch));
                    continue;
                }
                // rodas4 gets the joint Jacobian (dense: TrainSetup refuses states above JointFlow.MaxDenseJacobianDimension);
                // rkc estimates its spectral radius itself (nonlinear power method on f, matrix-free).
                var problem = new OdeProblem((_, y, dy) => Flow.Derivative(y, dy), State, (epoch - 1) * span, epoch * span)
                {
                    IsAutonomous = true,
                    Jacobian = _t.Method == "rodas4" ? (_, y, j) => Flow.Jacobian(y, j) : null,
                };
                var solution = Ode.Solve(problem, algorithm, options);
                _stats = _stats.Add(solution.Statistics);
                cancel.ThrowIfCancellationRequested();
                if (solution.Status != OdeStatus.Success)
                    throw new TrainingFailedException($"{_t.Method} stopped in epoch {epoch} at t = {solution.FinalTime:g6}: {solution.Status}");
                solution.FinalState.CopyTo(State, 0);
                afterEpoch(Measure(epoch, epoch * _t.StepsPerEpoch));
            }
        }
        finally
        {
            Time = (clock.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds);
        }
    }

    /// <summary>Stops the flow's worker threads.</summary>
    public void Dispose() => Flow.Dispose();

    /// <summary>The network with the trained parameters.</summary>
    public INetwork Trained(INetwork network) => TrainingSheaf.Trained(network, Flow, Theta);
}

/// <summary>An adaptive integration of the joint flow that stopped before the end of the schedule.</summary>
public sealed class TrainingFailedException(string message) : Exception(message);

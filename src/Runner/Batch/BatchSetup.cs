using System.Diagnostics;
using ResidualSheaf.Engine;
using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Engine.Spectra;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Onnx;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Runner.Config;
using ResidualSheaf.Runner.Data;
using ResidualSheaf.Runner.Hunt;
using ResidualSheaf.Runner.Jobs;
using ResidualSheaf.Runner.Sharding;
using TorchSharp;

namespace ResidualSheaf.Runner.Batch;

/// <summary>
/// What every input of a batch shares — the network, its sheaf (one set of weights), the TorchSharp float64 outputs — and the
/// solve of one input: its pinned problem, initial cochain, limit, λ_min at the limit's pattern and heat run. Input k's result
/// depends on k alone (its input row, its target row and its own random stream), so a batch gives the same rows on any number of
/// threads.
/// </summary>
public sealed class BatchSetup
{
    /// <summary>Random stream of the initial cochain (normal, forward-noise) under the master seed heat.initial.seed.</summary>
    public const int InitialStream = 1;

    private BatchSetup(RunConfig cfg, INetwork net, InputSet data, NetworkSheaf sheaf, NetworkSheaf junction, double[][] torch64)
    {
        Config = cfg;
        Network = net;
        Data = data;
        Sheaf = sheaf;
        Junction = junction;
        Torch64 = torch64;
        Grid = EnergyGrid.Times(cfg.Heat!.EndTime);
        // The exact flow's per-pattern work (eigendecomposition, factorisation) depends on the weights and the pattern only.
        Template = new HeatEquation(Problem(0), cfg.Heat.Alpha);
        if (HeatConfigMapping.ResolveMethod(cfg.Heat.Method, Template.FreeDimension) == "exact") Patterns = new SharedPatternCache(Template);
    }

    /// <summary>Input 0's equation, whose read-only structure every input's equation shares (<see cref="HeatEquation.WithPinnedValues"/>).</summary>
    public HeatEquation Template { get; }

    /// <summary>The exact flow's pattern cache shared by every input (method exact), else null.</summary>
    public SharedPatternCache? Patterns { get; }

    /// <summary>The batch's config.</summary>
    public RunConfig Config { get; }

    /// <summary>The network (shared weights).</summary>
    public INetwork Network { get; }

    /// <summary>The inputs and targets.</summary>
    public InputSet Data { get; }

    /// <summary>The sheaf of the configured construction.</summary>
    public NetworkSheaf Sheaf { get; }

    /// <summary>The junction sheaf (its harmonic extension is the forward pass, used by forward-noise).</summary>
    public NetworkSheaf Junction { get; }

    /// <summary>TorchSharp float64 outputs, one per input.</summary>
    public double[][] Torch64 { get; }

    /// <summary>Times of the energy grid (<see cref="EnergyGrid"/>).</summary>
    public double[] Grid { get; }

    /// <summary>The shard of the inputs this folder runs (<c>--shard k/N</c>; the whole batch by default).</summary>
    public Shard Shard { get; private init; } = Shard.Whole;

    /// <summary>Number of inputs.</summary>
    public int Count => Data.Inputs.Length;

    /// <summary>Builds the shared part.</summary>
    public static BatchSetup Build(RunConfig cfg, INetwork net, InputSet data, Shard? shard = null)
    {
        var ns = SheafConstructor.Build(net, cfg.Constructions[0]);
        var junction = ns.Construction == SkipConstruction.Junction ? ns : SheafConstructor.Build(net, SkipConstruction.Junction);
        double[][] y;
        // A graph read from ONNX has no declared architecture: torch runs it node by node (TorchGraphModule).
        if (net is OnnxNetwork)
        {
            using var g64 = new TorchGraphModule(net.Graph);
            y = data.Inputs.Select(g64.Forward).ToArray();
        }
        else
        {
            using var t64 = TorchReference.Create(net, torch.ScalarType.Float64);
            y = data.Inputs.Select(x => t64.Forward(x)).ToArray();
        }
        return new BatchSetup(cfg, net, data, ns, junction, y) { Shard = shard ?? Shard.Whole };
    }

    /// <summary>
    /// The output pinned for input k (pin_output): its target row, else the TorchSharp float64 forward pass plus inputs.target_offset;
    /// null without pin_output.
    /// </summary>
    public double[]? OutputPin(long k) =>
        !Config.Heat!.PinOutput ? null : Data.Targets?[k] ?? [.. Torch64[k].Select(v => v + Config.Inputs.TargetOffset)];

    /// <summary>Input k's pinned problem.</summary>
    public DirichletProblem Problem(long k) => OutputPin(k) is { } pin ? Sheaf.Problem(Data.Inputs[k], pin) : Sheaf.Problem(Data.Inputs[k]);

    /// <summary>Input k's initial free coordinates (heat.initial; random kinds from stream (seed, k)).</summary>
    public double[] Initial(long k, DirichletProblem problem)
    {
        var init = Config.Heat!.Initial;
        int n = problem.FreeCoordinates.Count;
        switch (init.Kind)
        {
            case "zeros":
                return new double[n];
            case "ones":
                return Enumerable.Repeat(1.0, n).ToArray();
            case "forward-noise":
                {
                    var forward = Forward(k);
                    var noise = new CaseRandom(init.Seed, k, InitialStream).Normals(n, init.Scale);
                    for (int i = 0; i < n; i++) noise[i] += forward[problem.FreeCoordinates[i]];
                    return noise;
                }
            default:
                return new CaseRandom(init.Seed, k, InitialStream).Normals(n, init.Scale);
        }
    }

    /// <summary>The forward pass of input k on this sheaf's coordinates (by name from the junction sheaf; 0 where it has no namesake).</summary>
    public double[] Forward(long k)
    {
        var exact = DirichletSolver.Solve(Junction.Problem(Data.Inputs[k])).Cochain;
        if (ReferenceEquals(Junction, Sheaf)) return exact;
        var byName = Enumerable.Range(0, Junction.Sheaf.TotalDimension).ToDictionary(Junction.Sheaf.CoordinateName, j => exact[j]);
        return Enumerable.Range(0, Sheaf.Sheaf.TotalDimension).Select(j => byName.GetValueOrDefault(Sheaf.Sheaf.CoordinateName(j))).ToArray();
    }

    /// <summary>Runs input <paramref name="k"/> to its row; its E(t) on <see cref="Grid"/> comes back in <paramref name="energy"/>.</summary>
    public BatchRow Solve(long k, CancellationToken cancel, out double[] energy)
    {
        var clock = Stopwatch.StartNew();
        var h = Config.Heat!;
        var x = Data.Inputs[k];
        var problem = Problem(k);
        var equation = Template.WithPinnedValues(problem);
        var initial = Initial(k, problem);
        var limit = FlowLimit.Solve(Sheaf, problem, x);
        var limitPattern = MaskPattern.From(Sheaf.Sheaf, limit.Solution.Cochain);
        double? lambdaMin = problem.FreeCoordinates.Count <= StaticLabJob.DenseDiagnosticsLimit
            ? DirichletDiagnostics.SymmetricEigenvalues(problem.FreeLaplacian(limitPattern))[0]
            : null;
        string method = HeatConfigMapping.ResolveMethod(h.Method, equation.FreeDimension, equation.HasSmoothHead);
        string integrator = HeatConfigMapping.ResolveIntegrator(h.Integrator, equation, limit.Solution.Cochain);
        var heatProblem = HeatConfigMapping.Problem(h, equation, initial, limit.Target);
        var algorithm = HeatConfigMapping.Algorithm(h, method, integrator);
        if (algorithm is ExactPiecewiseFlow exact && Patterns is not null) algorithm = exact with { SharedPatterns = Patterns };
        var observer = new BatchObserver(equation, Grid);
        var sol = HeatSolver.Solve(heatProblem, algorithm, observer, cancel);
        cancel.ThrowIfCancellationRequested();
        var increases = observer.Monitor.Classify(sol.Events);
        var largest = increases.MaxBy(i => i.Relative);
        var y = Sheaf.OutputOf(problem.Embed(sol.FinalState));
        energy = observer.OnGrid;
        bool plateau = sol.Status == HeatStatus.StoppedByRule && sol.Reason == StopReason.Plateau;
        return new BatchRow
        {
            Input = k,
            Status = plateau ? "Plateau" : sol.Status.ToString(),
            Reason = sol.Reason.ToString(),
            Converged = sol.Status == HeatStatus.Converged,
            TimeToConverge = sol.ConvergenceTime,
            FinalTime = sol.FinalTime,
            Switches = sol.Statistics.Switches,
            SlidingEpisodes = sol.Statistics.SlidingEpisodes,
            EnergyIncreases = increases.Count,
            LargestRelativeIncrease = largest?.Relative,
            LargestIncreaseCause = largest is null ? null : HeatJob.CauseName(largest.Cause),
            InitialEnergy = equation.Energy(initial),
            FinalEnergy = equation.Energy(sol.FinalState),
            FinalDistance = Numerics.MaxAbsDifference(sol.FinalState, limit.Target),
            OutputVsTorch = Numerics.MaxAbsDifference(y, Torch64[k]),
            LimitResidual = limit.Solution.Residual,
            LimitEnergy = equation.Energy(limit.Target),
            LimitEnergyByKind = LimitEnergySplit.Of(Sheaf.Sheaf, problem.Embed(limit.Target)),
            LambdaMin = lambdaMin,
            Method = method is "plain" or "switching-aware" ? $"{method} {integrator}" : method,
            Nfev = sol.Statistics.Nfev,
            Njev = sol.Statistics.Njev,
            Nlu = sol.Statistics.Nlu,
            Accepted = sol.Statistics.Accepted,
            Rejected = sol.Statistics.Rejected,
            Eigendecompositions = sol.Statistics.Eigendecompositions,
            WallTime = clock.Elapsed.TotalSeconds,
        };
    }
}

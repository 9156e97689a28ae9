using System.Text.Json.Nodes;
using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Engine.Spectra;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Runner.Config;
using ResidualSheaf.Runner.Output;
using TorchSharp;

namespace ResidualSheaf.Runner.Jobs;

/// <summary>
/// Everything a heat run needs, built and validated before any output exists: the sheaf, the pinned problem, the equation,
/// the initial state, the limit to measure distance against, the TorchSharp outputs and the static-solve figures.
/// </summary>
public sealed class HeatSetup
{
    /// <summary>Patterns are enumerated for λ_* (the energy bound) only up to this many free mask coordinates.</summary>
    public const int LambdaStarMaskLimit = 16;

    private HeatSetup(NetworkSheaf sheaf, DirichletProblem problem, HeatEquation equation, double[] input, double[] initial,
        double[]? target, string targetKind, double[] torch64, double[] torch32, double? lambdaStar, JsonObject staticFigures)
    {
        Sheaf = sheaf;
        Problem = problem;
        Equation = equation;
        Input = input;
        Initial = initial;
        Target = target;
        TargetKind = targetKind;
        Torch64 = torch64;
        Torch32 = torch32;
        LambdaStar = lambdaStar;
        StaticFigures = staticFigures;
    }

    /// <summary>The proven lower bound on λ_♯ (null when δ_Ω is not square and unitriangular, or with soft pins).</summary>
    public RateCertificate? Certificate { get; private init; }

    /// <summary>Why there is no certificate (or the plan's reason that there is one).</summary>
    public string CertificateWhy { get; private init; } = "";

    /// <summary>The network's sheaf.</summary>
    public NetworkSheaf Sheaf { get; }

    /// <summary>The pinned problem the flow runs on.</summary>
    public DirichletProblem Problem { get; }

    /// <summary>The heat equation.</summary>
    public HeatEquation Equation { get; }

    /// <summary>The network input (pinned).</summary>
    public double[] Input { get; }

    /// <summary>Initial free coordinates.</summary>
    public double[] Initial { get; }

    /// <summary>The flow's expected limit on the free coordinates (static solve of the same problem), or null with soft pins.</summary>
    public double[]? Target { get; }

    /// <summary>What <see cref="Target"/> is: harmonic extension (exact) or least-squares solution.</summary>
    public string TargetKind { get; }

    /// <summary>The integrator of plain / switching-aware runs, with <c>auto</c> resolved from the conditioning of L_free.</summary>
    public string Integrator { get; private init; } = "dp5";

    /// <summary>‖δ_Ω c − b̃‖ of <see cref="Target"/> (0 for an exact solve).</summary>
    public double? TargetResidual { get; private init; }

    /// <summary>Whether the masks recomputed from <see cref="Target"/> equal those its solve used.</summary>
    public bool? TargetMasksConsistent { get; private init; }

    /// <summary>"torch" (TorchSharp) or "onnx_runtime" (ONNX Runtime on the model file): what <see cref="Torch64"/> and <see cref="Torch32"/> come from, and the prefix of their report fields.</summary>
    public string ReferenceName { get; private init; } = "torch";

    /// <summary>Reference float64 output (TorchSharp, or ONNX Runtime for a network read from ONNX; see <see cref="ReferenceName"/>).</summary>
    public double[] Torch64 { get; }

    /// <summary>Reference float32 output (see <see cref="ReferenceName"/>).</summary>
    public double[] Torch32 { get; }

    /// <summary>λ_* of the problem over all mask patterns, when enumerable.</summary>
    public double? LambdaStar { get; }

    /// <summary>Static-solve and TorchSharp figures for the same network and input (input pinned only, as in the static job).</summary>
    public JsonObject StaticFigures { get; }

    /// <summary>Builds the run; every inconsistency with the config is a <see cref="ConfigException"/> naming the field.</summary>
    public static HeatSetup Build(RunConfig cfg, INetwork net)
    {
        var h = cfg.Heat ?? throw new InvalidOperationException("not a heat config");
        var ns = SheafConstructor.Build(net, cfg.Constructions[0]);
        var sheaf = ns.Sheaf;
        double[] x;
        if (h.Input is not null)
        {
            if (h.Input.Length != net.InputDimension)
                throw new ConfigException("heat.input", $"has {h.Input.Length} values; the network's input dimension is {net.InputDimension}");
            x = h.Input;
        }
        else x = InputSampler.Normal(1, net.InputDimension, cfg.Inputs.Seed, cfg.Inputs.Scale)[0];

        double[] y64, y32;
        string referenceName;
        bool float64IsFloat32, float64IsTorchGraph;
        using (var reference = ReferencePasses.For(net))
        {
            (y64, y32, referenceName, float64IsFloat32) = (reference.Forward64(x), reference.Forward32(x), reference.Name, reference.Float64IsFloat32);
            float64IsTorchGraph = reference.Float64IsTorchGraph;
        }

        // Forward-pass values by coordinate name, from the exact (junction) sheaf: defaults for extra pins.
        var junction = ns.Construction == SkipConstruction.Junction ? ns : SheafConstructor.Build(net, SkipConstruction.Junction);
        var forward = DirichletSolver.Solve(junction.Problem(x)).Cochain;
        var forwardByName = Enumerable.Range(0, junction.Sheaf.TotalDimension).ToDictionary(junction.Sheaf.CoordinateName, j => forward[j]);
        var coordinateOf = Enumerable.Range(0, sheaf.TotalDimension).ToDictionary(sheaf.CoordinateName, j => j);
        int Resolve(string name, string field) => coordinateOf.TryGetValue(name, out int j)
            ? j
            : throw new ConfigException(field, $"'{name}' is not a coordinate of the sheaf (coordinates are named vertex[index], e.g. " +
                $"{string.Join(", ", sheaf.Vertices.Take(4).Select(v => $"{v.Name}[0..{v.Dimension - 1}]"))})");

        var pins = new PinSet().PinVertex(ns.Input, x);
        if (h.PinOutput) pins.PinVertex(ns.Output, y64);
        for (int k = 0; k < h.Pins.Length; k++)
        {
            var p = h.Pins[k];
            string field = $"heat.pins[{k}].coordinate";
            int j = Resolve(p.Coordinate, field);
            if (pins.IsPinned(j))
                throw new ConfigException(field, $"'{p.Coordinate}' is already pinned (the input is always pinned{(h.PinOutput ? ", and pin_output pins the output" : "")})");
            double value = p.Value ?? (forwardByName.TryGetValue(p.Coordinate, out double v) ? v
                : throw new ConfigException($"heat.pins[{k}].value", $"'{p.Coordinate}' has no forward-pass value in this construction; give a value"));
            pins.Pin(j, value);
        }
        var problem = new DirichletProblem(sheaf, pins);
        var soft = new List<SoftPin>();
        for (int k = 0; k < h.SoftPins.Length; k++)
        {
            var s = h.SoftPins[k];
            string field = $"heat.soft_pins[{k}].coordinate";
            int j = Resolve(s.Coordinate, field);
            if (pins.IsPinned(j)) throw new ConfigException(field, $"'{s.Coordinate}' is hard-pinned; a soft pin needs a free coordinate");
            soft.Add(new SoftPin(j, s.Target, s.Gamma));
        }
        var equation = new HeatEquation(problem, h.Alpha, soft);
        int n = equation.FreeDimension;

        double[] initial = h.Initial.Kind switch
        {
            "zeros" => new double[n],
            "ones" => Enumerable.Repeat(1.0, n).ToArray(),
            "values" => h.Initial.Values!.Length == n ? h.Initial.Values
                : throw new ConfigException("heat.initial.values", $"has {h.Initial.Values.Length} values; the problem has {n} free coordinates " +
                    $"(every coordinate except the pinned ones, in sheaf order: {Preview(problem)})"),
            _ => InputSampler.Normal(1, n, h.Initial.Seed, h.Initial.Scale)[0],
        };

        double[]? target = null;
        string targetKind = "none (soft pins: the limit is not known in advance)";
        DirichletSolution? own = null;
        if (soft.Count == 0)
        {
            var limit = FlowLimit.Solve(ns, problem, x);
            (own, target) = (limit.Solution, limit.Target);
            targetKind = own.Method == DirichletMethod.ForwardSubstitution ? "harmonic extension (exact solve)" : "least-squares solution";
        }
        // With a smooth head a_out has no linear edge, so L_free of the linear part is singular there: λ_* would be 0 and mean nothing.
        double? lambdaStar = sheaf.HasSmoothEdges ? null : FlowLimit.LambdaStar(problem, LambdaStarMaskLimit);
        // κ of L_free at the limit's pattern (or at the initial state's pattern when the limit is unknown).
        string integrator = HeatConfigMapping.ResolveIntegrator(h.Integrator, equation, own?.Cochain ?? problem.Embed(initial));
        var figures = ComputeStaticFigures(ns, x, y64, y32, referenceName);
        // ONNX Runtime without a double kernel (Conv): the "float64" reference is its float32 run, and the summary says so.
        if (float64IsFloat32) figures["reference_float64_is_float32"] = true;
        if (float64IsTorchGraph) figures["reference_float64_is_torch_graph"] = true;
        string why = "soft pins add energy terms outside δ_Ω";
        var certificate = soft.Count == 0 ? RateCertificate.TryCompute(problem, out why) : null;
        return new HeatSetup(ns, problem, equation, x, initial, target, targetKind, y64, y32, lambdaStar, figures)
        {
            Integrator = integrator,
            TargetResidual = own?.Residual,
            TargetMasksConsistent = own?.MasksConsistent,
            Certificate = certificate,
            CertificateWhy = why,
            ReferenceName = referenceName,
        };
    }

    private static string Preview(DirichletProblem p)
    {
        var names = p.FreeCoordinates.Take(8).Select(p.Sheaf.CoordinateName);
        return string.Join(", ", names) + (p.FreeCoordinates.Count > 8 ? ", …" : "");
    }

    private static JsonObject ComputeStaticFigures(NetworkSheaf ns, double[] x, double[] y64, double[] y32, string reference)
    {
        var p = ns.Problem(x);
        var sol = DirichletSolver.Solve(p, initialMasks: ns.ForwardMasks(x));
        var y = ns.OutputOf(sol.Cochain);
        var o = new JsonObject
        {
            ["problem"] = "input pinned only (as in the static job)",
            ["method"] = sol.Method.ToString(),
            ["residual"] = sol.Residual,
            ["masks_consistent"] = sol.MasksConsistent,
            ["output"] = JsonFile.Array(y),
            [$"{reference}_float64_output"] = JsonFile.Array(y64),
            [$"{reference}_float32_output"] = JsonFile.Array(y32),
            ["err_float64"] = y.Zip(y64, (a, b) => Math.Abs(a - b)).Max(),
            ["err_float32"] = y.Zip(y32, (a, b) => Math.Abs(a - b)).Max(),
            ["free_dimension"] = p.FreeCoordinates.Count,
            ["edge_dimension"] = ns.Sheaf.EdgeDimension,
        };
        if (ns.Sheaf.HasSmoothEdges) o["diagnostics"] = "omitted: a smooth output head makes the Dirichlet problem nonlinear (δ_Ω has no a_out column)";
        else if (p.FreeCoordinates.Count <= StaticLabJob.DenseDiagnosticsLimit)
        {
            var d = DirichletDiagnostics.Compute(p, sol.Masks);
            o["rank"] = d.Rank;
            o["determinant"] = d.Determinant;
            o["lambda_min"] = d.LambdaMin;
            o["lambda_max"] = d.LambdaMax;
            o["condition_number"] = d.ConditionNumber;
        }
        return o;
    }
}

using System.Text.Json.Nodes;
using ResidualSheaf.Engine;
using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Engine.Spectra;
using ResidualSheaf.Engine.Stationary;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Onnx;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Models.Weights;
using ResidualSheaf.Runner.Output;
using Spectre.Console;
using TorchSharp;

namespace ResidualSheaf.Runner.Jobs;

/// <summary>
/// The static lab done right: for each sheaf construction and each input, solve the pinned Dirichlet problem, compare the
/// solved output block with TorchSharp float64 (and float32, reported separately), report residuals, ranks and spectra.
/// </summary>
public sealed class StaticLabJob : IJob
{
    /// <summary>Dense diagnostics (SVD, eigenvalues) are computed for every input only up to this many free coordinates.</summary>
    public const int DenseDiagnosticsLimit = 1500;

    /// <summary>How the lab text's construction differs from this one (stated in every report).</summary>
    public const string LabDifference =
        "The lab text's NumPy builder is not reproduced: it applies the ReLU before the addition while its PyTorch module applies it " +
        "after, encodes W2·a1 = b2 − z3 (sign error) and drops ReLU and skip in that row, gives the chord row no free columns " +
        "(the equation 0 = z3 − x), and reports a forward pass computed inside the builder instead of the solved output; here δ_Ω and " +
        "b̃ come from the sheaf, and the solved output block is compared with a float64 TorchSharp module of the same ReLU placement.";

    /// <inheritdoc/>
    public int Run(RunContext ctx, CancellationToken cancel)
    {
        var cfg = ctx.Config;
        var net = ctx.Network ?? throw new InvalidOperationException("the static job needs a network");
        WeightJson.Write(ctx.Output.File("weights.json"), net, cfg.Onnx is { } model ? $"ONNX initializers of {model.Source}" : cfg.Weights.Provenance(cfg.Seed));
        ctx.Log.Information("Network {Network}, weights {Source}", net.Describe(), cfg.Onnx is null ? cfg.Weights.Source : "onnx");
        using var reference = ReferencePasses.For(net);
        // Inputs from a data file were read and checked before the run folder existed (Program); drawn ones are drawn here.
        var inputs = ctx.InputSet?.Inputs ?? InputSampler.Normal(cfg.Inputs.Count, net.InputDimension, cfg.Inputs.Seed, cfg.Inputs.Scale);
        var ref64 = inputs.Select(reference.Forward64).ToArray();
        var ref32 = inputs.Select(reference.Forward32).ToArray();

        var header = new List<string> { "construction", "input" };
        header.AddRange(Enumerable.Range(0, net.InputDimension).Select(i => $"x{i}"));
        header.AddRange(["method", "residual", "err_float64", "err_float32", "masks_consistent", "mask_iterations", "rank", "sigma_min", "sigma_max",
            "det", "lambda_min", "lambda_max", "pinned_forward_residual", "pinned_wrong_residual",
            "stationary_points", "sliding_equilibria", "solved_point_rank", "lowest_stationary_energy",
            "condition_number", "spectrum_method", "lambda_min_relative_residual", "predicted_class", "reference_class"]);
        var report = new JsonObject
        {
            ["name"] = cfg.Name,
            ["job"] = cfg.Job,
            ["network"] = net.Describe(),
            ["weights"] = cfg.Onnx is { } m ? $"onnx: {m.Source}" : cfg.Weights.Source switch { "seeded" => $"seeded, torch.manual_seed({cfg.Seed})", "neural-sheaf" => cfg.Weights.Provenance(cfg.Seed), _ => $"{cfg.Weights.Source}: {cfg.Weights.Path}" },
            ["inputs"] = ctx.InputSet is { } set ? set.Source.DeepClone() : new JsonObject { ["count"] = cfg.Inputs.Count, ["seed"] = cfg.Inputs.Seed, ["scale"] = cfg.Inputs.Scale, ["generator"] = "torch.randn(count, n, dtype=torch.float64, generator=torch.Generator().manual_seed(seed)) * scale" },
            ["lab_text_difference"] = LabDifference,
        };
        // err_float64/err_float32 compare with TorchSharp for declared architectures; for an ONNX model, with ONNX Runtime on the file.
        if (net is OnnxNetwork onnx)
        {
            report["reference"] = $"ONNX Runtime on {onnx.Source} ({(onnx.IsFloat32 ? "float32 as written; float64 on a widened copy" : "float64 as written; float32 on a rounded copy")})";
            if (reference.Float64IsTorchGraph)
                report["reference_float64"] = "TorchSharp float64, node by node through the graph read from the file (ONNX Runtime has no double kernel for an operator of it); float32: ONNX Runtime";
            if (reference.Float64IsFloat32)
            {
                report["reference_float64_is_float32"] = true;
                ctx.Log.Warning("ONNX Runtime has no float64 kernel for an operator of {Model}: err_float64 compares with its float32 run", onnx.Source);
            }
        }
        var constructions = new JsonObject();
        report["constructions"] = constructions;
        var perConstruction = new Dictionary<SkipConstruction, (double[] Err, double[] Res)>();
        var spectra = new Dictionary<SkipConstruction, List<PatternSpectrum>>();
        var sheaves = new Dictionary<SkipConstruction, NetworkSheaf>();
        using (var csv = new CsvTable(ctx.Output.File("sweep.csv"), header))
        {
            foreach (var construction in cfg.Constructions)
            {
                cancel.ThrowIfCancellationRequested();
                var ns = SheafConstructor.Build(net, construction);
                sheaves[construction] = ns;
                var spectrum = new List<PatternSpectrum>();
                var summary = RunConstruction(ctx, ns, inputs, ref64, ref32, csv, cancel, out var errs, out var res, spectrum);
                if (spectrum.Count > 0) spectra[construction] = spectrum;
                constructions[Name(construction)] = summary;
                perConstruction[construction] = (errs, res);
            }
        }
        var plots = new JsonObject();
        report["plots"] = plots;
        StaticLabPlots.Write(ctx, perConstruction, sheaves, plots);
        if (spectra.Count > 0) StaticSpectrumPlots.Write(ctx, spectra, plots);
        report["provenance"] = Provenance.Json();
        JsonFile.Write(ctx.Output.File("report.json"), report);
        PrintSummary(net, constructions);
        return 0;
    }

    private static JsonObject RunConstruction(RunContext ctx, NetworkSheaf ns, double[][] inputs, double[][] ref64, double[][] ref32,
        CsvTable csv, CancellationToken cancel, out double[] errors, out double[] residuals, List<PatternSpectrum> spectra)
    {
        var cfg = ctx.Config;
        string cname = Name(ns.Construction);
        var sheaf = ns.Sheaf;
        errors = new double[inputs.Length];
        residuals = new double[inputs.Length];
        var err32 = new double[inputs.Length];
        var lmin = new List<double>();
        var lmax = new List<double>();
        var dets = new List<double>();
        var pinnedForward = new List<double>();
        var pinnedWrong = new List<double>();
        int consistent = 0, classesEqual = 0, ranks = int.MaxValue, diagnosed = 0, notLowest = 0;
        var stationaryCounts = new List<int>();
        var slidingCounts = new List<int>();
        var methods = new SortedSet<string>();
        string note = "";
        DirichletDiagnostics? first = null;
        var firstProblem = ns.Problem(inputs[0]);
        bool dense = firstProblem.FreeCoordinates.Count <= DenseDiagnosticsLimit;
        for (int k = 0; k < inputs.Length; k++)
        {
            cancel.ThrowIfCancellationRequested();
            var x = inputs[k];
            var problem = ns.Problem(x);
            var sol = DirichletSolver.Solve(problem, initialMasks: ns.ForwardMasks(x));
            methods.Add(sol.Method.ToString());
            note = sol.Note;
            var y = ns.OutputOf(sol.Cochain);
            errors[k] = Numerics.MaxAbsDifference(y, ref64[k]);
            err32[k] = Numerics.MaxAbsDifference(y, ref32[k]);
            residuals[k] = sol.Residual;
            if (sol.MasksConsistent) consistent++;
            if (ArgMax(y) == ArgMax(ref64[k])) classesEqual++;
            DirichletDiagnostics? d = null;
            // With a smooth head δ_Ω is the linear part only (no a_out column): its spectrum says nothing about the head.
            // With controls.spectrum the first input's dense SVD (minutes at |Ω| ~ 7 000) gives way to the matrix-free spectrum.
            if ((dense || (k == 0 && !cfg.Spectrum)) && !sheaf.HasSmoothEdges)
            {
                d = DirichletDiagnostics.Compute(problem, sol.Masks);
                first ??= d;
                diagnosed++;
                ranks = Math.Min(ranks, d.Rank);
                lmin.Add(d.LambdaMin);
                lmax.Add(d.LambdaMax);
                if (d.Determinant is double det) dets.Add(det);
            }
            // controls.spectrum: where the dense diagnostics stop (or a head hides them), Lanczos through the maps (PatternSpectrum).
            PatternSpectrum? ps = null;
            if (cfg.Spectrum && d is null)
            {
                ps = PatternSpectrum.Compute(problem, sol.Masks, sol.Cochain);
                spectra.Add(ps);
                lmin.Add(ps.LambdaMin);
                lmax.Add(ps.LambdaMax);
            }
            double? pf = null, pw = null;
            if (cfg.PinOutputControls)
            {
                pf = DirichletSolver.Solve(ns.Problem(x, ref64[k]), initialMasks: sol.Masks).Residual;
                var wrong = ref64[k].Select(v => v + cfg.WrongOffset).ToArray();
                pw = DirichletSolver.Solve(ns.Problem(x, wrong), initialMasks: sol.Masks).Residual;
                pinnedForward.Add(pf.Value);
                pinnedWrong.Add(pw.Value);
            }
            var stationary = StationaryColumns(problem, sol.Cochain, stationaryCounts, slidingCounts, ref notLowest);
            var row = new List<object?> { cname, k };
            row.AddRange(x.Cast<object?>());
            row.AddRange([sol.Method.ToString(), sol.Residual, errors[k], err32[k], sol.MasksConsistent, sol.MaskIterations, d?.Rank,
                d?.SingularValues[^1], d?.SingularValues[0], d?.Determinant, d?.LambdaMin ?? ps?.LambdaMin, d?.LambdaMax ?? ps?.LambdaMax, pf, pw,
                stationary.Count, stationary.Sliding, stationary.Rank, stationary.Lowest,
                d is not null ? d.LambdaMax / d.LambdaMin : ps?.Condition, d is not null ? "dense" : ps?.Method, ps?.LambdaMinRelativeResidual,
                ArgMax(y), ArgMax(ref64[k])]);
            csv.Row(row.ToArray());
        }
        ctx.Log.Information("{Construction}: max |sheaf − torch64| = {Err:E3}, residual ∈ [{Rmin:E3}, {Rmax:E3}]",
            cname, errors.Max(), residuals.Min(), residuals.Max());

        var o = new JsonObject
        {
            ["vertices"] = sheaf.Vertices.Count,
            ["edges"] = sheaf.Edges.Count,
            ["vertex_stalks"] = new JsonArray(sheaf.Vertices.Select(v => (JsonNode?)$"{v.Name}:R^{v.Dimension}").ToArray()),
            ["total_vertex_dimension"] = sheaf.TotalDimension,
            ["free_dimension"] = firstProblem.FreeCoordinates.Count,
            ["edge_dimension"] = sheaf.EdgeDimension,
            ["delta_omega_shape"] = new JsonArray(sheaf.EdgeDimension, firstProblem.FreeCoordinates.Count),
            ["skip_edges"] = SkipEdges(sheaf),
            ["methods"] = new JsonArray(methods.Select(m => (JsonNode?)m).ToArray()),
            ["method_note"] = note,
            ["rank_min"] = ranks == int.MaxValue ? null : ranks,
            ["full_column_rank"] = ranks == firstProblem.FreeCoordinates.Count,
            ["inputs_diagnosed"] = diagnosed,
            ["singular_values_input0"] = first is null ? null : new JsonArray(first.SingularValues.Select(s => (JsonNode?)s).ToArray()),
            ["determinant"] = dets.Count == 0 ? null : JsonFile.Stats(Stats.Of(dets)),
            ["max_abs_det_minus_1"] = dets.Count == 0 ? null : dets.Max(d => Math.Abs(d - 1)),
            ["lambda_min"] = JsonFile.Stats(Stats.Of(lmin)),
            ["lambda_max"] = JsonFile.Stats(Stats.Of(lmax)),
            ["condition_number_max"] = lmin.Count == 0 ? null : lmax.Zip(lmin, (a, b) => a / b).Max(),
            ["err_float64"] = JsonFile.Stats(Stats.Of(errors)),
            ["err_float32"] = JsonFile.Stats(Stats.Of(err32)),
            ["residual"] = JsonFile.Stats(Stats.Of(residuals)),
            ["inputs_with_residual_above_1e-3"] = residuals.Count(r => r > 1e-3),
            ["inputs_with_err_float64_above_1e-12"] = errors.Count(e => e > 1e-12),
            ["masks_consistent"] = $"{consistent} of {inputs.Length}",
            ["predicted_class_equal"] = $"{classesEqual} of {inputs.Length}",
            ["stationary_points"] = StationarySummary(stationaryCounts, slidingCounts, notLowest, inputs.Length),
        };
        if (cfg.PinOutputControls)
            o["controls"] = new JsonObject
            {
                ["pinned_to_forward_residual"] = JsonFile.Stats(Stats.Of(pinnedForward)),
                ["pinned_to_wrong_residual"] = JsonFile.Stats(Stats.Of(pinnedWrong)),
                ["wrong_offset"] = cfg.WrongOffset,
            };
        if (sheaf.HasSmoothEdges)
            o["lambda_star"] = new JsonObject { ["refused"] = "a smooth output head: the Dirichlet problem is nonlinear, so L_free has no meaning at a_out" };
        else
        {
            try
            {
                var ms = MaskSpectrum.Compute(firstProblem);
                o["lambda_star"] = new JsonObject { ["value"] = ms.LambdaStar, ["lambda_max_over_masks"] = ms.LambdaMaxOverall, ["patterns"] = ms.Patterns, ["argmin_pattern"] = ms.ArgMin };
            }
            catch (InvalidOperationException e)
            {
                o["lambda_star"] = new JsonObject { ["refused"] = e.Message };
            }
        }
        return o;
    }

    /// <summary>Stationary points of one input (null columns when there are too many units to enumerate).</summary>
    private static (int? Count, int? Sliding, int? Rank, double? Lowest) StationaryColumns(DirichletProblem problem, double[] solved,
        List<int> counts, List<int> sliding, ref int notLowest)
    {
        // Square unitriangular δ_Ω(Θ) for every Θ (junction, input pinned): a zero gradient means a zero residual, so the forward
        // pass is the only stationary point (theorem; enumerating 2^units patterns to find it again cost minutes on two blocks).
        if (ForwardSubstitutionPlan.TryCreate(problem, out _) is not null)
        {
            counts.Add(1);
            sliding.Add(0);
            return (1, 0, 1, DirichletEnergy.Evaluate(problem.Sheaf, solved));
        }
        if (!StationaryPoints.CanEnumerate(problem)) return (null, null, null, null);
        var set = StationaryPoints.Enumerate(problem);
        counts.Add(set.PatternPoints);
        sliding.Add(set.SlidingPoints);
        var near = set.Nearest(solved);
        int? rank = near is { } n && StationaryPoints.Reached(n.Distance, Numerics.MaxAbs(solved)) ? n.Point.Rank : null;
        if (rank is not 1) notLowest++;
        return (set.PatternPoints, set.SlidingPoints, rank, set.Points.Count > 0 ? set.Points[0].Energy : null);
    }

    /// <summary>How many inputs have how many self-consistent least-squares points, and how often the solve missed the lowest.</summary>
    private static JsonNode StationarySummary(List<int> counts, List<int> sliding, int notLowest, int inputs)
    {
        if (counts.Count == 0)
            return new JsonObject { ["refused"] = $"more than {StationaryPoints.MaxPatternUnits} free mask coordinates: patterns not enumerated" };
        var histogram = new JsonObject();
        foreach (var g in counts.GroupBy(c => c).OrderBy(g => g.Key)) histogram[g.Key.ToString(System.Globalization.CultureInfo.InvariantCulture)] = g.Count();
        return new JsonObject
        {
            ["inputs_enumerated"] = counts.Count,
            ["inputs_by_pattern_point_count"] = histogram,
            ["inputs_with_several_pattern_points"] = counts.Count(c => c >= 2),
            ["inputs_with_no_pattern_point"] = counts.Count(c => c == 0),
            ["inputs_with_sliding_equilibria"] = sliding.Count(c => c > 0),
            ["inputs_where_the_solve_did_not_reach_the_lowest_point"] = notLowest,
            ["of_inputs"] = inputs,
            ["definition"] = "pattern point: the least-squares point of one activation pattern whose masks, recomputed from it, are that pattern; " +
                "sliding equilibrium: units held at z = 0 with 0 between their one-sided velocities (Filippov), zero gradient elsewhere",
        };
    }

    private static JsonArray SkipEdges(CellularSheaf sheaf) =>
        new(sheaf.Edges.Where(e => e.Kind is EdgeKind.Skip or EdgeKind.Chord).Select(e => (JsonNode?)new JsonObject
        {
            ["edge"] = e.Name,
            ["kind"] = e.Kind.ToString().ToLowerInvariant(),
            ["tail"] = sheaf.Vertices[e.Tail].Name,
            ["head"] = sheaf.Vertices[e.Head].Name,
            ["tail_map"] = $"{e.TailMap.GetType().Name} {e.TailMap.Rows}×{e.TailMap.Columns}",
            ["head_map"] = $"{e.HeadMap.GetType().Name} {e.HeadMap.Rows}×{e.HeadMap.Columns}",
        }).ToArray());

    /// <summary>Index of the largest output (the predicted class; the first of ties).</summary>
    private static int ArgMax(double[] v)
    {
        int best = 0;
        for (int i = 1; i < v.Length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    /// <summary>Lower-case name of a construction as used in configs and reports.</summary>
    public static string Name(SkipConstruction c) => c.ToString().ToLowerInvariant();

    private static void PrintSummary(INetwork net, JsonObject constructions)
    {
        var table = new Table().Title($"[bold]{Markup.Escape(net.Describe())}[/]");
        table.AddColumns("skip", "δ_Ω", "rank", "solve", "err f64", "err f32", "residual min/med/max", "λ_min", "masks ok");
        foreach (var (name, node) in constructions)
        {
            var o = node!.AsObject();
            string S(string key, string field) => o[key]?[field]?.GetValue<double>().ToString("0.0e0", System.Globalization.CultureInfo.InvariantCulture) ?? "–";
            table.AddRow(
                name,
                $"{o["delta_omega_shape"]![0]}×{o["delta_omega_shape"]![1]}",
                o["rank_min"]?.ToString() ?? "–",
                string.Join(", ", o["methods"]!.AsArray().Select(m => m!.ToString() == "ForwardSubstitution" ? "fwd-sub" : m.ToString() == "LeastSquaresQr" ? "QR" : "SVD")),
                S("err_float64", "max"),
                S("err_float32", "max"),
                $"{S("residual", "min")} / {S("residual", "median")} / {S("residual", "max")}",
                $"{S("lambda_min", "min")}–{S("lambda_min", "max")}",
                o["masks_consistent"]!.ToString());
        }
        AnsiConsole.Write(table);
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Models.Graph;
using ResidualSheaf.Models.Weights;
using ResidualSheaf.Runner.Config;
using ResidualSheaf.Runner.Output;
using Spectre.Console;

namespace ResidualSheaf.Runner.Jobs;

/// <summary>
/// One run of the sheaf heat equation with the input pinned: trace, events, summary (convergence, energy monotonicity with every
/// increase classified, statistics, static-solve and TorchSharp figures) and plots.
/// </summary>
public sealed class HeatJob : IJob
{
    /// <summary>Exit code when the integration stopped on a numerical fault (NaN/Inf, step-size underflow, step or event limit).</summary>
    public const int IntegrationFault = 3;

    /// <inheritdoc/>
    public int Run(RunContext ctx, CancellationToken cancel)
    {
        var cfg = ctx.Config;
        var h = cfg.Heat!;
        var net = ctx.Network ?? throw new InvalidOperationException("the heat job needs a network");
        var setup = ctx.Heat ?? throw new InvalidOperationException("the heat job needs its set-up");
        WeightJson.Write(ctx.Output.File("weights.json"), net, cfg.Onnx is { } model ? $"ONNX initializers of {model.Source}" : cfg.Weights.Provenance(cfg.Seed));
        string method = HeatConfigMapping.ResolveMethod(h.Method, setup.Equation.FreeDimension, setup.Equation.HasSmoothHead);
        ctx.Log.Information("Network {Network}, {Construction} construction, {Free} free coordinates, {Units} switching units, method {Method}",
            net.Describe(), StaticLabJob.Name(setup.Sheaf.Construction), setup.Equation.FreeDimension, setup.Equation.SwitchingCount, Describe(h, method));

        var problem = HeatConfigMapping.Problem(h, setup.Equation, setup.Initial, setup.Target);
        var algorithm = HeatConfigMapping.Algorithm(h, method, setup.Integrator);
        var clock = Stopwatch.StartNew();
        HeatSolution solution;
        HeatTrace trace;
        using (trace = new HeatTrace(setup, h.TraceEvery, ctx.Output, ctx.Log))
        {
            solution = HeatSolver.Solve(problem, algorithm, trace, cancel);
            trace.Finish();
        }
        double wall = clock.Elapsed.TotalSeconds;
        var increases = trace.Monitor.Classify(solution.Events);
        var summary = Summary(ctx, setup, solution, trace, increases, wall, method);
        var plots = new JsonObject();
        summary["plots"] = plots;
        summary["provenance"] = Provenance.Json();
        HeatPlots.Write(ctx, setup, trace, summary, plots);
        JsonFile.Write(ctx.Output.File("summary.json"), summary);
        if (!ctx.Quiet) PrintSummary(summary);

        if (solution.Status == HeatStatus.Interrupted)
        {
            ctx.Log.Warning("Interrupted at t = {T:G6}: trace and summary written, summary marked interrupted", solution.FinalTime);
            return Program.Cancelled;
        }
        if (IsFault(solution.Status))
        {
            ctx.Log.Error("Integration stopped: {Status}: {Message}", solution.Status, solution.Message);
            return IntegrationFault;
        }
        return 0;
    }

    /// <summary>The basis sizes and threads when the config chose them (absent: the description is as before the fields existed).</summary>
    private static string Basis(HeatConfig h)
    {
        string threads = h.KrylovThreads is int t ? $"; {t} kernel thread{(t == 1 ? "" : "s")}" : "";
        if (h.KrylovBasis is null && h.KrylovMinBasis is null) return threads;
        int max = h.KrylovBasis ?? HeatConfig.DefaultKrylovBasis, min = h.KrylovMinBasis ?? max;
        return (min == max ? $"; basis {max} vectors" : $"; basis {min} to {max} vectors") + threads;
    }

    private static bool IsFault(HeatStatus s) =>
        s is HeatStatus.NonFiniteState or HeatStatus.StepSizeUnderflow or HeatStatus.StepLimit or HeatStatus.EventLimit or HeatStatus.NumericalFailure;

    private static string Describe(HeatConfig h, string method) => method switch
    {
        "krylov" => $"Krylov piecewise (exact switching, matrix-free; error bound per step {(h.KrylovTolerance ?? h.Atol).ToString(CultureInfo.InvariantCulture)}{Basis(h)})",
        "rkc-krylov" => $"switching-aware RKC (rtol {h.Rtol.ToString(CultureInfo.InvariantCulture)}, atol {h.Atol.ToString(CultureInfo.InvariantCulture)}), then Krylov piecewise after " +
                        $"{h.HandoffQuietSteps} quiet steps (error bound per step {(h.KrylovTolerance ?? h.Atol).ToString(CultureInfo.InvariantCulture)}{Basis(h)})",
        "exact" => "exact piecewise (eigendecomposition per pattern)",
        "authors-euler" => $"authors' Euler (dt = {h.EulerDt.ToString(CultureInfo.InvariantCulture)}, stop max|Δc| < {h.EulerTolerance.ToString(CultureInfo.InvariantCulture)})",
        _ => $"{method} {h.Integrator} (rtol {h.Rtol.ToString(CultureInfo.InvariantCulture)}, atol {h.Atol.ToString(CultureInfo.InvariantCulture)})",
    };

    private static JsonObject Summary(RunContext ctx, HeatSetup setup, HeatSolution sol, HeatTrace trace, IReadOnlyList<EnergyIncrease> increases, double wall, string method)
    {
        var cfg = ctx.Config;
        var h = cfg.Heat!;
        var final = sol.FinalState;
        double? distance = setup.Target is { } t ? final.Zip(t, (a, b) => Math.Abs(a - b)).Max() : null;
        var full = setup.Problem.Embed(final);
        var y = setup.Sheaf.OutputOf(full);
        double vsTorch = y.Zip(setup.Torch64, (a, b) => Math.Abs(a - b)).Max();
        double? limitVsTorch = null;
        if (setup.Target is { } target)
        {
            var yl = setup.Sheaf.OutputOf(setup.Problem.Embed(target));
            limitVsTorch = yl.Zip(setup.Torch64, (a, b) => Math.Abs(a - b)).Max();
        }
        bool converged = sol.Status == HeatStatus.Converged;
        string why = sol.Status switch
        {
            HeatStatus.Converged when sol.Reason == StopReason.Distance =>
                $"distance to the {setup.TargetKind} ≤ {h.StopDistance.ToString("G3", CultureInfo.InvariantCulture)}",
            HeatStatus.StoppedByRule when sol.Reason == StopReason.Plateau =>
                $"energy plateau at t = {sol.FinalTime.ToString("G6", CultureInfo.InvariantCulture)}: E changed by ≤ 1e-9 (relative) over the last " +
                $"{h.PlateauWindow.ToString(CultureInfo.InvariantCulture)} time units at distance {distance?.ToString("G3", CultureInfo.InvariantCulture)} " +
                $"from the {setup.TargetKind}: the flow rests at another stationary point (e.g. a sliding equilibrium)",
            _ => sol.Message,
        };
        var byCause = Enum.GetValues<EnergyIncreaseCause>().ToDictionary(c => c, c => increases.Count(i => i.Cause == c));
        var largest = increases.MaxBy(i => i.Relative);
        var o = new JsonObject
        {
            ["name"] = cfg.Name,
            ["network"] = ctx.Network!.Describe(),
            ["construction"] = StaticLabJob.Name(setup.Sheaf.Construction),
            ["method"] = method,
            ["method_requested"] = h.Method,
            ["integrator"] = method is "plain" or "switching-aware" ? setup.Integrator : null,
            ["integrator_requested"] = method is "plain" or "switching-aware" ? h.Integrator : null,
            ["alpha"] = h.Alpha,
            // A plateau stop is spelt as in the hunts' results.csv.
            ["status"] = sol.Reason == StopReason.Plateau ? "Plateau" : sol.Status.ToString(),
            ["interrupted"] = sol.Status == HeatStatus.Interrupted,
            ["converged"] = converged,
            ["reached"] = converged && setup.Target is not null && distance <= h.StopDistance ? "limit"
                : sol.Reason == StopReason.Plateau ? "other-stationary-point" : converged ? "stationary (stop_force / stop rule)" : "none",
            ["why"] = why,
            ["message"] = sol.Message,
            ["final_time"] = JsonFile.Num(sol.FinalTime),
            ["time_to_converge"] = sol.ConvergenceTime is double ct ? JsonFile.Num(ct) : null,
            ["limit"] = setup.TargetKind,
            ["limit_residual"] = setup.TargetResidual,
            ["limit_masks_consistent"] = setup.TargetMasksConsistent,
            ["final_distance_to_limit"] = distance,
            ["final_output"] = JsonFile.Array(y),
            [$"{setup.ReferenceName}_float64_output"] = JsonFile.Array(setup.Torch64),
            [$"final_output_vs_{setup.ReferenceName}_float64"] = vsTorch,
            [$"limit_output_vs_{setup.ReferenceName}_float64"] = limitVsTorch,
            ["initial_energy"] = JsonFile.Num(trace.InitialEnergy),
            ["final_energy"] = JsonFile.Num(trace.Last.E),
            ["energy_monotone"] = increases.Count == 0,
            ["energy_increases"] = new JsonObject
            {
                ["threshold_relative"] = trace.Monitor.RelativeThreshold,
                ["count"] = increases.Count,
                ["by_cause"] = new JsonObject(byCause.Select(p => KeyValuePair.Create(CauseName(p.Key), (JsonNode?)p.Value))),
                ["largest_relative"] = largest is null ? null : JsonFile.Num(largest.Relative),
                ["largest_at"] = largest is null ? null : new JsonObject
                {
                    ["t0"] = largest.T0,
                    ["t1"] = largest.T1,
                    ["E0"] = largest.E0,
                    ["E1"] = largest.E1,
                    ["cause"] = CauseName(largest.Cause),
                },
                ["rises_within_rounding"] = trace.Monitor.RisesWithinRounding,
                ["samples"] = trace.Samples,
            },
            ["lambda_star"] = setup.LambdaStar,
            ["energy_bound"] = Bound(setup, trace),
            ["stationary_points"] = Stationary(setup, full),
            ["rate_certificate"] = Certificate(setup, trace),
            ["switches"] = sol.Statistics.Switches,
            ["sliding_episodes"] = sol.Statistics.SlidingEpisodes,
            ["statistics"] = new JsonObject
            {
                ["nfev"] = sol.Statistics.Nfev,
                ["njev"] = sol.Statistics.Njev,
                ["nlu"] = sol.Statistics.Nlu,
                ["accepted_steps"] = sol.Statistics.Accepted,
                ["rejected_steps"] = sol.Statistics.Rejected,
                ["eigendecompositions"] = sol.Statistics.Eigendecompositions,
                ["events"] = sol.Events.Count,
            },
            ["wall_time_s"] = wall,
            ["free_dimension"] = setup.Equation.FreeDimension,
            ["switching_units"] = setup.Equation.SwitchingCount,
            ["input"] = JsonFile.Array(setup.Input),
            ["static"] = setup.StaticFigures,
        };
        if (setup.Equation.HasSmoothHead)
        {
            // Only with a head, so that identity-head summaries keep their fields.
            var output = ctx.Network!.Graph.Output;
            o["head"] = OutputHeads.Name(output.Head);
            o["head_mode"] = OutputHeads.Name(output.Mode);
            o["gradient_flow"] = setup.Equation.IsGradientFlow;
            o["energy_note"] = setup.Equation.IsGradientFlow
                ? "jacobian mode: the flow is the gradient flow of E, so in exact arithmetic E never increases"
                : "identity mode: the force on the head's tail is −(φ(z) − a_out), not a gradient of E; E may rise, and increases are genuine dynamics";
        }
        return o;
    }

    private static JsonObject Certificate(HeatSetup setup, HeatTrace trace)
    {
        if (setup.Certificate is not { } c) return new JsonObject { ["applies"] = false, ["why"] = setup.CertificateWhy };
        return new JsonObject
        {
            ["applies"] = true,
            ["lambda"] = c.LowerBound,
            ["rate"] = 2 * setup.Equation.Alpha * c.LowerBound,
            ["partition"] = c.Partition,
            ["inverse_norm_bound"] = c.InverseNormBound,
            ["ratio_to_lambda_star"] = setup.LambdaStar is double ls ? c.LowerBound / ls : null,
            ["statement"] = "λ_min(L_free(Θ)) ≥ lambda for every fractional mask Θ ∈ [0,1]^units, so E(t) ≤ E(0)·e^{−rate·t} from every start",
            ["worst_ratio_E_over_bound"] = trace.WorstCertificateRatio,
            ["holds"] = trace.WorstCertificateRatio is not double w || w <= 1 + 1e-9,
        };
    }

    private static JsonObject Stationary(HeatSetup setup, double[] finalCochain)
    {
        bool soft = setup.Equation.SoftPins.Count > 0;
        return StationaryReach.Locate(setup.Problem, finalCochain, soft)?.ToJson() ?? StationaryReach.NotEnumerated(soft);
    }

    private static JsonObject Bound(HeatSetup setup, HeatTrace trace)
    {
        // The bound is a theorem when every pattern's δ_Ω(σ) is square and invertible (junction, input pinned only): then every
        // residual r lies in range δ_Ω(σ), so ‖∇E‖² = ‖δ_Ωᵀr‖² ≥ λ_min(σ)‖r‖² = 2λ_min(σ)E ≥ 2λ_*E.
        if (setup.Equation.HasSmoothHead)
            return new JsonObject { ["applies"] = false, ["why"] = "a smooth output head: the flow is not piecewise affine, and λ_* of the linear part bounds nothing" };
        if (setup.LambdaStar is null) return new JsonObject { ["applies"] = false, ["why"] = "λ_* not enumerated (too many mask coordinates)" };
        bool square = setup.Equation.FreeDimension == setup.Problem.Sheaf.EdgeDimension && setup.Equation.SoftPins.Count == 0;
        if (!square)
            return new JsonObject
            {
                ["applies"] = false,
                ["why"] = "δ_Ω is not square (tall system or soft pins): the residual need not lie in range δ_Ω, so the bound is not a theorem here",
                ["worst_ratio_E_over_bound"] = trace.WorstBoundRatio,
            };
        return new JsonObject
        {
            ["applies"] = true,
            ["worst_ratio_E_over_bound"] = trace.WorstBoundRatio,
            ["holds"] = trace.WorstBoundRatio is not double w || w <= 1 + 1e-9,
        };
    }

    /// <summary>Config/report spelling of an increase's cause.</summary>
    public static string CauseName(EnergyIncreaseCause c) => c switch
    {
        EnergyIncreaseCause.Sliding => "sliding",
        EnergyIncreaseCause.ChatteringAtSwitch => "chattering-at-switch",
        _ => "integration-error",
    };

    private static string Text(JsonNode? n) => n switch
    {
        null => "–",
        JsonValue v when v.TryGetValue(out string? str) => str,
        JsonValue v when v.TryGetValue(out double d) => d.ToString("G6", CultureInfo.InvariantCulture),
        _ => n.ToJsonString(),
    };

    private static void PrintSummary(JsonObject s)
    {
        var table = new Table().Title($"[bold]{Markup.Escape(s["network"]!.ToString())}[/]");
        table.AddColumns("field", "value");
        foreach (string k in new[] { "construction", "method", "status", "why", "time_to_converge", "final_distance_to_limit",
                     "final_output_vs_torch_float64", "limit_output_vs_torch_float64", "final_output_vs_onnx_runtime_float64",
                     "limit_output_vs_onnx_runtime_float64", "final_energy", "energy_monotone", "switches", "sliding_episodes", "wall_time_s" })
            if (s.ContainsKey(k)) table.AddRow(k, Markup.Escape(Text(s[k])));
        table.AddRow("energy increases", Markup.Escape(string.Join(", ", s["energy_increases"]!["by_cause"]!.AsObject().Select(p => $"{p.Key} {p.Value}"))));
        table.AddRow("nfev / steps", Markup.Escape($"{s["statistics"]!["nfev"]} / {s["statistics"]!["accepted_steps"]}"));
        AnsiConsole.Write(table);
    }
}

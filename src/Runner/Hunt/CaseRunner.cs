using System.Diagnostics;
using ResidualSheaf.Engine;
using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Engine.Spectra;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Runner.Config;
using ResidualSheaf.Runner.Jobs;

namespace ResidualSheaf.Runner.Hunt;

/// <summary>A case made concrete: network, sheaf, pinned problem, equation, initial state and the static limit.</summary>
/// <param name="Case">The sampled parameters.</param>
/// <param name="Network">The scaled network.</param>
/// <param name="Sheaf">Its sheaf.</param>
/// <param name="Input">The pinned input.</param>
/// <param name="OutputPin">Pinned output values (pin_output), else null.</param>
/// <param name="Problem">The pinned problem.</param>
/// <param name="Equation">The heat equation.</param>
/// <param name="Initial">Initial free coordinates.</param>
/// <param name="Target">The static solve (limit) on the free coordinates.</param>
/// <param name="LimitResidual">Its residual (0 for exact solves).</param>
/// <param name="LambdaMin">λ_min(L_free) at the limit's pattern.</param>
/// <param name="LambdaMax">λ_max(L_free) at the limit's pattern.</param>
/// <param name="Integrator">The integrator, with <c>auto</c> resolved.</param>
public sealed record CaseSetup(HuntCase Case, INetwork Network, NetworkSheaf Sheaf, double[] Input, double[]? OutputPin, DirichletProblem Problem,
    HeatEquation Equation, double[] Initial, double[] Target, double LimitResidual, double LambdaMin, double LambdaMax, string Integrator);

/// <summary>Runs one hunt case: static solve and spectra, the heat run, and re-verification of candidates.</summary>
public static class CaseRunner
{
    /// <summary>End time of the exact re-verification run.</summary>
    public const double ExactHorizon = 1e9;

    /// <summary>Builds the concrete case (deterministic in (config, case id)).</summary>
    public static CaseSetup Prepare(HuntConfig cfg, HuntCase c)
    {
        var net = cfg.Fixed?.Network ?? NetworkFactory.Scaled(TorchReference.PyTorchDefault(c.Architecture, c.WeightSeed), c.WeightScale);
        var ns = SheafConstructor.Build(net, c.Construction);
        var input = new CaseRandom(cfg.MasterSeed, c.Id, HuntCase.InputStream).Normals(net.InputDimension, c.InputScale);
        double[]? outputPin = cfg.PinOutput ? net.Forward(input) : null;
        var problem = outputPin is null ? ns.Problem(input) : ns.Problem(input, outputPin);
        var equation = new HeatEquation(problem, c.Alpha);
        var initial = new CaseRandom(cfg.MasterSeed, c.Id, HuntCase.InitialStream).Normals(equation.FreeDimension, c.InitialScale);
        var limit = FlowLimit.Solve(ns, problem, input);
        var eigen = DirichletDiagnostics.SymmetricEigenvalues(problem.FreeLaplacian(MaskPattern.From(ns.Sheaf, limit.Solution.Cochain)));
        return new CaseSetup(c, net, ns, input, outputPin, problem, equation, initial, limit.Target, limit.Solution.Residual,
            eigen[0], eigen[^1], HeatConfigMapping.ResolveIntegrator(cfg.Heat.Integrator, equation.FreeDimension, eigen[0], eigen[^1]));
    }

    /// <summary>The (problem, algorithm) of the case's own run, or of the tightened re-run.</summary>
    public static (HeatProblem Problem, HeatAlgorithm Algorithm) Formulate(HuntConfig cfg, CaseSetup s, bool tightened)
    {
        var h = tightened ? HeatConfigMapping.Tightened(cfg.Heat, cfg.VerifyRtol, cfg.VerifyAtol) : cfg.Heat;
        if (tightened && cfg.VerifyMaxSteps is int cap) h = h with { MaxSteps = cap };
        string method = HeatConfigMapping.ResolveMethod(h.Method, s.Equation.FreeDimension, s.Equation.HasSmoothHead);
        return (HeatConfigMapping.Problem(h, s.Equation, s.Initial, s.Target), HeatConfigMapping.Algorithm(h, method, s.Integrator));
    }

    /// <summary>Runs case <paramref name="id"/> to its result row.</summary>
    public static CaseResult Run(HuntConfig cfg, long id, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var phases = new CasePhases();
        var c = HuntCase.Sample(cfg, id);
        var s = Prepare(cfg, c);
        double lambdaMin = s.LambdaMin;
        phases.Charge("setup");
        double? lambdaStar = FlowLimit.LambdaStar(s.Problem, cfg.LambdaStarMaxUnits);
        phases.Charge("lambda_star");

        var certificate = RateCertificate.TryCompute(s.Problem, out _);
        phases.Charge("certificate");
        double slack = Math.Sqrt(0.5 * s.LambdaMax * s.Equation.FreeDimension) * cfg.Heat.Atol;
        var observer = new EnergyObserver(s.Equation, certificate is null ? null : 2 * s.Equation.Alpha * certificate.LowerBound, slack);
        var (problem, algorithm) = Formulate(cfg, s, tightened: false);
        var sol = HeatSolver.Solve(problem, algorithm, observer, cancel);
        cancel.ThrowIfCancellationRequested();
        phases.Charge("run");
        var increases = observer.Monitor.Classify(sol.Events);
        double distance = Numerics.MaxAbsDifference(sol.FinalState, s.Target);
        bool converged = sol.Status == HeatStatus.Converged;
        // A chord sheaf's least-squares "limit" need not be a stationary point of the flow (its masks can be inconsistent), so a
        // chord flow resting elsewhere converged; a junction flow must reach the forward pass, anything else is a candidate.
        // With the output pinned even a junction problem is non-convex: a plateau there is a stationary point too.
        bool chord = c.Construction == Models.Construction.SkipConstruction.Chord || s.OutputPin is not null;
        bool settled = converged || (chord && IsPlateau(sol));
        var stationary = CaseRest.Enumerate(s);
        var rest = CaseRest.Locate(s, stationary, sol.FinalState, converged, IsPlateau(sol));
        phases.Charge("stationary");
        bool certified = !settled && cfg.VerifyCertified == "trust" && IsCertifiedConvergence(s, certificate, observer, sol, increases.Count, chord);
        bool candidate = increases.Count > 0 || (!settled && !certified);

        string cls = certified ? "certified-convergence" : "none";
        string? exactStatus = null, tightStatus = null;
        bool? exactSettled = null, tightSettled = null, exactAtLimit = null;
        string? exactRest = null;
        int? exactIncreases = null, tightIncreases = null, exactOwnErrors = null;
        if (candidate)
        {
            // A smooth head has no exact piecewise flow (ExactPiecewiseFlow refuses it): the tightened run is the reference then.
            if (s.Equation.FreeDimension <= cfg.ExactMaxFree && !s.Equation.HasSmoothHead)
            {
                var eo = Observer(s);
                // The closed form costs nothing per unit time, so ground truth looks far past t_end: a flow that is merely slow
                // (λ_min ≈ 1e-3) is then told apart from one that never arrives.
                var exactProblem = problem with
                {
                    EndTime = Math.Max(cfg.Heat.EndTime, ExactHorizon),
                    MaxEvents = cfg.VerifyMaxEvents,
                    // Euler's change rule belongs to the discretisation; the exact flow runs to its limit instead.
                    StopRules = [.. problem.StopRules.Where(r => r is not ChangeStop)],
                };
                var exact = HeatSolver.Solve(exactProblem, new ExactPiecewiseFlow(), eo, cancel);
                exactStatus = StatusText(exact);
                exactSettled = ExactSettled(exact.Status, IsPlateau(exact), chord);
                // Inside one pattern piece (no switch, no sliding between the samples) the closed form has E(t) = E_p +
                // ½Σ_k λ_k β_k² e^{−2αλ_k t}, which cannot rise: a rise there is the exact integrator's own error, not the flow's.
                var exactFound = eo.Monitor.Classify(exact.Events);
                exactIncreases = exactFound.Count(i => i.Cause != EnergyIncreaseCause.IntegrationError);
                exactOwnErrors = exactFound.Count - exactIncreases;
                exactAtLimit = exact.Status == HeatStatus.Converged;
                exactRest = CaseRest.Locate(s, stationary, exact.FinalState, exactAtLimit.Value, IsPlateau(exact)).RestedAt;
                phases.Charge("exact");
            }
            // The tightened run only decides where the exact run is no ground truth (none, or stopped at its event cap), and in
            // identity mode (not a gradient flow), where it tells the dynamics' own increases from the integrator's.
            bool exactJudged = exactSettled is not null && s.Equation.IsGradientFlow;
            if (cfg.Heat.Method != "exact" && !exactJudged)
            {
                var to = Observer(s);
                var (tightProblem, tightAlgorithm) = Formulate(cfg, s, tightened: true);
                var tight = HeatSolver.Solve(tightProblem, tightAlgorithm, to, cancel);
                tightStatus = StatusText(tight);
                tightSettled = tight.Status == HeatStatus.Converged || (chord && IsPlateau(tight));
                tightIncreases = to.Monitor.Classify(tight.Events).Count;
                phases.Charge("tight");
            }
            cancel.ThrowIfCancellationRequested();
            cls = Classify(increases, sol.Status, exactSettled, exactIncreases, tightSettled, tightIncreases, exactAtLimit, exactRest);
            // Identity mode is not a gradient flow: an increase the tightened run reproduces is the dynamics' own, hence real.
            if (!s.Equation.IsGradientFlow && tightIncreases > 0) cls = "real";
        }
        var largest = increases.MaxBy(i => i.Relative);
        return new CaseResult
        {
            Case = c,
            FreeDimension = s.Equation.FreeDimension,
            SwitchingUnits = s.Equation.SwitchingCount,
            LambdaMin = lambdaMin,
            LambdaStar = lambdaStar,
            LimitResidual = s.LimitResidual,
            Status = StatusText(sol),
            Converged = converged,
            Reached = converged ? "limit" : IsPlateau(sol) ? "other-stationary-point" : "none",
            TimeToConverge = sol.ConvergenceTime,
            FinalTime = sol.FinalTime,
            Switches = sol.Statistics.Switches,
            SlidingEpisodes = sol.Statistics.SlidingEpisodes,
            EnergyIncreases = increases.Count,
            LargestRelativeIncrease = largest?.Relative,
            LargestIncreaseCause = largest is null ? null : HeatJob.CauseName(largest.Cause),
            FinalDistance = distance,
            Nfev = sol.Statistics.Nfev,
            Njev = sol.Statistics.Njev,
            Nlu = sol.Statistics.Nlu,
            Accepted = sol.Statistics.Accepted,
            Rejected = sol.Statistics.Rejected,
            Candidate = candidate,
            Verdict = cls,
            ExactStatus = exactStatus,
            ExactIncreases = exactIncreases,
            ExactIntegrationErrors = exactOwnErrors,
            TightStatus = tightStatus,
            TightIncreases = tightIncreases,
            Rest = rest,
            Certificate = certificate?.LowerBound,
            CertificateHolds = certificate is null ? null : observer.CertificateViolations == 0,
            WallTime = clock.Elapsed.TotalSeconds,
            Phases = phases,
        };
    }

    /// <summary>
    /// A junction run that stopped short of the forward pass (at t_end or by the plateau rule) is no candidate when the theorem
    /// covers it: input pinned only, ReLU masks only, gradient flow, a rate certificate λ_cert > 0, no energy increase and every
    /// sample within E(0)e^{−2αλ_cert t}. The flow then converges to the forward pass from this start (open-problem §2); a re-run
    /// could only say how slowly, at the cost of most of a hunt's time (deep stacks have λ_min ≈ 1e−12).
    /// </summary>
    public static bool IsCertifiedConvergence(CaseSetup s, RateCertificate? certificate, EnergyObserver observer, HeatSolution sol,
        int increases, bool restCounts) =>
        !restCounts && certificate is { LowerBound: > 0 } && observer.CertificateViolations == 0 && increases == 0
        && s.Equation.IsGradientFlow && !s.Equation.HasSmoothHead
        && (sol.Status == HeatStatus.EndTimeReached || IsPlateau(sol));

    /// <summary>
    /// The verdict on a candidate. Ground truth is the exact piecewise run, and only one that ended on its own (converged, came to
    /// rest, or ran to its horizon): an increase it reproduces is <c>real</c>; a flow it brings to rest at another stationary point
    /// than the limit is <c>other-stationary-point</c> (or <c>sliding-equilibrium</c>); one it can neither bring to the limit nor to
    /// rest is <c>non-convergence</c>; <c>slow-convergence</c> only when it reaches the limit itself. An exact run stopped at its
    /// event cap (or none, above <c>exact_max_free</c>) is no ground truth: a tightened run that still fails is then
    /// <c>unverified-non-convergence</c>. Otherwise the candidate was an artefact of the integrator, named by where its increases
    /// happened (sliding, chattering at a switch, or plain integration error).
    /// </summary>
    public static string Classify(IReadOnlyList<EnergyIncrease> increases, HeatStatus status, bool? exactSettled, int? exactIncreases,
        bool? tightSettled, int? tightIncreases, bool? exactAtLimit = null, string? exactRest = null)
    {
        // An increase the exact run shows is real even when that run later stopped at its event cap.
        if (exactIncreases > 0) return "real";
        if (exactSettled is { } es)
        {
            if (!es) return "non-convergence";
            // The exact flow came to rest away from the limit: the candidate's run did too, whatever stopped it.
            if (exactAtLimit == false && increases.Count == 0)
                return exactRest == "sliding-equilibrium" ? "sliding-equilibrium" : "other-stationary-point";
        }
        else
        {
            // Without ground truth, a tightened run that still fails is reported as such rather than guessed away.
            if (tightSettled == false) return "unverified-non-convergence";
            if (tightIncreases > 0) return "unverified-increase";
        }
        if (increases.Count == 0 && status == HeatStatus.EndTimeReached && exactSettled == true && exactAtLimit != false) return "slow-convergence";
        if (increases.Any(i => i.Cause == EnergyIncreaseCause.Sliding)) return "sliding";
        if (increases.Any(i => i.Cause == EnergyIncreaseCause.ChatteringAtSwitch)) return "chattering";
        if (increases.Count == 0 && status is HeatStatus.EventLimit or HeatStatus.StepSizeUnderflow) return "chattering";
        return "integration-error";
    }

    /// <summary>
    /// What an exact re-run proves about the limit: true when it converged, or (<paramref name="restCounts"/>: chord, output pinned)
    /// came to rest; otherwise null, no ground truth — a run stopped at its event cap or its horizon has only not got there yet
    /// (junction flows converge from every start, at a rate λ_min that can be 1e−12 in deep stacks with large weights), and the
    /// plateau rule is a heuristic, not a stationary point, where the only stationary point is the forward pass. No finite exact run
    /// proves non-convergence; the tightened run then decides between the unverified verdicts and the artefacts.
    /// </summary>
    public static bool? ExactSettled(HeatStatus status, bool plateau, bool restCounts) =>
        status == HeatStatus.Converged || (restCounts && plateau) ? true : null;

    /// <summary>The observer of a case run (the same energy watch as the heat job's trace).</summary>
    public static EnergyObserver Observer(CaseSetup s) => new(s.Equation);

    private static bool IsPlateau(HeatSolution sol) => sol.Status == HeatStatus.StoppedByRule && sol.Reason == StopReason.Plateau;

    private static string StatusText(HeatSolution sol) => IsPlateau(sol) ? "Plateau" : sol.Status.ToString();

}

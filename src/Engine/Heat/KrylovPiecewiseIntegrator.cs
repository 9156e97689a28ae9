using ResidualSheaf.Engine.LinearAlgebra;

namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// Event-driven integrator of the heat flow for large problems (integration-notes §3 without dense eigendecompositions). Inside one
/// frozen mode set (pattern σ, sliding set S) the flow is linear, c(τ) = c*_σ + exp(−τM)(c(0) − c*_σ) with M = αL(σ)[F,F] SPD;
/// c*_σ comes from forward substitution (unitriangular δ_Ω, no sliding) or conjugate gradients, and exp(−τM)u is approximated on an
/// extended Krylov basis span{M^{−b}u, …, u, …, M^{a}u} (M⁻¹ by two unitriangular sweeps, when available): the Rayleigh–Ritz model
/// ũ(τ) = Σ_k w_k e^{−θ_k τ} y_k resolves the fast modes (polynomial part) and the slow ones (inverse part) with a few dozen vectors.
/// Its error obeys ‖u(τ) − ũ(τ)‖₂ ≤ ∫₀^τ ‖(I − VVᵀ) M ũ(s)‖ ds (M is SPD, so exp(−τM) is a contraction) and the residual is
/// rank one, so the step is the largest τ whose bound stays under the tolerance. Every switching function is an exponential sum in
/// the model, so the earliest switch is found by a rigorous safe-step exclusion (a bound on |ż_j|) and, near a root, by
/// <see cref="ExponentialSum.EarliestRise"/>. Sliding is handled as in <see cref="ExactPiecewiseIntegrator"/>. The stepping loop
/// allocates nothing (events and requested outputs excepted). Not thread-safe; with more than one thread, dispose it to stop the
/// helper threads of its dense kernels.
/// </summary>
public sealed class KrylovPiecewiseIntegrator : IDisposable
{
    private readonly HeatEquation _eq;
    private readonly UnitriangularSweeps? _sweeps;
    private readonly KrylovPatternFlow _flow;
    private readonly KernelTeam _team;
    private readonly int _n;

    /// <summary>
    /// Creates the integrator. <paramref name="maxBasis"/>: largest Krylov basis per step; <paramref name="tolerance"/>: bound on the
    /// 2-norm error added per step; <paramref name="useInverse"/>: extend the basis with M⁻¹ when δ_Ω is unitriangular (no soft pins);
    /// <paramref name="checkEvery"/>: vectors between evaluations of the error bound (spaced wider beyond 8 × checkEvery vectors);
    /// <paramref name="minBasis"/>: the vectors every step builds before it may stop growing, after which it grows up to
    /// <paramref name="maxBasis"/> only while its error horizon grows faster than the work of its basis (<see cref="KrylovBasisSizer"/>;
    /// null: <paramref name="maxBasis"/>, a fixed size); <paramref name="threads"/>: threads of the basis's orthogonalisation and
    /// projections (<see cref="KernelTeam"/>), which give the same numbers for every count.
    /// </summary>
    public KrylovPiecewiseIntegrator(HeatEquation equation, int maxBasis = 40, double tolerance = 1e-10, bool useInverse = true, int checkEvery = 8,
        int? minBasis = null, int threads = 1)
        : this(equation, Team(equation, threads, maxBasis, tolerance, checkEvery, minBasis), maxBasis, tolerance, useInverse, checkEvery, minBasis)
    {
    }

    /// <summary>The integrator on a given team (which it disposes).</summary>
    internal KrylovPiecewiseIntegrator(HeatEquation equation, KernelTeam team, int maxBasis, double tolerance, bool useInverse, int checkEvery,
        int? minBasis)
    {
        Validate(equation, maxBasis, tolerance, checkEvery, minBasis);
        _eq = equation.Clone();
        _eq.UseTeam(team);
        _n = _eq.FreeDimension;
        Tolerance = tolerance;
        if (useInverse && _eq.SoftPins.Count == 0) _sweeps = UnitriangularSweeps.TryCreate(_eq.Problem, out _);
        int kmax = Math.Min(maxBasis, Math.Max(_n, 2));
        int kmin = Math.Min(minBasis ?? maxBasis, kmax);
        MinBasis = kmin;
        MaxBasis = kmax;
        _team = team;
        _flow = new KrylovPatternFlow(_eq, _sweeps, kmin, kmax, tolerance, checkEvery, _team);
    }

    /// <summary>The team of a new integrator, created only once every argument is valid (so that a refusal leaves no thread behind).</summary>
    private static KernelTeam Team(HeatEquation equation, int threads, int maxBasis, double tolerance, int checkEvery, int? minBasis)
    {
        Validate(equation, maxBasis, tolerance, checkEvery, minBasis);
        if (threads < 1) throw new ArgumentException($"threads must be positive (got {threads})", nameof(threads));
        return new KernelTeam(threads);
    }

    private static void Validate(HeatEquation equation, int maxBasis, double tolerance, int checkEvery, int? minBasis)
    {
        ArgumentNullException.ThrowIfNull(equation);
        if (maxBasis < 2) throw new ArgumentException($"maxBasis must be at least 2 (got {maxBasis})", nameof(maxBasis));
        if (minBasis is int mb && (mb < 2 || mb > maxBasis))
            throw new ArgumentException($"minBasis must be at least 2 and at most maxBasis = {maxBasis} (got {mb})", nameof(minBasis));
        if (!double.IsFinite(tolerance) || tolerance <= 0) throw new ArgumentException($"tolerance must be finite and positive (got {tolerance})", nameof(tolerance));
        if (checkEvery < 1) throw new ArgumentException($"checkEvery must be positive (got {checkEvery})", nameof(checkEvery));
    }

    /// <summary>Threads of the dense kernels, the caller included.</summary>
    public int Threads => _team.Threads;

    /// <summary>Stops the helper threads of the dense kernels (none with one thread).</summary>
    public void Dispose() => _team.Dispose();

    /// <summary>Bound on the 2-norm error added per step.</summary>
    public double Tolerance { get; }

    /// <summary>Vectors every step builds before its growth is judged (capped by the free dimension).</summary>
    public int MinBasis { get; }

    /// <summary>Largest basis of any piece (capped by the free dimension).</summary>
    public int MaxBasis { get; }

    /// <summary>True when M⁻¹ (exact unitriangular sweeps) extends the Krylov basis in patterns without sliding.</summary>
    public bool UsesInverse => _sweeps is not null;

    /// <summary>
    /// Integrates from <paramref name="initial"/> (free coordinates) at time <paramref name="startTime"/>; states at
    /// <paramref name="outputTimes"/> (finite, ≥ the start time, non-decreasing). Stops at <paramref name="endTime"/>, when ‖c − c*‖∞ ≤ <paramref name="stopDistance"/> in a pattern
    /// consistent with its c* (then c* is the Dirichlet solution), at the certified limit, after <paramref name="maxEvents"/> events,
    /// after <paramref name="maxSteps"/> Krylov steps, or when <paramref name="cancellation"/> is signalled (checked every step).
    /// <paramref name="onOutput"/> and <paramref name="onEvent"/> see each output and event as it is made, in time order; returning
    /// false stops the run (status Stopped) at the end of the current step.
    /// </summary>
    public KrylovRunResult Run(ReadOnlySpan<double> initial, IReadOnlyList<double>? outputTimes = null, double endTime = double.PositiveInfinity,
        double stopDistance = 0, int maxEvents = 100_000, int maxSteps = 1_000_000, CancellationToken cancellation = default,
        Func<double, double[], bool>? onOutput = null, Func<HeatEvent, bool>? onEvent = null, double startTime = 0)
    {
        var times = PiecewiseDriver.Validate(initial, _n, outputTimes, endTime, maxEvents);
        if (double.IsNaN(stopDistance) || stopDistance < 0) throw new ArgumentException($"stop distance must be ≥ 0 (got {stopDistance})", nameof(stopDistance));
        if (maxSteps < 1) throw new ArgumentException($"maxSteps must be positive (got {maxSteps})", nameof(maxSteps));
        if (!double.IsFinite(startTime) || startTime < 0 || startTime > endTime)
            throw new ArgumentException($"start time must be finite, ≥ 0 and ≤ the end time (got {startTime})", nameof(startTime));
        if (times.Length > 0 && times[0] < startTime)
            throw new ArgumentException($"output times must not precede the start time {startTime} (first is {times[0]})", nameof(outputTimes));

        var flow = _flow;
        long products0 = flow.Products;
        flow.BeginRun();
        var driver = new PiecewiseDriver(_eq, flow, times, onOutput, onEvent);
        var end = driver.Run(initial.ToArray(), startTime, endTime, stopDistance, maxEvents, maxSteps, cancellation);
        var status = end.Status switch
        {
            PiecewiseStatus.Converged => KrylovStatus.Converged,
            PiecewiseStatus.ReachedDistance => KrylovStatus.ReachedDistance,
            PiecewiseStatus.ReachedEnd => KrylovStatus.ReachedEnd,
            PiecewiseStatus.EventLimit => KrylovStatus.EventLimit,
            PiecewiseStatus.Failed => KrylovStatus.Failed,
            PiecewiseStatus.StepLimit => KrylovStatus.StepLimit,
            PiecewiseStatus.Cancelled => KrylovStatus.Cancelled,
            _ => KrylovStatus.Stopped,
        };
        return new(status, driver.OutputTimes, driver.OutputStates, driver.Events, driver.Steps, flow.Products - products0, flow.InverseProducts,
            driver.Prepares, flow.CgIterations, end.Time, end.State, end.Limit, (UnitMode[])driver.Modes.Clone(), flow.ErrorSum,
            flow.LargestBasis, flow.BasisVectors);
    }
}

using System.Text.Json.Nodes;

namespace ResidualSheaf.Runner.Config;

/// <summary>The initial cochain of a heat run (free coordinates, in the order of the problem's free coordinates).</summary>
/// <param name="Kind">normal | zeros | ones | values | forward-noise (batch runs: the forward pass plus normal noise of the given scale).</param>
/// <param name="Seed">torch.Generator seed (normal).</param>
/// <param name="Scale">Standard deviation (normal).</param>
/// <param name="Values">Explicit values (values).</param>
public sealed record InitialConfig(string Kind, long Seed, double Scale, double[]? Values);

/// <summary>An extra hard pin; the value defaults to the coordinate's forward-pass (harmonic-extension) value.</summary>
/// <param name="Coordinate">Coordinate name, e.g. <c>z1[0]</c>.</param>
/// <param name="Value">Pinned value, or null for the forward-pass value.</param>
public sealed record PinConfig(string Coordinate, double? Value);

/// <summary>A soft pin: energy term ½γ(c_j − target)².</summary>
/// <param name="Coordinate">Coordinate name.</param>
/// <param name="Target">Target value.</param>
/// <param name="Gamma">Strength γ &gt; 0.</param>
public sealed record SoftPinConfig(string Coordinate, double Target, double Gamma);

/// <summary>The <c>heat</c> section of a config: one heat-equation run (see README for every field).</summary>
public sealed record HeatConfig
{
    /// <summary>The six ways to integrate, as spelt in configs, and auto (switching-aware up to 2 000 free coordinates, else rkc-krylov).</summary>
    public static readonly string[] Methods = ["auto", "switching-aware", "plain", "exact", "authors-euler", "krylov", "rkc-krylov"];

    /// <summary>ODE integrators usable by the plain and switching-aware methods.</summary>
    public static readonly string[] Integrators = [.. ResidualSheaf.Engine.Integration.OdeAlgorithms.Names, "auto"];

    /// <summary>Default of <c>heat.krylov_basis</c> (the engine's <see cref="ResidualSheaf.Engine.Heat.KrylovPiecewiseFlow.MaxBasis"/>).</summary>
    public const int DefaultKrylovBasis = 40;

    /// <summary>Largest <c>heat.krylov_basis</c> accepted: the basis and its images take 16·k·|Ω| bytes, and the dense work per piece grows like k²|Ω|.</summary>
    public const int MaxKrylovBasis = 2000;

    /// <summary>Largest <c>krylov_threads</c> (more helpers than cores only wait on each other).</summary>
    public const int MaxKrylovThreads = 64;

    /// <summary>auto | switching-aware | plain | exact | authors-euler | krylov | rkc-krylov.</summary>
    public required string Method { get; init; }

    /// <summary>a name of OdeAlgorithms.Names (dp5 | bs3 | dop853 | rodas4 | rkc | tsit5) or auto (plain and switching-aware; auto: Rodas4 when κ(L_free) &gt; 1e3, else DP5).</summary>
    public required string Integrator { get; init; }

    /// <summary>krylov and rkc-krylov: bound on the 2-norm error each Krylov step adds (null: atol).</summary>
    public double? KrylovTolerance { get; init; }

    /// <summary>krylov and rkc-krylov: largest Krylov basis of a piece (null: the engine's default, 40).</summary>
    public int? KrylovBasis { get; init; }

    /// <summary>krylov and rkc-krylov: basis allowance of the first piece after a switch, grown up to <see cref="KrylovBasis"/> (null: the same as it).</summary>
    public int? KrylovMinBasis { get; init; }

    /// <summary>krylov and rkc-krylov: threads of each Krylov step's orthogonalisation and projections (null: 1); no number depends on it.</summary>
    public int? KrylovThreads { get; init; }

    /// <summary>rkc-krylov: quiet RKC steps (no switch, spanning the time of the last switch) before the Krylov flow takes over.</summary>
    public int HandoffQuietSteps { get; init; } = 20;

    /// <summary>Relative tolerance of the adaptive integrators.</summary>
    public required double Rtol { get; init; }

    /// <summary>Absolute tolerance of the adaptive integrators.</summary>
    public required double Atol { get; init; }

    /// <summary>Rate α in ċ = −α∇E.</summary>
    public required double Alpha { get; init; }

    /// <summary>Final time.</summary>
    public required double EndTime { get; init; }

    /// <summary>Step limit.</summary>
    public required int MaxSteps { get; init; }

    /// <summary>Switching-event limit.</summary>
    public required int MaxEvents { get; init; }

    /// <summary>Converged when ‖c − limit‖∞ ≤ this (limit = harmonic extension or least-squares solution); not used by authors-euler.</summary>
    public required double StopDistance { get; init; }

    /// <summary>Converged when ‖ċ‖∞ ≤ this (required with soft pins, where the limit is not known in advance).</summary>
    public double? StopForce { get; init; }

    /// <summary>Stop at an energy plateau (no relative decrease beyond 1e−9 over this time) far from the limit; 0 disables.</summary>
    public required double PlateauWindow { get; init; }

    /// <summary>Euler step (authors-euler).</summary>
    public required double EulerDt { get; init; }

    /// <summary>Euler stop rule max|Δc| &lt; tolerance (authors-euler).</summary>
    public required double EulerTolerance { get; init; }

    /// <summary>Write one trace row every this many steps (events and the last step are always written).</summary>
    public required int TraceEvery { get; init; }

    /// <summary>Whether the config gave <c>heat.integrator</c> (otherwise the default, which depends on the output head).</summary>
    public bool IntegratorGiven { get; init; }

    /// <summary>Time axis of the run's figures: auto (log when the switch times span two decades or more), linear or log.</summary>
    public string PlotTimeAxis { get; init; } = "auto";

    /// <summary>Explicit network input, or null to draw it from <c>inputs</c> (seed, scale).</summary>
    public double[]? Input { get; init; }

    /// <summary>Initial cochain.</summary>
    public required InitialConfig Initial { get; init; }

    /// <summary>Also pin the output stalk to the forward pass.</summary>
    public required bool PinOutput { get; init; }

    /// <summary>Extra hard pins.</summary>
    public required PinConfig[] Pins { get; init; }

    /// <summary>Soft pins.</summary>
    public required SoftPinConfig[] SoftPins { get; init; }

    /// <summary>
    /// Batch runs: the inputs (0-based indices) that get a full heat-run folder (trace, events, summary, plots) under
    /// <c>traces/</c>; null when the config does not say (then the first input only).
    /// </summary>
    public int[]? TraceInputs { get; init; }

    /// <summary>Batch runs: the first N inputs, when <c>trace_inputs</c> was given as a count (null otherwise).</summary>
    public int? TraceFirst { get; init; }

    /// <summary>Reads the <c>heat</c> section (absent: all defaults).</summary>
    public static HeatConfig Parse(JsonFields? h)
    {
        h ??= new JsonFields(System.Text.Json.JsonDocument.Parse("{}").RootElement, "heat");
        h.ExpectOnly("method", "integrator", "krylov_tolerance", "krylov_basis", "krylov_min_basis", "krylov_threads", "handoff_quiet_steps", "rtol", "atol", "alpha", "t_end", "max_steps", "max_events", "stop_distance", "stop_force", "plateau_window",
            "euler", "trace_every", "plot_time_axis", "input", "initial", "pin_output", "pins", "soft_pins", "trace_inputs");
        string method = h.Choice("method", Methods, "auto");
        string integrator = h.Choice("integrator", Integrators, "dp5");
        if (h.Has("integrator") && method is "exact" or "authors-euler" or "krylov" or "rkc-krylov")
            throw new ConfigException("heat.integrator", $"only applies to methods plain and switching-aware, not '{method}'");
        if (h.Has("krylov_tolerance") && method is not ("krylov" or "rkc-krylov" or "auto"))
            throw new ConfigException("heat.krylov_tolerance", $"only applies to methods krylov, rkc-krylov and auto, not '{method}'");
        double? krylovTolerance = h.Has("krylov_tolerance") ? h.Number("krylov_tolerance", null, 0, 1, exclusiveMin: true) : null;
        foreach (string field in (string[])["krylov_basis", "krylov_min_basis", "krylov_threads"])
            if (h.Has(field) && method is not ("krylov" or "rkc-krylov" or "auto"))
                throw new ConfigException($"heat.{field}", $"only applies to methods krylov, rkc-krylov and auto, not '{method}'");
        int? krylovBasis = h.Has("krylov_basis") ? (int)h.Integer("krylov_basis", null, 2, MaxKrylovBasis) : null;
        int? krylovMinBasis = h.Has("krylov_min_basis") ? (int)h.Integer("krylov_min_basis", null, 2, MaxKrylovBasis) : null;
        if (krylovMinBasis is int kmin && kmin > (krylovBasis ?? DefaultKrylovBasis))
            throw new ConfigException("heat.krylov_min_basis",
                $"must not exceed heat.krylov_basis ({krylovBasis ?? DefaultKrylovBasis}{(krylovBasis is null ? ", the default" : "")}; got {kmin})");
        int? krylovThreads = h.Has("krylov_threads") ? (int)h.Integer("krylov_threads", null, 1, MaxKrylovThreads) : null;
        if (h.Has("handoff_quiet_steps") && method is not ("rkc-krylov" or "auto"))
            throw new ConfigException("heat.handoff_quiet_steps", $"only applies to methods rkc-krylov and auto, not '{method}'");
        int handoff = (int)h.Integer("handoff_quiet_steps", 20, 1, int.MaxValue);
        double rtol = h.Number("rtol", 1e-8, 0, 1, exclusiveMin: true);
        double atol = h.Number("atol", 1e-10, 0, 1, exclusiveMin: true);
        double alpha = h.Number("alpha", 1.0, 0, 1e12, exclusiveMin: true);
        double tEnd = h.Number("t_end", 1000, 0, 1e15, exclusiveMin: true);
        int maxSteps = (int)h.Integer("max_steps", 1_000_000, 1, int.MaxValue);
        int maxEvents = (int)h.Integer("max_events", 100_000, 0, int.MaxValue);
        if (method == "authors-euler" && h.Has("stop_distance"))
            throw new ConfigException("heat.stop_distance", "does not apply to authors-euler, which stops by its own rule (heat.euler.tolerance)");
        double stopDistance = h.Number("stop_distance", 1e-9, 0, 1e6, exclusiveMin: true);
        double? stopForce = h.Has("stop_force") ? h.Number("stop_force", null, 0, 1e6, exclusiveMin: true) : null;
        double plateau = h.Number("plateau_window", 100, 0, 1e15);
        double dt = 0.01, etol = 1e-12;
        var e = h.Object("euler");
        if (e is not null)
        {
            if (method != "authors-euler") throw new ConfigException("heat.euler", $"only applies to method authors-euler, not '{method}'");
            dt = e.Number("dt", 0.01, 0, 1e6, exclusiveMin: true);
            etol = e.Number("tolerance", 1e-12, 0, 1e6, exclusiveMin: true);
            e.RejectUnknown();
        }
        int traceEvery = (int)h.Integer("trace_every", 1, 1, int.MaxValue);
        string plotTimeAxis = h.Choice("plot_time_axis", Plotting.TimeAxes.Names, "auto");
        double[]? input = h.Has("input") ? h.Numbers("input", 1) : null;

        var init = new InitialConfig("normal", 1, 1.0, null);
        var i = h.Object("initial");
        if (i is not null)
        {
            string kind = i.Choice("kind", ["normal", "zeros", "ones", "values", "forward-noise"], "normal");
            if (kind is not ("normal" or "forward-noise") && (i.Has("seed") || i.Has("scale")))
                throw new ConfigException("heat.initial", $"seed and scale only apply to kinds 'normal' and 'forward-noise', not '{kind}'");
            if (kind != "values" && i.Has("values")) throw new ConfigException("heat.initial.values", "only allowed with kind 'values'");
            init = new InitialConfig(kind, i.Integer("seed", 1, 0), i.Number("scale", 1.0, 0, double.MaxValue, exclusiveMin: true),
                kind == "values" ? i.Numbers("values", 1) ?? throw new ConfigException("heat.initial.values", "is required for kind 'values'") : null);
            i.RejectUnknown();
        }
        bool pinOutput = h.Boolean("pin_output", false);
        var pins = (h.Array("pins") ?? []).Select(p =>
        {
            var f = new JsonFields(p.Element, p.Path);
            f.ExpectOnly("coordinate", "value");
            var pin = new PinConfig(f.String("coordinate"), f.Has("value") ? f.Number("value") : null);
            f.RejectUnknown();
            return pin;
        }).ToArray();
        var soft = (h.Array("soft_pins") ?? []).Select(p =>
        {
            var f = new JsonFields(p.Element, p.Path);
            f.ExpectOnly("coordinate", "target", "gamma");
            var s = new SoftPinConfig(f.String("coordinate"), f.Number("target"), f.Number("gamma", 1.0, 0, 1e12, exclusiveMin: true));
            f.RejectUnknown();
            return s;
        }).ToArray();
        if (soft.Length > 0 && stopForce is null)
            throw new ConfigException("heat.stop_force", "is required with soft pins (their limit is not known in advance, so stop_distance cannot be used)");
        foreach (var dup in pins.Select(p => p.Coordinate).Concat(soft.Select(s => s.Coordinate)).GroupBy(c => c).Where(g => g.Count() > 1))
            throw new ConfigException("heat.pins", $"coordinate '{dup.Key}' is pinned more than once");
        int[]? traceInputs = null;
        int? traceFirst = null;
        if (h.IsArray("trace_inputs"))
        {
            traceInputs = (h.Array("trace_inputs") ?? []).Select(p => (int)JsonFields.ToInteger(p.Element, p.Path, 0, int.MaxValue)).ToArray();
            if (traceInputs.Distinct().Count() != traceInputs.Length) throw new ConfigException("heat.trace_inputs", "lists an input twice");
        }
        else if (h.Has("trace_inputs")) traceFirst = (int)h.Integer("trace_inputs", null, 0, int.MaxValue);
        h.RejectUnknown();
        return new HeatConfig
        {
            Method = method,
            Integrator = integrator,
            IntegratorGiven = h.Has("integrator"),
            KrylovTolerance = krylovTolerance,
            KrylovBasis = krylovBasis,
            KrylovMinBasis = krylovMinBasis,
            KrylovThreads = krylovThreads,
            HandoffQuietSteps = handoff,
            Rtol = rtol,
            Atol = atol,
            Alpha = alpha,
            EndTime = tEnd,
            MaxSteps = maxSteps,
            MaxEvents = maxEvents,
            StopDistance = stopDistance,
            StopForce = stopForce,
            PlateauWindow = plateau,
            EulerDt = dt,
            EulerTolerance = etol,
            TraceEvery = traceEvery,
            PlotTimeAxis = plotTimeAxis,
            Input = input,
            Initial = init,
            PinOutput = pinOutput,
            Pins = pins,
            SoftPins = soft,
            TraceInputs = traceInputs,
            TraceFirst = traceFirst,
        };
    }

    /// <summary>The section with every default filled in.</summary>
    public JsonObject ToJson()
    {
        static JsonArray Arr(double[] v) => new(v.Select(x => (JsonNode?)x).ToArray());
        var o = new JsonObject { ["method"] = Method };
        if (Method is "plain" or "switching-aware" or "auto") o["integrator"] = Integrator;
        if (KrylovTolerance is double kt) o["krylov_tolerance"] = kt;
        if (KrylovBasis is int kb) o["krylov_basis"] = kb;
        if (KrylovMinBasis is int kmb) o["krylov_min_basis"] = kmb;
        if (KrylovThreads is int kth) o["krylov_threads"] = kth;
        if (Method is "rkc-krylov" or "auto") o["handoff_quiet_steps"] = HandoffQuietSteps;
        o["rtol"] = Rtol;
        o["atol"] = Atol;
        o["alpha"] = Alpha;
        o["t_end"] = EndTime;
        o["max_steps"] = MaxSteps;
        o["max_events"] = MaxEvents;
        if (Method != "authors-euler") o["stop_distance"] = StopDistance;
        if (StopForce is double sf) o["stop_force"] = sf;
        o["plateau_window"] = PlateauWindow;
        if (Method == "authors-euler") o["euler"] = new JsonObject { ["dt"] = EulerDt, ["tolerance"] = EulerTolerance };
        o["trace_every"] = TraceEvery;
        o["plot_time_axis"] = PlotTimeAxis;
        if (Input is not null) o["input"] = Arr(Input);
        var init = new JsonObject { ["kind"] = Initial.Kind };
        if (Initial.Kind is "normal" or "forward-noise") { init["seed"] = Initial.Seed; init["scale"] = Initial.Scale; }
        if (Initial.Values is not null) init["values"] = Arr(Initial.Values);
        o["initial"] = init;
        o["pin_output"] = PinOutput;
        o["pins"] = new JsonArray(Pins.Select(p =>
        {
            var j = new JsonObject { ["coordinate"] = p.Coordinate };
            if (p.Value is double v) j["value"] = v;
            return (JsonNode?)j;
        }).ToArray());
        o["soft_pins"] = new JsonArray(SoftPins.Select(s => (JsonNode?)new JsonObject
        {
            ["coordinate"] = s.Coordinate,
            ["target"] = s.Target,
            ["gamma"] = s.Gamma,
        }).ToArray());
        // Written only when given, so that single-run configs resolve exactly as before batches existed.
        if (TraceInputs is not null) o["trace_inputs"] = new JsonArray(TraceInputs.Select(k => (JsonNode?)k).ToArray());
        else if (TraceFirst is int n) o["trace_inputs"] = n;
        return o;
    }
}

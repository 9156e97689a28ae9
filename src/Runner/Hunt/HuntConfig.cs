using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ResidualSheaf.Models.Graph;
using ResidualSheaf.Runner.Config;
using ResidualSheaf.Runner.Slurm;

namespace ResidualSheaf.Runner.Hunt;

/// <summary>A closed range sampled log-uniformly (a fixed value when Low = High).</summary>
/// <param name="Low">Lower end, &gt; 0.</param>
/// <param name="High">Upper end, ≥ Low.</param>
public sealed record LogRange(double Low, double High)
{
    /// <summary>The value at u ∈ [0, 1): Low·(High/Low)^u.</summary>
    public double At(double u) => Low == High ? Low : Math.Exp(Math.Log(Low) + u * (Math.Log(High) - Math.Log(Low)));

    /// <summary>As JSON: a number when fixed, else [low, high].</summary>
    public JsonNode ToJson() => Low == High ? JsonValue.Create(Low) : new JsonArray(Low, High);
}

/// <summary>The search space and settings of a counterexample hunt (see README, "Hunts").</summary>
public sealed record HuntConfig
{
    /// <summary>Hunt name: the output folder is &lt;output_root&gt;/&lt;name&gt; (plus a shard suffix).</summary>
    public required string Name { get; init; }

    /// <summary>Case i is determined by (master seed, i).</summary>
    public required long MasterSeed { get; init; }

    /// <summary>Number of cases.</summary>
    public required int Cases { get; init; }

    /// <summary>Number of residual blocks, inclusive range.</summary>
    public required (int Min, int Max) Blocks { get; init; }

    /// <summary>Widths a block's input/output may take.</summary>
    public required int[] Widths { get; init; }

    /// <summary>Hidden widths a block may take.</summary>
    public required int[] Hidden { get; init; }

    /// <summary>Probability that a block with equal in/out widths still uses a projection skip.</summary>
    public required double Projection { get; init; }

    /// <summary>ReLU placements to sample from (after / before).</summary>
    public required string[] Relu { get; init; }

    /// <summary>Output heads sampled per case (identity | sigmoid | softmax; default identity only).</summary>
    public string[] Heads { get; init; } = ["identity"];

    /// <summary>Output-edge modes sampled per case for a non-identity head (jacobian | identity).</summary>
    public string[] HeadModes { get; init; } = ["jacobian"];

    /// <summary>Widths of a classifier layer before a non-identity head, sampled per case; null: the head reads the last block.</summary>
    public int[]? Classes { get; init; }

    /// <summary>True when some case can get a non-identity head.</summary>
    public bool SamplesHeads => Heads.Any(h => h != "identity");

    /// <summary>Sheaf constructions to sample from.</summary>
    public required string[] Constructions { get; init; }

    /// <summary>Factor on the PyTorch-default weights and biases.</summary>
    public required LogRange WeightScale { get; init; }

    /// <summary>Standard deviation of the N(0, s²) input.</summary>
    public required LogRange InputScale { get; init; }

    /// <summary>Standard deviation of the N(0, s²) initial cochain.</summary>
    public required LogRange InitialScale { get; init; }

    /// <summary>Rate α.</summary>
    public required LogRange Alpha { get; init; }

    /// <summary>Also pin the output to the forward pass.</summary>
    public required bool PinOutput { get; init; }

    /// <summary>How each case is integrated (method, integrator, tolerances, limits, stop distance).</summary>
    public required HeatConfig Heat { get; init; }

    /// <summary>Tightened rtol of the re-verification run.</summary>
    public required double VerifyRtol { get; init; }

    /// <summary>Tightened atol of the re-verification run.</summary>
    public required double VerifyAtol { get; init; }

    /// <summary>Event cap of the exact re-verification (each event costs a dense eigendecomposition).</summary>
    public required int VerifyMaxEvents { get; init; }

    /// <summary>Step cap of the tightened re-run (null: heat.max_steps); a run stopped by it has not settled.</summary>
    public int? VerifyMaxSteps { get; init; }

    /// <summary>
    /// <c>trust</c> (the default): a junction case that stops short of the forward pass without an energy increase and within its
    /// rate certificate's bound is <c>certified-convergence</c>, not a candidate (the theorem proves its flow converges);
    /// <c>recheck</c>: it is a candidate and re-verified like any other.
    /// </summary>
    public string VerifyCertified { get; init; } = "trust";

    /// <summary>The exact piecewise re-verification is used up to this many free coordinates (dense eigendecompositions).</summary>
    public required int ExactMaxFree { get; init; }

    /// <summary>λ_* (a minimum over all 2^units mask patterns) is computed for cases with at most this many switching units.</summary>
    public required int LambdaStarMaxUnits { get; init; }

    /// <summary>At most this many candidate folders (config, trace, plots) are written.</summary>
    public required int CounterexampleFolders { get; init; }

    /// <summary>Parent of the hunt folder.</summary>
    public required string OutputRoot { get; init; }

    /// <summary>How the hunt runs as a Slurm job array (<c>runner hunt --slurm</c>), or null for the defaults.</summary>
    public SlurmSettings? Slurm { get; init; }

    /// <summary>
    /// A fixed network (<c>network.config</c>: e.g. trained weights) used by every case, or null when each case draws its own
    /// architecture and weights.
    /// </summary>
    public FixedNetwork? Fixed { get; init; }

    /// <summary>Reads and validates a hunt config; every problem is a <see cref="ConfigException"/> naming the field.</summary>
    public static HuntConfig Load(string path)
    {
        var doc = JsonFields.ParseFile(path);
        using (doc) return Parse(doc.RootElement, System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
    }

    /// <summary>Validates a parsed hunt config; a relative <c>network.config</c> is resolved against <paramref name="baseDirectory"/> (default: the working directory).</summary>
    public static HuntConfig Parse(JsonElement root, string? baseDirectory = null)
    {
        var f = new JsonFields(root, "");
        f.ExpectOnly("name", "master_seed", "cases", "network", "constructions", "weight_scale", "input_scale", "initial_scale", "alpha",
            "pin_output", "heat", "verify", "counterexample_folders", "output_root", "slurm", "lambda_star_max_units");
        string name = f.String("name");
        if (name.Length == 0 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            throw new ConfigException("name", $"'{name}' must be non-empty and use only letters, digits, '-', '_' and '.'");
        long seed = f.Integer("master_seed", 0, 0);
        int cases = (int)f.Integer("cases", null, 1, 100_000_000);

        var n = f.Object("network") ?? throw new ConfigException("network", "is required");
        var fixedNetwork = n.Has("config") ? FixedNetwork.Parse(n, baseDirectory ?? Directory.GetCurrentDirectory()) : null;
        if (fixedNetwork is not null && f.Has("weight_scale"))
            throw new ConfigException("weight_scale", "does not apply to a fixed network (network.config): its weights are used as they are");
        // A fixed network (network.config) draws nothing of its architecture: the sampled-architecture fields keep inert defaults.
        long[] blocks = [1, 1], widths = [1], hidden = [1];
        double projection = 0;
        string[] relu = ["after"], heads = ["identity"], headModes = ["jacobian"];
        int[]? classes = null;
        if (fixedNetwork is null)
        {
            n.ExpectOnly("blocks", "widths", "hidden", "projection", "relu", "heads", "head_modes", "classes");
            blocks = n.Integers("blocks", 2, 1, 64) ?? [1, 1];
            if (blocks.Length != 2) throw new ConfigException("network.blocks", $"expected [min, max], got {blocks.Length} numbers");
            if (blocks[0] > blocks[1]) throw new ConfigException("network.blocks", $"min {blocks[0]} > max {blocks[1]}");
            widths = n.Integers("widths", 1, 1, 4096) ?? throw new ConfigException("network.widths", "is required (a non-empty list)");
            hidden = n.Integers("hidden", 1, 1, 4096) ?? throw new ConfigException("network.hidden", "is required (a non-empty list)");
            projection = n.Number("projection", 0, 0, 1);
            relu = Strings(n, "relu", ["after", "before"], ["after"]);
            heads = Strings(n, "heads", OutputHeads.Names, ["identity"]);
            headModes = Strings(n, "head_modes", OutputHeads.ModeNames, ["jacobian"]);
            classes = n.Integers("classes", 1, 1, 4096)?.Select(c => (int)c).ToArray();
            if (classes is not null && heads.SequenceEqual(["identity"]))
                throw new ConfigException("network.classes", "a classifier layer applies to sigmoid and softmax heads (network.heads)");
            if (heads.Contains("softmax") && (classes ?? widths.Select(w => (int)w).ToArray()).Any(w => w < 2))
                throw new ConfigException("network.heads", $"softmax needs at least two outputs, but network.{(classes is null ? "widths" : "classes")} allows 1");
            n.RejectUnknown();
        }
        else
        {
            n.RejectUnknown();
        }

        var constructions = Strings(f, "constructions", ["junction", "chord"], ["junction", "chord"]);
        var weightScale = Range(f, "weight_scale", 1);
        var inputScale = Range(f, "input_scale", 1);
        var initialScale = Range(f, "initial_scale", 1);
        var alpha = Range(f, "alpha", 1);
        bool pinOutput = f.Boolean("pin_output", false);
        if (fixedNetwork is not null) heads = [OutputHeads.Name(fixedNetwork.Architecture.Head)];
        if (pinOutput && heads.Any(h => h != "identity"))
            throw new ConfigException("pin_output", "pinning a_out of a sigmoid or softmax head makes the static problem nonlinear least squares, which is not supported");

        var h = f.Object("heat");
        if (h is not null)
            foreach (string k in new[] { "input", "initial", "pins", "soft_pins", "pin_output", "trace_every", "stop_force", "alpha" })
                if (h.Has(k))
                    throw new ConfigException($"heat.{k}", k switch
                    {
                        "alpha" => "is sampled per case in a hunt: use the top-level alpha range",
                        "pin_output" => "use the top-level pin_output",
                        _ => "is not part of a hunt's heat settings (inputs, initial cochains and pins are sampled per case)",
                    });
        var heat = HeatConfig.Parse(h);
        if (heads.Any(x => x != "identity") && heat.Method is "exact" or "krylov" or "rkc-krylov")
            throw new ConfigException("heat.method", $"'{heat.Method}' solves the piecewise-linear flow in closed form, and a sigmoid or softmax head " +
                $"({(fixedNetwork is null ? "network.heads" : "the network of network.config")}) makes the force nonlinear; use auto, switching-aware, plain or authors-euler");

        double vr = 1e-12, va = 1e-14;
        int exactMax = 2000, verifyEvents = 10_000;
        int? verifySteps = null;
        string verifyCertified = "trust";
        var v = f.Object("verify");
        if (v is not null)
        {
            vr = v.Number("rtol", 1e-12, 0, 1, exclusiveMin: true);
            va = v.Number("atol", 1e-14, 0, 1, exclusiveMin: true);
            exactMax = (int)v.Integer("exact_max_free", 2000, 0, 20_000);
            verifyEvents = (int)v.Integer("max_events", 10_000, 1, int.MaxValue);
            if (v.Has("max_steps")) verifySteps = (int)v.Integer("max_steps", 1, 1, int.MaxValue);
            verifyCertified = v.Choice("certified", ["trust", "recheck"], "trust");
            v.RejectUnknown();
        }
        int folders = (int)f.Integer("counterexample_folders", 50, 0, 100_000);
        int lambdaStarUnits = (int)f.Integer("lambda_star_max_units", 12, 0, 20);
        string outputRoot = JsonFields.OutputRoot(f);
        var slurm = SlurmSettings.Parse(f.Object("slurm"));
        f.RejectUnknown();
        return new HuntConfig
        {
            Name = name,
            MasterSeed = seed,
            Cases = cases,
            Blocks = ((int)blocks[0], (int)blocks[1]),
            Widths = widths.Select(w => (int)w).ToArray(),
            Hidden = hidden.Select(w => (int)w).ToArray(),
            Projection = projection,
            Relu = relu,
            Heads = heads,
            HeadModes = headModes,
            Classes = classes,
            Constructions = constructions,
            WeightScale = weightScale,
            InputScale = inputScale,
            InitialScale = initialScale,
            Alpha = alpha,
            PinOutput = pinOutput,
            Heat = heat,
            VerifyRtol = vr,
            VerifyAtol = va,
            ExactMaxFree = exactMax,
            VerifyMaxEvents = verifyEvents,
            VerifyMaxSteps = verifySteps,
            VerifyCertified = verifyCertified,
            LambdaStarMaxUnits = lambdaStarUnits,
            CounterexampleFolders = folders,
            OutputRoot = outputRoot,
            Slurm = slurm,
            Fixed = fixedNetwork,
        };
    }

    private static string[] Strings(JsonFields f, string name, string[] allowed, string[] dflt)
    {
        var arr = f.Array(name);
        if (arr is null) return dflt;
        if (arr.Count == 0) throw new ConfigException(f.Path.Length == 0 ? name : $"{f.Path}.{name}", "is empty: list at least one of " + string.Join(", ", allowed));
        var values = arr.Select(p => p.Element.ValueKind == JsonValueKind.String && allowed.Contains(p.Element.GetString())
            ? p.Element.GetString()!
            : throw new ConfigException(p.Path, $"expected one of: {string.Join(", ", allowed)}")).ToArray();
        if (values.Distinct().Count() != values.Length) throw new ConfigException(f.Path.Length == 0 ? name : $"{f.Path}.{name}", "lists a value twice");
        return values;
    }

    private static LogRange Range(JsonFields f, string name, double dflt)
    {
        if (!f.IsArray(name))
        {
            double x = f.Number(name, dflt, 0, double.MaxValue, exclusiveMin: true);
            return new LogRange(x, x);
        }
        var arr = f.Array(name)!;
        if (arr.Count != 2) throw new ConfigException(name, $"expected a number or [min, max], got {arr.Count} numbers");
        double lo = JsonFields.ToNumber(arr[0].Element, arr[0].Path, 0, double.MaxValue, true);
        double hi = JsonFields.ToNumber(arr[1].Element, arr[1].Path, 0, double.MaxValue, true);
        if (lo > hi) throw new ConfigException(name, $"min {lo} > max {hi}");
        return new LogRange(lo, hi);
    }

    /// <summary>The config with every default filled in (itself a valid hunt config).</summary>
    public JsonObject ToJson()
    {
        var heat = Heat.ToJson();
        foreach (string k in new[] { "input", "initial", "pins", "soft_pins", "pin_output", "trace_every", "alpha" }) heat.Remove(k);
        var j = new JsonObject
        {
            ["name"] = Name,
            ["master_seed"] = MasterSeed,
            ["cases"] = Cases,
            ["network"] = new JsonObject
            {
                ["blocks"] = new JsonArray(Blocks.Min, Blocks.Max),
                ["widths"] = new JsonArray(Widths.Select(w => (JsonNode?)w).ToArray()),
                ["hidden"] = new JsonArray(Hidden.Select(w => (JsonNode?)w).ToArray()),
                ["projection"] = Projection,
                ["relu"] = new JsonArray(Relu.Select(r => (JsonNode?)r).ToArray()),
            },
            ["constructions"] = new JsonArray(Constructions.Select(r => (JsonNode?)r).ToArray()),
            ["weight_scale"] = WeightScale.ToJson(),
            ["input_scale"] = InputScale.ToJson(),
            ["initial_scale"] = InitialScale.ToJson(),
            ["alpha"] = Alpha.ToJson(),
            ["pin_output"] = PinOutput,
            ["heat"] = heat,
            ["verify"] = new JsonObject
            {
                ["rtol"] = VerifyRtol,
                ["atol"] = VerifyAtol,
                ["exact_max_free"] = ExactMaxFree,
                ["max_events"] = VerifyMaxEvents,
                ["certified"] = VerifyCertified
            },
            ["lambda_star_max_units"] = LambdaStarMaxUnits,
            ["counterexample_folders"] = CounterexampleFolders,
            ["output_root"] = OutputRoot,
        };
        // Only when set, so that the resolved configs (and fingerprints) of existing hunts stay as they were.
        if (VerifyMaxSteps is int vs) j["verify"]!["max_steps"] = vs;
        if (SamplesHeads)
        {
            // Only when heads are sampled, so that the resolved configs (and hashes) of existing hunts stay as they were.
            var network = j["network"]!.AsObject();
            network["heads"] = new JsonArray(Heads.Select(x => (JsonNode?)x).ToArray());
            network["head_modes"] = new JsonArray(HeadModes.Select(x => (JsonNode?)x).ToArray());
            if (Classes is not null) network["classes"] = new JsonArray(Classes.Select(x => (JsonNode?)x).ToArray());
        }
        if (Slurm is not null) j["slurm"] = Slurm.ToJson();
        if (Fixed is not null)
        {
            j["network"] = Fixed.ToJson();
            j.Remove("weight_scale");
        }
        return j;
    }

    /// <summary>Fingerprint of everything that determines the cases' numbers (not the output location): shards must share it.</summary>
    public string Fingerprint()
    {
        var j = ToJson();
        j.Remove("output_root");
        j.Remove("counterexample_folders");
        j.Remove("slurm");
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(j.ToJsonString()));
        return Convert.ToHexString(bytes)[..16].ToLowerInvariant();
    }
}

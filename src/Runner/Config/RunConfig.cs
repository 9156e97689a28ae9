using System.Text.Json;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Graph;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Onnx;
using ResidualSheaf.Runner.Slurm;

namespace ResidualSheaf.Runner.Config;

/// <summary>Where a run's weights come from.</summary>
/// <param name="Source">seeded (PyTorch-default nn.Linear) | neural-sheaf (the reference library's He-normal, zero biases) | json | state_dict.</param>
/// <param name="Path">File path (absolute, resolved against the config's folder) for json / state_dict.</param>
/// <param name="Names">weights.names: our parameter (tensor or layer) → the file's name, or null.</param>
public sealed record WeightsConfig(string Source, string? Path, IReadOnlyDictionary<string, string>? Names = null)
{
    /// <summary>The sources as configs spell them.</summary>
    public static readonly string[] Sources = ["seeded", "neural-sheaf", "json", "state_dict"];

    /// <summary>Where the weights came from, for weights.json: the seed call or the file.</summary>
    public string Provenance(long seed) => Source switch
    {
        "seeded" => $"seeded (torch.manual_seed({seed}))",
        "neural-sheaf" => $"neural-sheaf He-normal initialisation (torch.manual_seed({seed}), float64 randn · (2/n_in)^0.5, zero biases)",
        _ => Path!,
    };
}

/// <summary>The random inputs of a sweep.</summary>
/// <param name="Count">Number of inputs.</param>
/// <param name="Seed">torch.Generator seed.</param>
/// <param name="Scale">Standard deviation of each coordinate.</param>
public sealed record InputsConfig(int Count, long Seed, double Scale)
{
    /// <summary>Data file of the inputs (.csv, .npy, .json; one row per input), absolute; null to draw them (count, seed, scale).</summary>
    public string? Path { get; init; }

    /// <summary>Data file of pinned-output targets (one row per input, as many rows as inputs), absolute; null for the forward pass.</summary>
    public string? TargetsPath { get; init; }

    /// <summary>With <see cref="Path"/>: only the first this many rows of the file (and of the targets file); null for all rows.</summary>
    public int? First { get; init; }

    /// <summary>Added to every coordinate of the forward pass to make the pinned output of a batch with pin_output and no targets file.</summary>
    public double TargetOffset { get; init; }
}

/// <summary>The weight-scale sweep of the λ_min exercise.</summary>
/// <param name="Draws">Weight draws per scale.</param>
/// <param name="Scales">Factors applied to PyTorch-default weights and biases.</param>
/// <param name="Seed">Seed of the first draw (draw k uses Seed + k).</param>
public sealed record LambdaMinConfig(int Draws, double[] Scales, long Seed);

/// <summary>A validated run configuration (see README for every field).</summary>
public sealed record RunConfig
{
    /// <summary>Run name: prefix of the output folder.</summary>
    public required string Name { get; init; }

    /// <summary>static | lambda-min | heat | train.</summary>
    public required string Job { get; init; }

    /// <summary>torch.manual_seed for seeded weights.</summary>
    public required long Seed { get; init; }

    /// <summary>The architecture.</summary>
    public required ArchitectureSpec? Architecture { get; init; }

    /// <summary>Weight source.</summary>
    public required WeightsConfig Weights { get; init; }

    /// <summary>Sheaf constructions of the skips to run.</summary>
    public required SkipConstruction[] Constructions { get; init; }

    /// <summary>Inputs of the sweep.</summary>
    public required InputsConfig Inputs { get; init; }

    /// <summary>Static job: λ_min, λ_max, κ of L_free for every input also above the dense size, matrix-free (controls.spectrum).</summary>
    public bool Spectrum { get; init; }

    /// <summary>Run the pinned-output controls (forward value and a wrong value).</summary>
    public required bool PinOutputControls { get; init; }

    /// <summary>Offset added to every output coordinate for the wrong-target control.</summary>
    public required double WrongOffset { get; init; }

    /// <summary>λ_min sweep (job lambda-min only).</summary>
    public LambdaMinConfig? LambdaMin { get; init; }

    /// <summary>Heat-equation run (job heat only).</summary>
    public HeatConfig? Heat { get; init; }

    /// <summary>Sheaf-based training (job train only).</summary>
    public TrainConfig? Train { get; init; }

    /// <summary>The network read from <c>network.onnx</c> (its architecture and weights), or null for a declared architecture.</summary>
    public OnnxNetwork? Onnx { get; init; }

    /// <summary>True when the network has a skip connection (an addition of two branches), so the skip construction matters.</summary>
    public bool HasSkips => Onnx?.Graph.HasAdditions ?? !Architecture!.IsMlp;

    /// <summary>Folder under which run folders are created.</summary>
    public required string OutputRoot { get; init; }

    /// <summary>How a batch runs as a Slurm job array (<c>--slurm</c>), or null for the defaults; not part of the fingerprint.</summary>
    public SlurmSettings? Slurm { get; init; }

    /// <summary>Reads and validates a config file; every problem is a <see cref="ConfigException"/> naming the field.</summary>
    public static RunConfig Load(string path)
    {
        var doc = JsonFields.ParseFile(path);
        using (doc)
            return Parse(doc.RootElement, System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
    }

    /// <summary>Validates a parsed config; relative paths are resolved against <paramref name="baseDirectory"/>.</summary>
    public static RunConfig Parse(JsonElement root, string baseDirectory)
    {
        var f = new JsonFields(root, "");
        f.ExpectOnly("name", "job", "seed", "network", "weights", "constructions", "inputs", "controls", "lambda_min", "heat", "train", "output_root", "slurm");
        string name = f.String("name");
        if (name.Length == 0 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            throw new ConfigException("name", $"'{name}' must be non-empty and use only letters, digits, '-', '_' and '.'");
        string job = f.Choice("job", ["static", "lambda-min", "heat", "train"]);
        long seed = f.Integer("seed", 42, 0);
        var nf = f.Object("network") ?? throw new ConfigException("network", "is required");
        OnnxNetwork? onnx = nf.Has("onnx") ? ParseOnnx(nf, baseDirectory) : null;
        var arch = onnx is null ? ParseNetwork(nf) : null;
        bool hasSkips = onnx?.Graph.HasAdditions ?? !arch!.IsMlp;

        var wf = f.Object("weights");
        WeightsConfig weights = new("seeded", null);
        if (wf is not null && onnx is not null)
            throw new ConfigException("weights", "not allowed with network.onnx: the model's initializers are its weights");
        if (wf is not null)
        {
            string source = wf.Choice("source", WeightsConfig.Sources, "seeded");
            string? wpath = null;
            if (source is not ("seeded" or "neural-sheaf"))
            {
                wpath = System.IO.Path.GetFullPath(wf.String("path"), baseDirectory);
                if (Directory.Exists(wpath)) throw new ConfigException("weights.path", $"'{wpath}' is a directory, not a weights file");
                if (!File.Exists(wpath)) throw new ConfigException("weights.path", $"file '{wpath}' does not exist");
            }
            else if (wf.Has("path")) throw new ConfigException("weights.path", "only allowed with source json or state_dict");
            if (source == "neural-sheaf" && job == "lambda-min")
                throw new ConfigException("weights.source", "job 'lambda-min' draws its own seeded weights; only 'seeded' applies");
            Dictionary<string, string>? names = null;
            if (wf.Object("names") is { } nm)
            {
                if (source is "seeded" or "neural-sheaf") throw new ConfigException("weights.names", "only allowed with source json or state_dict");
                names = [];
                var known = arch!.Parameters().SelectMany(p => new[] { p.Name, p.Name + ".weight", p.Name + ".bias" }).ToHashSet();
                foreach (string ours in nm.Keys())
                {
                    if (!known.Contains(ours))
                        throw new ConfigException($"weights.names.{ours}", $"'{ours}' is not a parameter of the network (parameters: {string.Join(", ", arch.Parameters().Select(p => p.Name))})");
                    names[ours] = nm.String(ours);
                }
                nm.RejectUnknown();
            }
            wf.RejectUnknown();
            weights = new WeightsConfig(source, wpath, names);
        }

        var consList = f.Array("constructions", 1);
        SkipConstruction[] constructions = consList is null
            ? !hasSkips || job is "heat" or "train" ? [SkipConstruction.Junction] : [SkipConstruction.Junction, SkipConstruction.Chord]
            : consList.Select(p => p.Element.ValueKind == JsonValueKind.String
                    ? p.Element.GetString() switch
                    {
                        "junction" => SkipConstruction.Junction,
                        "chord" => SkipConstruction.Chord,
                        var s => throw new ConfigException(p.Path, $"'{s}' is not one of: junction, chord"),
                    }
                    : throw new ConfigException(p.Path, "expected a string")).ToArray();
        if (constructions.Distinct().Count() != constructions.Length) throw new ConfigException("constructions", "lists a construction twice");
        if (!hasSkips && constructions.Contains(SkipConstruction.Chord))
            throw new ConfigException("constructions", onnx is null
                ? "an MLP has no skip connection, so 'chord' does not apply"
                : "the ONNX graph has no Add of two branches (no skip connection), so 'chord' does not apply");

        if (job is "heat" or "train" && constructions.Length != 1)
            throw new ConfigException("constructions", $"job '{job}' runs one construction: list exactly one (junction or chord)");

        var inf = f.Object("inputs");
        if (inf is not null && job == "train") throw new ConfigException("inputs", "does not apply to job 'train' (its data are train.data)");
        int defaultCount = job == "heat" ? 1 : 50;
        var inputs = new InputsConfig(defaultCount, 0, 1.0);
        if (inf is not null)
        {
            string? dataPath = inf.Has("path") ? System.IO.Path.GetFullPath(inf.String("path"), baseDirectory) : null;
            if (dataPath is not null)
                foreach (string k in new[] { "count", "seed", "scale" })
                    if (inf.Has(k)) throw new ConfigException($"inputs.{k}", "does not apply with inputs.path (the inputs are the file's rows; inputs.first takes the first N)");
            if (dataPath is null && inf.Has("first")) throw new ConfigException("inputs.first", "only applies with inputs.path (the first N rows of the file)");
            string? targetsPath = inf.Has("targets_path") ? System.IO.Path.GetFullPath(inf.String("targets_path"), baseDirectory) : null;
            inputs = new InputsConfig((int)inf.Integer("count", defaultCount, 1, 10_000_000), inf.Integer("seed", 0, 0), inf.Number("scale", 1.0, 0, exclusiveMin: true))
            {
                Path = dataPath,
                TargetsPath = targetsPath,
                TargetOffset = inf.Number("target_offset", 0.0),
                First = inf.Has("first") ? (int)inf.Integer("first", null, 1, int.MaxValue) : null,
            };
            inf.RejectUnknown();
            if (job == "lambda-min" && dataPath is not null) throw new ConfigException("inputs.path", "does not apply to job 'lambda-min' (it draws one input per weight draw)");
            if (job != "heat" && targetsPath is not null) throw new ConfigException("inputs.targets_path", "only applies to job 'heat' with heat.pin_output");
            if (job != "heat" && inputs.TargetOffset != 0) throw new ConfigException("inputs.target_offset", "only applies to job 'heat' with heat.pin_output");
            if (job != "heat" && inputs.Count > 1_000_000) throw new ConfigException("inputs.count", "must be at most 1000000");
        }

        // The head of a declared architecture, or of the ONNX graph (a final Sigmoid / Softmax node).
        var outputHead = onnx?.Graph.Output.Head ?? arch!.Head;
        bool pinControls = outputHead == OutputHead.Identity;
        double wrongOffset = 0.5;
        bool spectrum = false;
        var cf = f.Object("controls");
        if (cf is not null && job is "heat" or "train") throw new ConfigException("controls", "only applies to job 'static'");
        if (cf is not null)
        {
            pinControls = cf.Boolean("pin_output", pinControls);
            wrongOffset = cf.Number("wrong_offset", 0.5);
            spectrum = cf.Boolean("spectrum", false);
            if (spectrum && job != "static") throw new ConfigException("controls.spectrum", "only applies to job 'static'");
            if (wrongOffset == 0) throw new ConfigException("controls.wrong_offset", "must be nonzero (it is the negative control)");
            cf.RejectUnknown();
        }

        LambdaMinConfig? lm = null;
        var lf = f.Object("lambda_min");
        if (job == "lambda-min")
        {
            if (lf is null) throw new ConfigException("lambda_min", "is required for job 'lambda-min'");
            if (onnx is not null) throw new ConfigException("network.onnx", "job 'lambda-min' draws seeded weights of a declared architecture (kind mlp or resnet)");
            if (weights.Source != "seeded") throw new ConfigException("weights.source", "job 'lambda-min' draws its own seeded weights; only 'seeded' applies");
            lm = new LambdaMinConfig((int)lf.Integer("draws", 50, 1, 100_000), lf.Numbers("scales", 1, 0, exclusiveMin: true) ?? [0.1, 0.3, 1, 3, 10], lf.Integer("seed", 0, 0));
            lf.RejectUnknown();
        }
        else if (lf is not null) throw new ConfigException("lambda_min", "only allowed with job 'lambda-min'");

        HeatConfig? heat = null;
        if (job == "heat") heat = HeatConfig.Parse(f.Object("heat"));
        else if (f.Has("heat")) throw new ConfigException("heat", "only allowed with job 'heat'");
        TrainConfig? train = null;
        if (job == "train") train = TrainConfig.Parse(f.Object("train"), baseDirectory);
        else if (f.Has("train")) throw new ConfigException("train", "only allowed with job 'train'");
        if (outputHead != OutputHead.Identity) CheckHead(outputHead, onnx is null ? "network.head" : "network.onnx", job, heat, pinControls);
        // DP5 creeps for very long near the head's curved surfaces (a softmax classifier from a random start: no convergence by
        // t = 1e5, where Rodas4 with the head's exact Jacobian converges by t ≈ 270), so a head makes Rodas4 the default.
        if (outputHead != OutputHead.Identity && heat is { IntegratorGiven: false }) heat = heat with { Integrator = "rodas4" };
        if (heat is not null) CheckBatch(heat, inputs);
        var slurm = SlurmSettings.Parse(f.Object("slurm"));
        if (slurm is not null && !(job == "heat" && (inputs.Path is not null || inputs.Count > 1)))
            throw new ConfigException("slurm", "only applies to batch heat runs (job heat with inputs.count > 1 or inputs.path), submitted with --slurm");

        string outputRoot = JsonFields.OutputRoot(f);
        f.RejectUnknown();
        return new RunConfig
        {
            Name = name,
            Job = job,
            Seed = seed,
            Architecture = arch,
            Onnx = onnx,
            Weights = weights,
            Constructions = constructions,
            Inputs = inputs,
            PinOutputControls = pinControls,
            WrongOffset = wrongOffset,
            Spectrum = spectrum,
            LambdaMin = lm,
            Heat = heat,
            Train = train,
            OutputRoot = outputRoot,
            Slurm = slurm,
        };
    }

    /// <summary>What a sigmoid or softmax head rules out: piecewise-linear methods and a pinned output (the problem becomes nonlinear least squares).
    /// A head refused here is named by <paramref name="headField"/>: network.head, or network.onnx whose graph ends in it.</summary>
    private static void CheckHead(OutputHead outputHead, string headField, string job, HeatConfig? heat, bool pinControls)
    {
        string head = OutputHeads.Name(outputHead);
        if (heat is not null && heat.Method is "exact" or "krylov" or "rkc-krylov")
            throw new ConfigException("heat.method", $"'{heat.Method}' solves the piecewise-linear flow in closed form, and a {head} head " +
                "makes the force nonlinear between switches; use auto, switching-aware, plain or authors-euler");
        if (heat is { PinOutput: true })
            throw new ConfigException("heat.pin_output", $"pinning the output a_out of a {head} head makes the static problem nonlinear least squares, which is not supported");
        if (job == "lambda-min")
            throw new ConfigException(headField, "job 'lambda-min' studies L_free of the piecewise-linear sheaf; use an identity head");
        if (job == "static" && pinControls)
            throw new ConfigException("controls.pin_output", $"the pinned-output controls are least-squares problems, nonlinear with a {head} head; set it to false");
    }

    /// <summary>network.head, network.head_mode and (resnet) network.classifier.</summary>
    private static ArchitectureSpec ParseHead(JsonFields n, ArchitectureSpec spec)
    {
        var head = OutputHeads.Parse(n.Choice("head", OutputHeads.Names, "identity"));
        if (n.Has("head_mode") && head == OutputHead.Identity)
            throw new ConfigException("network.head_mode", "only applies to a sigmoid or softmax head (network.head)");
        var mode = OutputHeads.ParseMode(n.Choice("head_mode", OutputHeads.ModeNames, "jacobian"));
        int? classifier = null;
        if (n.Has("classifier"))
        {
            if (spec.IsMlp) throw new ConfigException("network.classifier", "only allowed with kind 'resnet' (an MLP's last layer is its classifier)");
            classifier = (int)n.Integer("classifier", null, 1, 100_000);
        }
        try
        {
            return spec.WithHead(head, mode, classifier);
        }
        catch (ArgumentException e)
        {
            throw new ConfigException("network.head", e.Message);
        }
    }

    /// <summary>A batch heat run: job heat over more than one input or over a data file (see <see cref="Batch.BatchCommand"/>).</summary>
    public bool IsBatch => Job == "heat" && (Inputs.Path is not null || Inputs.Count > 1);

    /// <summary>The heat fields that apply only to batches, or only to single runs.</summary>
    private static void CheckBatch(HeatConfig h, InputsConfig inputs)
    {
        bool batch = inputs.Path is not null || inputs.Count > 1;
        if (inputs.TargetsPath is not null && !h.PinOutput)
            throw new ConfigException("inputs.targets_path", "needs heat.pin_output: true (the targets are the pinned outputs)");
        if (inputs.TargetOffset != 0 && (!h.PinOutput || !batch || inputs.TargetsPath is not null))
            throw new ConfigException("inputs.target_offset", "only applies to batch heat runs with heat.pin_output: true and no inputs.targets_path (it offsets the forward pass)");
        if (!batch)
        {
            if (h.Initial.Kind == "forward-noise")
                throw new ConfigException("heat.initial.kind", "'forward-noise' only applies to batch runs (inputs.count > 1 or inputs.path)");
            if (inputs.TargetsPath is not null)
                throw new ConfigException("inputs.targets_path", "only applies to batch runs (inputs.count > 1 or inputs.path)");
            if (h.TraceInputs is not null || h.TraceFirst is not null)
                throw new ConfigException("heat.trace_inputs", "only applies to batch runs (inputs.count > 1 or inputs.path)");
            return;
        }
        string why = "a batch run (inputs.count > 1 or inputs.path) takes one network input per row";
        if (h.Input is not null) throw new ConfigException("heat.input", $"does not apply to {why}: put the inputs in inputs.path");
        if (h.Initial.Kind == "values") throw new ConfigException("heat.initial.kind", $"'values' does not apply to {why}; use normal, zeros, ones or forward-noise");
        if (h.Pins.Length > 0) throw new ConfigException("heat.pins", $"extra pins are not supported in {why}");
        if (h.SoftPins.Length > 0) throw new ConfigException("heat.soft_pins", $"soft pins are not supported in {why}");
    }

    /// <summary>
    /// <c>network.onnx</c>: an ONNX file (relative to the config) holding architecture and weights; read here, so a file that is
    /// not a ReLU network we map is a config error naming the node, before anything is written.
    /// </summary>
    private static OnnxNetwork ParseOnnx(JsonFields n, string baseDirectory)
    {
        foreach (var k in new[] { "kind", "widths", "blocks", "relu", "classifier" })
            if (n.Has(k)) throw new ConfigException($"network.{k}", "not allowed with network.onnx (the ONNX graph is the architecture)");
        if (n.Has("head"))
            throw new ConfigException("network.head", "not allowed with network.onnx (a final Sigmoid or Softmax node of the graph is its head)");
        n.ExpectOnly("onnx", "head_mode");
        string path = System.IO.Path.GetFullPath(n.String("onnx"), baseDirectory);
        if (Directory.Exists(path)) throw new ConfigException("network.onnx", $"'{path}' is a directory, not an ONNX file");
        if (!File.Exists(path)) throw new ConfigException("network.onnx", $"file '{path}' does not exist");
        var mode = OutputHeads.ParseMode(n.Choice("head_mode", OutputHeads.ModeNames, "jacobian"));
        n.RejectUnknown();
        try
        {
            var net = OnnxNetwork.Load(path, mode);
            if (n.Has("head_mode") && net.Graph.Output.Head == OutputHead.Identity)
                throw new ConfigException("network.head_mode", "only applies when the ONNX graph ends in a Sigmoid or Softmax node (its output head)");
            return net;
        }
        catch (OnnxModelException e)
        {
            throw new ConfigException("network.onnx", $"{path}: {e.Message}");
        }
        catch (ArgumentException e)
        {
            throw new ConfigException("network.onnx", $"{path}: {e.Message}");
        }
    }

    private static ArchitectureSpec ParseNetwork(JsonFields n)
    {
        n.ExpectOnly("kind", "widths", "blocks", "relu", "classifier", "head", "head_mode");
        string kind = n.Choice("kind", ["mlp", "resnet"]);
        ArchitectureSpec spec;
        if (kind == "mlp")
        {
            var widths = n.Integers("widths", 2, 1, 100_000) ?? throw new ConfigException("network.widths", "is required for kind 'mlp'");
            if (n.Has("blocks")) throw new ConfigException("network.blocks", "only allowed with kind 'resnet'");
            if (n.Has("relu")) throw new ConfigException("network.relu", "only allowed with kind 'resnet' (an MLP has ReLU between layers)");
            spec = ArchitectureSpec.Mlp(widths.Select(w => (int)w).ToArray());
        }
        else
        {
            if (n.Has("widths")) throw new ConfigException("network.widths", "only allowed with kind 'mlp'");
            var placement = n.Choice("relu", ["after", "before"], "after") == "after" ? ReluPlacement.After : ReluPlacement.Before;
            var blocks = new List<BlockSpec>();
            foreach (var (el, path) in n.Array("blocks", 1) ?? throw new ConfigException("network.blocks", "is required for kind 'resnet'"))
            {
                var b = new JsonFields(el, path);
                int inW = (int)b.Integer("in", null, 1, 100_000);
                int hidden = (int)b.Integer("hidden", null, 1, 100_000);
                int outW = (int)b.Integer("out", inW, 1, 100_000);
                bool proj = b.Boolean("projection", false);
                b.RejectUnknown();
                if (inW != outW && !proj) throw new ConfigException(path, $"in = {inW} ≠ out = {outW} needs \"projection\": true");
                if (blocks.Count > 0 && inW != blocks[^1].Out)
                    throw new ConfigException($"{path}.in", $"{inW} differs from the previous block's out = {blocks[^1].Out}");
                blocks.Add(new BlockSpec(inW, hidden, outW, proj));
            }
            spec = ArchitectureSpec.Residual(blocks, placement);
        }
        spec = ParseHead(n, spec);
        n.RejectUnknown();
        return spec;
    }
}

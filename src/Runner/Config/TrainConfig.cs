using System.Text.Json.Nodes;

namespace ResidualSheaf.Runner.Config;

/// <summary>Where job train's data come from: a reference data set, or data files (the first n_train rows train).</summary>
/// <param name="Kind">paraboloid | saddle | circular | blobs | files.</param>
/// <param name="TrainCount">n_train.</param>
/// <param name="TestCount">n_test (generated sets only).</param>
/// <param name="Seed">torch.manual_seed of the generator.</param>
/// <param name="Noise">Target noise (regression) or radial noise (circular); null for the library's default.</param>
/// <param name="Path">files: the inputs file (absolute), one row per sample.</param>
/// <param name="TargetsPath">files: the targets file (absolute), one row per sample.</param>
public sealed record TrainDataConfig(string Kind, int? TrainCount, int TestCount, long Seed, double? Noise, string? Path, string? TargetsPath);

/// <summary>The <c>train</c> section of job train (README "Sheaf-based training" lists every field).</summary>
public sealed record TrainConfig
{
    /// <summary>The data.</summary>
    public required TrainDataConfig Data { get; init; }

    /// <summary>Stalk rate α.</summary>
    public required double Alpha { get; init; }

    /// <summary>Weight rate β; null for 1/n_train.</summary>
    public required double? Beta { get; init; }

    /// <summary>Euler step.</summary>
    public required double Dt { get; init; }

    /// <summary>Epochs.</summary>
    public required int Epochs { get; init; }

    /// <summary>Euler steps per epoch.</summary>
    public required int StepsPerEpoch { get; init; }

    /// <summary>Keep the stalks between epochs.</summary>
    public required bool WarmStart { get; init; }

    /// <summary>random | zeros | forward_pass.</summary>
    public required string Init { get; init; }

    /// <summary>torch.manual_seed before each random stalk initialisation.</summary>
    public required long InitSeed { get; init; }

    /// <summary>Run the gradient-descent baseline.</summary>
    public required bool Baseline { get; init; }

    /// <summary>Its learning rate; null for the paper's (0.005 regression, 0.01 classification).</summary>
    public required double? BaselineLearningRate { get; init; }

    /// <summary>Its number of steps; null for epochs × steps_per_epoch.</summary>
    public int? BaselineSteps { get; init; }

    /// <summary>euler (the reference library's scheme) or an adaptive integrator's name (dp5, tsit5, bs3, dop853; rodas4 with the joint Jacobian, rkc).</summary>
    public string Method { get; init; } = "euler";

    /// <summary>
    /// Integrate the adaptive method switching-aware (modes frozen between located switches, Filippov sliding followed:
    /// <c>SwitchingAwareTraining</c>) instead of recomputing the masks in every right-hand side.
    /// </summary>
    public bool SwitchingAware { get; init; }

    /// <summary>Relative tolerance of an adaptive method.</summary>
    public double Rtol { get; init; } = 1e-6;

    /// <summary>Absolute tolerance of an adaptive method.</summary>
    public double Atol { get; init; } = 1e-8;

    /// <summary>Step attempts per epoch of an adaptive method.</summary>
    public long MaxSteps { get; init; } = 1_000_000;

    /// <summary>Threads of the joint right-hand side (results are the same for any number).</summary>
    public int Threads { get; init; } = 1;

    /// <summary>The spectrum of L_free over training (null: not computed).</summary>
    public TrainSpectrumConfig? Spectrum { get; init; }

    /// <summary>Stalk initialisations as configs spell them.</summary>
    public static readonly string[] Inits = ["random", "zeros", "forward_pass"];

    /// <summary>Integration methods: the library's Euler and the project's explicit adaptive integrators.</summary>
    public static readonly string[] Methods = ["euler", "dp5", "tsit5", "bs3", "dop853", "rodas4", "rkc"];

    /// <summary>Data kinds.</summary>
    public static readonly string[] DataKinds = ["paraboloid", "saddle", "circular", "blobs", "files"];

    /// <summary>Reads the section (required for job train); file paths are resolved against <paramref name="baseDirectory"/>.</summary>
    public static TrainConfig Parse(JsonFields? t, string baseDirectory)
    {
        if (t is null) throw new ConfigException("train", "is required for job 'train'");
        t.ExpectOnly("data", "alpha", "beta", "dt", "epochs", "steps_per_epoch", "warm_start", "init", "init_seed", "baseline", "method", "rtol", "atol",
            "max_steps", "spectrum", "threads", "switching_aware");
        var d = t.Object("data") ?? throw new ConfigException("train.data", "is required");
        d.ExpectOnly("kind", "n_train", "n_test", "seed", "noise", "path", "targets_path");
        string kind = d.Choice("kind", DataKinds);
        string? path = null, targets = null;
        if (kind == "files")
        {
            path = ExistingFile(d, "path", baseDirectory);
            targets = ExistingFile(d, "targets_path", baseDirectory);
            foreach (string k in new[] { "n_test", "seed", "noise" })
                if (d.Has(k)) throw new ConfigException($"train.data.{k}", "does not apply to data files (the rows after n_train test)");
        }
        else if (d.Has("path") || d.Has("targets_path")) throw new ConfigException(d.Has("path") ? "train.data.path" : "train.data.targets_path", "only applies to kind 'files'");
        if (kind == "blobs" && d.Has("noise")) throw new ConfigException("train.data.noise", "the blobs have no noise parameter");
        int? nTrain = d.Has("n_train") || kind != "files" ? (int)d.Integer("n_train", 300, 1, 10_000_000) : null;
        var data = new TrainDataConfig(kind, nTrain, kind == "files" ? 0 : (int)d.Integer("n_test", 100, 0, 10_000_000), d.Integer("seed", 42, 0),
            d.Has("noise") ? d.Number("noise", null, 0) : null, path, targets);
        d.RejectUnknown();
        var b = t.Object("baseline");
        bool baseline = true;
        double? lr = null;
        int? gdSteps = null;
        if (b is not null)
        {
            baseline = b.Boolean("enabled", true);
            lr = b.Has("learning_rate") ? b.Number("learning_rate", null, 0, 1e6, exclusiveMin: true) : null;
            gdSteps = b.Has("steps") ? (int)b.Integer("steps", null, 1, 1_000_000_000) : null;
            b.RejectUnknown();
        }
        bool warm = t.Boolean("warm_start", true);
        string init = t.Choice("init", Inits, "random");
        string method = t.Choice("method", Methods, "euler");
        bool adaptive = method != "euler";
        foreach (string k in new[] { "rtol", "atol", "max_steps" })
            if (!adaptive && t.Has(k)) throw new ConfigException($"train.{k}", "only applies to an adaptive train.method (dp5, tsit5, bs3, dop853, rodas4, rkc)");
        bool switchingAware = t.Boolean("switching_aware", false);
        if (switchingAware && method is "euler" or "rodas4")
            throw new ConfigException("train.switching_aware", $"applies to an explicit adaptive train.method (dp5, tsit5, bs3, dop853) or rkc, not {method}");
        var cfg = new TrainConfig
        {
            Data = data,
            Alpha = t.Number("alpha", 1.0, 0, 1e12, exclusiveMin: true),
            Beta = t.Has("beta") ? t.Number("beta", null, 0, 1e12, exclusiveMin: true) : null,
            Dt = t.Number("dt", 0.005, 0, 1e3, exclusiveMin: true),
            Epochs = (int)t.Integer("epochs", 100, 1, 100_000_000),
            StepsPerEpoch = (int)t.Integer("steps_per_epoch", 1000, 1, 1_000_000_000),
            WarmStart = warm,
            Init = init,
            InitSeed = t.Integer("init_seed", 0, 0),
            Baseline = baseline,
            BaselineLearningRate = lr,
            BaselineSteps = gdSteps,
            Method = method,
            SwitchingAware = switchingAware,
            Rtol = adaptive ? t.Number("rtol", 1e-6, 0, 1, exclusiveMin: true) : 1e-6,
            Atol = adaptive ? t.Number("atol", 1e-8, 0, 1e6, exclusiveMin: true) : 1e-8,
            MaxSteps = adaptive ? t.Integer("max_steps", 1_000_000, 1) : 1_000_000,
            Spectrum = TrainSpectrumConfig.Parse(t.Object("spectrum")),
            Threads = (int)t.Integer("threads", 1, 1, 256),
        };
        if (cfg.Spectrum?.Epochs.FirstOrDefault(e => e > cfg.Epochs) is int late and > 0)
            throw new ConfigException("train.spectrum.epochs", $"epoch {late} is beyond train.epochs ({cfg.Epochs})");
        t.RejectUnknown();
        return cfg;
    }

    private static string ExistingFile(JsonFields d, string field, string baseDirectory)
    {
        string p = System.IO.Path.GetFullPath(d.String(field), baseDirectory);
        if (!File.Exists(p)) throw new ConfigException($"train.data.{field}", $"file '{p}' does not exist");
        return p;
    }

    /// <summary>The section with every default filled in (for config.resolved.json).</summary>
    public JsonObject ToJson()
    {
        var data = new JsonObject { ["kind"] = Data.Kind, ["n_train"] = Data.TrainCount };
        if (Data.Kind == "files")
        {
            data["path"] = Data.Path;
            data["targets_path"] = Data.TargetsPath;
        }
        else
        {
            data["n_test"] = Data.TestCount;
            data["seed"] = Data.Seed;
            if (Data.Noise is double n) data["noise"] = n;
        }
        var o = new JsonObject
        {
            ["data"] = data,
            ["alpha"] = Alpha,
            ["dt"] = Dt,
            ["epochs"] = Epochs,
            ["steps_per_epoch"] = StepsPerEpoch,
            ["warm_start"] = WarmStart,
            ["init"] = Init,
            ["init_seed"] = InitSeed,
            ["baseline"] = new JsonObject { ["enabled"] = Baseline },
        };
        if (Beta is double beta) o["beta"] = beta;
        if (BaselineLearningRate is double lr) ((JsonObject)o["baseline"]!)["learning_rate"] = lr;
        if (BaselineSteps is int gs) ((JsonObject)o["baseline"]!)["steps"] = gs;
        o["method"] = Method;
        o["threads"] = Threads;
        if (Method != "euler")
        {
            o["rtol"] = Rtol;
            o["atol"] = Atol;
            o["max_steps"] = MaxSteps;
            o["switching_aware"] = SwitchingAware;
        }
        if (Spectrum is { } sp) o["spectrum"] = sp.ToJson();
        return o;
    }
}

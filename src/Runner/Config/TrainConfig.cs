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

    /// <summary>Stalk initialisations as configs spell them.</summary>
    public static readonly string[] Inits = ["random", "zeros", "forward_pass"];

    /// <summary>Data kinds.</summary>
    public static readonly string[] DataKinds = ["paraboloid", "saddle", "circular", "blobs", "files"];

    /// <summary>Reads the section (required for job train); file paths are resolved against <paramref name="baseDirectory"/>.</summary>
    public static TrainConfig Parse(JsonFields? t, string baseDirectory)
    {
        if (t is null) throw new ConfigException("train", "is required for job 'train'");
        t.ExpectOnly("data", "alpha", "beta", "dt", "epochs", "steps_per_epoch", "warm_start", "init", "init_seed", "baseline");
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
        if (b is not null)
        {
            baseline = b.Boolean("enabled", true);
            lr = b.Has("learning_rate") ? b.Number("learning_rate", null, 0, 1e6, exclusiveMin: true) : null;
            b.RejectUnknown();
        }
        bool warm = t.Boolean("warm_start", true);
        string init = t.Choice("init", Inits, "random");
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
        };
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
        return o;
    }
}

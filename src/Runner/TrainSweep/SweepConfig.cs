using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ResidualSheaf.Runner.Config;
using ResidualSheaf.Runner.Slurm;

namespace ResidualSheaf.Runner.TrainSweep;

/// <summary>One seed pair of a sweep: the weights' torch seed (the config's <c>seed</c>) and the random stalks' (train.init_seed).</summary>
/// <param name="Weights">torch.manual_seed of the initial weights.</param>
/// <param name="Init">torch.manual_seed of the random stalk initialisation.</param>
public sealed record SweepSeed(long Weights, long Init);

/// <summary>
/// A β sweep of job train (paper Fig. 3): a train config plus a top-level <c>sweep</c> section listing the values of β·n_train and
/// the seed pairs; point i = (β index i / seeds, seed index i mod seeds) is the config with β = value / n_train, <c>seed</c> =
/// the pair's weights seed and <c>train.init_seed</c> = its init seed.
/// </summary>
/// <param name="Base">The train config (its own β and seeds are replaced per point).</param>
/// <param name="BetaTimesN">β·n_train of each β, in the order given.</param>
/// <param name="Seeds">The seed pairs.</param>
/// <param name="Fingerprint">Hash of the resolved train config and the sweep section: what resume and merge check.</param>
public sealed record SweepConfig(RunConfig Base, double[] BetaTimesN, SweepSeed[] Seeds, string Fingerprint)
{
    /// <summary>How the sweep runs as a Slurm job array (<c>train-sweep --slurm</c>), or null for the defaults; not part of the fingerprint.</summary>
    public SlurmSettings? Slurm { get; init; }

    /// <summary>Number of points (β values × seeds).</summary>
    public int Points => BetaTimesN.Length * Seeds.Length;

    /// <summary>(β index, seed index) of point <paramref name="i"/>.</summary>
    public (int Beta, int Seed) Of(long i) => ((int)(i / Seeds.Length), (int)(i % Seeds.Length));

    /// <summary>The config of the run of seed pair <paramref name="seed"/> at β·n = <paramref name="betaTimesN"/> over <paramref name="nTrain"/> samples.</summary>
    public RunConfig Point(int seed, double betaTimesN, int nTrain) =>
        Base with { Seed = Seeds[seed].Weights, Train = Base.Train! with { Beta = betaTimesN / nTrain, InitSeed = Seeds[seed].Init } };

    /// <summary>Reads a sweep config file; every problem is a <see cref="ConfigException"/> naming the field.</summary>
    public static SweepConfig Load(string path)
    {
        using var doc = JsonFields.ParseFile(path);
        // The raw text keeps the file's comments, so they are skipped here as ParseFile skips them.
        var root = JsonNode.Parse(doc.RootElement.GetRawText(), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!.AsObject();
        if (root["sweep"] is not JsonObject sweepNode) throw new ConfigException("sweep", "is required in a train-sweep config (beta_times_n_train, seeds)");
        root.Remove("sweep");
        // The slurm section lays the sweep out on a cluster and changes no number, so job train never sees it (nor the fingerprint).
        var slurmNode = root["slurm"];
        root.Remove("slurm");
        using var rest = JsonDocument.Parse(root.ToJsonString());
        var cfg = RunConfig.Parse(rest.RootElement, Path.GetDirectoryName(Path.GetFullPath(path))!);
        if (cfg.Job != "train") throw new ConfigException("job", $"a train-sweep config is a job 'train' config; this one is '{cfg.Job}'");
        if (cfg.Weights.Source is not ("seeded" or "neural-sheaf"))
            throw new ConfigException("weights.source", "a sweep draws its weights per seed: use 'seeded' or 'neural-sheaf'");
        using var sweepDoc = JsonDocument.Parse(sweepNode.ToJsonString());
        var s = new JsonFields(sweepDoc.RootElement, "sweep");
        s.ExpectOnly("beta_times_n_train", "seeds");
        var betas = s.Numbers("beta_times_n_train", 1, 0, exclusiveMin: true)
                    ?? throw new ConfigException("sweep.beta_times_n_train", "is required (a non-empty list of positive numbers)");
        var seedList = s.Array("seeds", 1) ?? throw new ConfigException("sweep.seeds", "is required (a list of { \"weights\": …, \"init\": … })");
        var seeds = seedList.Select(p =>
        {
            if (p.Element.ValueKind != JsonValueKind.Object) throw new ConfigException(p.Path, "must be an object { \"weights\": …, \"init\": … }");
            var f = new JsonFields(p.Element, p.Path);
            f.ExpectOnly("weights", "init");
            var seed = new SweepSeed(f.Integer("weights", null, 0), f.Integer("init", null, 0));
            f.RejectUnknown();
            return seed;
        }).ToArray();
        s.RejectUnknown();
        SlurmSettings? slurm = null;
        if (slurmNode is not null)
        {
            using var slurmDoc = JsonDocument.Parse(slurmNode.ToJsonString());
            if (slurmDoc.RootElement.ValueKind != JsonValueKind.Object) throw new ConfigException("slurm", "must be an object");
            slurm = SlurmSettings.Parse(new JsonFields(slurmDoc.RootElement, "slurm"));
        }
        var resolved = ResolvedConfig.ToJson(cfg);
        resolved.Remove("output_root");
        // Threads change no number (JointFlow's fixed chunks), so a sweep may be resumed with another count.
        resolved["train"]!.AsObject().Remove("threads");
        string text = resolved.ToJsonString() + "|" + string.Join(",", betas.Select(b => BitConverter.DoubleToInt64Bits(b))) + "|"
                      + string.Join(",", seeds.Select(x => $"{x.Weights}:{x.Init}"));
        string fingerprint = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16].ToLowerInvariant();
        return new SweepConfig(cfg, betas, seeds, fingerprint) { Slurm = slurm };
    }

    /// <summary>The resolved train config with its sweep section: itself a sweep config with this fingerprint (what shards and merges read back).</summary>
    public JsonObject ToJson()
    {
        var config = ResolvedConfig.ToJson(Base);
        config["sweep"] = SweepJson();
        return config;
    }

    /// <summary>The sweep section as read.</summary>
    public JsonObject SweepJson() => new()
    {
        ["beta_times_n_train"] = new JsonArray(BetaTimesN.Select(b => (JsonNode?)b).ToArray()),
        ["seeds"] = new JsonArray(Seeds.Select(x => (JsonNode?)new JsonObject { ["weights"] = x.Weights, ["init"] = x.Init }).ToArray()),
    };
}

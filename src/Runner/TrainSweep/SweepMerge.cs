using System.Globalization;
using System.Text.Json.Nodes;
using ResidualSheaf.Runner.Config;
using ResidualSheaf.Runner.Hunt;
using ResidualSheaf.Runner.Output;
using ResidualSheaf.Runner.Sharding;
using Serilog;

namespace ResidualSheaf.Runner.TrainSweep;

/// <summary>
/// <c>runner train-sweep-merge --out F shard…</c>: the shard folders of one sweep into one sweep folder — sweep.csv in point order,
/// baseline.csv (one row per seed), then the report of the whole sweep. Every shard must be given and complete; nothing is
/// written otherwise.
/// </summary>
public static class SweepMerge
{
    /// <summary>Runs the command line (arguments after "train-sweep-merge").</summary>
    public static int Run(string[] args)
    {
        string? outFolder = null;
        var shards = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] is "--help" or "-h")
            {
                Console.WriteLine(SweepCommand.Usage);
                return 0;
            }
            if (args[i] == "--out" && i + 1 < args.Length) outFolder = args[++i];
            else if (args[i].StartsWith("--", StringComparison.Ordinal)) return HuntCommand.Fail($"unknown or incomplete argument '{args[i]}'. See runner train-sweep --help.");
            else shards.Add(Path.GetFullPath(args[i]));
        }
        if (outFolder is null || shards.Count == 0) return HuntCommand.Fail("train-sweep-merge needs --out <folder> and at least one shard folder");
        outFolder = Path.GetFullPath(outFolder);
        if (File.Exists(outFolder) || (Directory.Exists(outFolder) && Directory.EnumerateFileSystemEntries(outFolder).Any()))
            return HuntCommand.Fail($"--out: '{outFolder}' is a file or not empty; choose a new folder");
        if (ShardFolders.Read(shards, SweepCommand.ManifestFile, SweepCommand.RowsFile, "train sweep", out string error) is not { } set) return HuntCommand.Fail(error);
        if (set.Missing is { Count: > 0 } missing) return HuntCommand.Fail($"the sweep is not complete: shard(s) {string.Join(", ", missing)} of {set.Count} not given");
        SweepConfig sweep;
        try
        {
            sweep = SweepConfig.Load(Path.Combine(set.ByShard.Values.First(), SweepCommand.ConfigFile));
        }
        catch (ConfigException e)
        {
            return HuntCommand.Fail($"'{set.ByShard.Values.First()}': {e.Message}");
        }
        if (sweep.Fingerprint != set.First["fingerprint"]?.GetValue<string>())
            return HuntCommand.Fail($"'{set.ByShard.Values.First()}': its {SweepCommand.ConfigFile} does not match its fingerprint");

        var rows = new SortedDictionary<long, Dictionary<string, string>>();
        var baselines = new SortedDictionary<long, Dictionary<string, string>>();
        foreach (var (k, s) in set.ByShard)
        {
            var shard = new Shard(k, set.Count);
            int own = 0;
            foreach (var r in ResultsFile.Read(Path.Combine(s, SweepCommand.RowsFile)))
                if (shard.Owns(long.Parse(r["point"], CultureInfo.InvariantCulture)) && rows.TryAdd(long.Parse(r["point"], CultureInfo.InvariantCulture), r)) own++;
            if (own < shard.Expected(sweep.Points))
                return HuntCommand.Fail($"shard {shard} ('{s}') has {own} of its {shard.Expected(sweep.Points)} points: finish it (runner train-sweep --config … --shard {shard} --resume --out '{s}')");
            string b = Path.Combine(s, SweepCommand.BaselineFile);
            if (File.Exists(b))
                foreach (var r in ResultsFile.Read(b)) baselines.TryAdd(long.Parse(r["seed_index"], CultureInfo.InvariantCulture), r);
        }
        using var held = RunFolderLock.TryCreateAndAcquire(outFolder, out string lockError);
        if (held is null) return HuntCommand.Fail(lockError);
        Write(Path.Combine(outFolder, SweepCommand.RowsFile), SweepCommand.Header, rows.Values);
        if (baselines.Count > 0) Write(Path.Combine(outFolder, SweepCommand.BaselineFile), SweepCommand.BaselineHeader, baselines.Values);
        SweepFolder.WriteManifest(outFolder, sweep, Shard.Whole, new JsonArray(set.ByShard.Values.Select(s => (JsonNode?)s).ToArray()));
        using var log = new LoggerConfiguration().MinimumLevel.Information()
            .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}")
            .WriteTo.File(Path.Combine(outFolder, "sweep.log"), outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}")
            .CreateLogger();
        SweepReport.Write(outFolder, sweep, Shard.Whole, log);
        log.Information("Merged {Rows} points from {Shards} shards into {Folder}", rows.Count, set.ByShard.Count, outFolder);
        return 0;
    }

    private static void Write(string path, string[] header, IEnumerable<Dictionary<string, string>> rows)
    {
        using var w = new StreamWriter(path, false, new System.Text.UTF8Encoding(false));
        w.Write(string.Join(",", header) + "\n");
        foreach (var r in rows) w.Write(string.Join(",", header.Select(h => r[h])) + "\n");
    }
}

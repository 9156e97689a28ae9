using System.Globalization;
using System.Text.Json.Nodes;
using ResidualSheaf.Runner.Config;
using ResidualSheaf.Runner.Data;
using ResidualSheaf.Runner.Hunt;
using ResidualSheaf.Runner.Jobs;
using ResidualSheaf.Runner.Output;
using ResidualSheaf.Runner.Sharding;
using Serilog;

namespace ResidualSheaf.Runner.Batch;

/// <summary>
/// <c>runner batch-merge --out F shard…</c>: joins the shard folders of one batch (<c>--shard k/N</c>) into one batch folder —
/// batch.csv and energy.csv in input order, the traced inputs' folders, then summary.json and the plots of the whole batch, as an
/// unsharded run writes them. Every shard must be given and complete; nothing is written otherwise.
/// </summary>
public static class BatchMerge
{
    /// <summary>Usage of the command.</summary>
    public const string Usage = """
        runner batch-merge --out <folder> <shard folder> <shard folder> …
          joins the shards of one batch (runner --config batch.json --shard k/N) into <folder>: batch.csv and energy.csv (rows in
          input order), traces/, summary.json and the plots of the whole batch. Refused (exit 2, nothing written) when the
          folders come from different configs or data, a shard is missing or given twice, or a shard has not run all its inputs.
        """;

    /// <summary>Runs the command line (arguments after "batch-merge").</summary>
    public static int Run(string[] args)
    {
        string? outFolder = null;
        var shards = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] is "--help" or "-h")
            {
                Console.WriteLine(Usage);
                return 0;
            }
            if (args[i] == "--out" && i + 1 < args.Length) outFolder = args[++i];
            else if (args[i].StartsWith("--", StringComparison.Ordinal)) return Fail($"unknown or incomplete argument '{args[i]}'. See runner batch-merge --help.");
            else shards.Add(Path.GetFullPath(args[i]));
        }
        if (outFolder is null) return Fail("batch-merge needs --out <folder>");
        if (shards.Count == 0) return Fail("batch-merge needs at least one shard folder");
        outFolder = Path.GetFullPath(outFolder);
        if (File.Exists(outFolder)) return Fail($"--out: '{outFolder}' is a file, not a folder");
        if (Directory.Exists(outFolder) && Directory.EnumerateFileSystemEntries(outFolder).Any()) return Fail($"--out: '{outFolder}' is not empty; choose a new folder");
        if (ShardFolders.Read(shards, BatchCommand.ManifestFile, BatchCommand.RowsFile, "batch", out string error) is not { } set) return Fail(error);
        if (set.Missing is { Count: > 0 } missing)
            return Fail($"the batch is not complete: shard(s) {string.Join(", ", missing)} of {set.Count} not given");

        RunConfig cfg;
        Models.Networks.INetwork net;
        InputSet data;
        try
        {
            cfg = RunConfig.Load(Path.Combine(set.ByShard[0], "config.resolved.json"));
            net = NetworkFactory.Create(cfg);
            data = InputSet.Load(cfg, net);
        }
        catch (Exception e) when (e is ConfigException or IOException)
        {
            return Fail($"'{set.ByShard[0]}': {e.Message}");
        }
        string fingerprint = BatchCommand.Fingerprint(cfg, data);
        if (fingerprint != set.First["fingerprint"]?.GetValue<string>())
            return Fail($"'{set.ByShard[0]}': its config or data files changed since the shards ran (fingerprint {set.First["fingerprint"]}, now {fingerprint})");

        // Every row is read and checked before anything is written.
        int inputs = data.Inputs.Length;
        var rows = new SortedDictionary<long, Dictionary<string, string>>();
        var energy = new SortedDictionary<long, Dictionary<string, string>>();
        foreach (var (k, s) in set.ByShard)
        {
            var shard = new Shard(k, set.Count);
            int own = Collect(Path.Combine(s, BatchCommand.RowsFile), shard, rows);
            Collect(Path.Combine(s, BatchCommand.EnergyFile), shard, energy);
            if (own < shard.Expected(inputs))
                return Fail($"shard {shard} ('{s}') has {own} of its {shard.Expected(inputs)} inputs: finish it (runner --config … --shard {shard} --resume --out '{s}')");
        }

        using var held = RunFolderLock.TryCreateAndAcquire(outFolder, out string lockError);
        if (held is null) return Fail(lockError);
        Write(Path.Combine(outFolder, BatchCommand.RowsFile), BatchRow.Header, rows.Values);
        Write(Path.Combine(outFolder, BatchCommand.EnergyFile), File.ReadLines(Path.Combine(set.ByShard[0], BatchCommand.EnergyFile)).First().Split(','), energy.Values);
        var manifest = BatchCommand.Manifest(cfg, fingerprint, inputs, Shard.Whole);
        manifest["merged_from"] = new JsonArray(set.ByShard.Values.Select(s => (JsonNode?)s).ToArray());
        JsonFile.Write(Path.Combine(outFolder, BatchCommand.ManifestFile), manifest);
        foreach (string f in new[] { "config.resolved.json", "weights.json" }) File.Copy(Path.Combine(set.ByShard[0], f), Path.Combine(outFolder, f));
        foreach (string s in set.ByShard.Values)
            if (Directory.Exists(Path.Combine(s, "traces"))) ShardFolders.CopyDirectory(Path.Combine(s, "traces"), Path.Combine(outFolder, "traces"));

        using var log = new LoggerConfiguration().MinimumLevel.Information()
            .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}")
            .WriteTo.File(Path.Combine(outFolder, "batch.log"), outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}")
            .CreateLogger();
        var setup = BatchSetup.Build(cfg, net, data);
        var report = BatchSummary.Build(setup, outFolder, new JsonObject { ["merged_shards"] = set.ByShard.Count });
        BatchCommand.Finish(setup, outFolder, report, log, CancellationToken.None);
        log.Information("Merged {Rows} inputs from {Shards} shards into {Folder}", rows.Count, set.ByShard.Count, outFolder);
        return 0;
    }

    /// <summary>Adds the rows of <paramref name="shard"/>'s inputs from <paramref name="path"/> (first row of an input wins); returns their number.</summary>
    private static int Collect(string path, Shard shard, SortedDictionary<long, Dictionary<string, string>> into)
    {
        int own = 0;
        foreach (var r in ResultsFile.Read(path))
        {
            long id = long.Parse(r["input"], CultureInfo.InvariantCulture);
            if (shard.Owns(id) && into.TryAdd(id, r)) own++;
        }
        return own;
    }

    private static void Write(string path, string[] header, IEnumerable<Dictionary<string, string>> rows)
    {
        using var w = new StreamWriter(path, false, new System.Text.UTF8Encoding(false));
        w.Write(string.Join(",", header) + "\n");
        foreach (var r in rows) w.Write(string.Join(",", header.Select(h => CsvTable.Format(r[h]))) + "\n");
    }

    private static int Fail(string message) => HuntCommand.Fail(message);
}

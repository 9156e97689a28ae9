using System.Text.Json;
using System.Text.Json.Nodes;
using ResidualSheaf.Runner.Config;
using ResidualSheaf.Runner.Output;
using ResidualSheaf.Runner.Sharding;
using Serilog;

namespace ResidualSheaf.Runner.Hunt;

/// <summary><c>runner hunt-merge</c>: combines shard folders of one hunt into one set of results and one report.</summary>
public static class HuntMerge
{
    /// <summary>Runs the merge command line (arguments after "hunt-merge").</summary>
    public static int Run(string[] args)
    {
        string? outFolder = null;
        bool partial = false;
        var shards = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] is "--help" or "-h")
            {
                Console.WriteLine(HuntCommand.Usage);
                return 0;
            }
            if (args[i] == "--out" && i + 1 < args.Length) outFolder = args[++i];
            else if (args[i] == "--partial") partial = true;
            else if (args[i].StartsWith("--", StringComparison.Ordinal)) return Fail($"unknown or incomplete argument '{args[i]}'. See runner hunt --help.");
            else shards.Add(Path.GetFullPath(args[i]));
        }
        if (outFolder is null) return Fail("hunt-merge needs --out <folder>");
        if (shards.Count == 0) return Fail("hunt-merge needs at least one shard folder");
        outFolder = Path.GetFullPath(outFolder);
        if (File.Exists(outFolder)) return Fail($"--out: '{outFolder}' is a file, not a folder");
        if (File.Exists(Path.Combine(outFolder, "results.csv"))) return Fail($"--out: '{outFolder}' already holds results; choose a new folder");

        if (ShardFolders.Read(shards, "hunt.json", "results.csv", "hunt", out string error) is not { } set) return Fail(error);
        var first = set.First;
        var seen = set.ByShard;
        HuntConfig cfg;
        using (var doc = JsonDocument.Parse(first!["config"]!.ToJsonString())) cfg = HuntConfig.Parse(doc.RootElement);

        // Every row is read before anything is written, so a refused merge leaves no folder behind.
        int shardCount = set.Count;
        var rows = new SortedDictionary<long, Dictionary<string, string>>();
        var incomplete = new List<string>();
        foreach (var (k, s) in seen)
        {
            int own = 0;
            foreach (var r in ResultsFile.Read(Path.Combine(s, "results.csv")))
            {
                long id = long.Parse(r["case"], System.Globalization.CultureInfo.InvariantCulture);
                if (!rows.TryAdd(id, r)) return Fail($"case {id} appears in more than one shard ('{s}')");
                if (id < cfg.Cases && id % shardCount == k) own++;
            }
            int expected = ShardStatus.ExpectedCases(cfg.Cases, k, shardCount);
            if (own < expected) incomplete.Add($"shard {k} has {own} of its {expected} cases");
        }

        // Missing and incomplete shards are named by number: a merge of part of a hunt is only made when asked for.
        var missing = set.Missing;
        if (!partial && (missing.Count > 0 || incomplete.Count > 0))
        {
            var problems = new List<string>();
            if (missing.Count > 0) problems.Add($"shard(s) {string.Join(", ", missing)} of {shardCount} not given");
            problems.AddRange(incomplete);
            return Fail($"the hunt is not complete: {string.Join("; ", problems)}. Finish them (runner hunt --resume --shard k/{shardCount}), or pass --partial to merge what there is");
        }

        if (RunFolderLock.TryCreateAndAcquire(outFolder, out string lockError) is not { } folderLock) return Fail(lockError);
        using var held = folderLock;
        if (File.Exists(Path.Combine(outFolder, "results.csv"))) return Fail($"--out: '{outFolder}' already holds results; choose a new folder");
        using var log = new LoggerConfiguration().MinimumLevel.Information()
            .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}")
            .WriteTo.File(Path.Combine(outFolder, "hunt.log"), outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}")
            .CreateLogger();
        using (var w = new StreamWriter(Path.Combine(outFolder, "results.csv"), false, new System.Text.UTF8Encoding(false)))
        {
            w.Write(string.Join(",", CaseResult.Header) + "\n");
            // A shard written before a column was added (exact_integration_errors) leaves that column empty: unknown, not zero.
            foreach (var r in rows.Values) w.Write(string.Join(",", CaseResult.Header.Select(h => CsvTable.Format(r.GetValueOrDefault(h, "")))) + "\n");
        }
        foreach (string s in shards)
        {
            string ce = Path.Combine(s, "counterexamples");
            if (!Directory.Exists(ce)) continue;
            foreach (string d in Directory.GetDirectories(ce)) ShardFolders.CopyDirectory(d, Path.Combine(outFolder, "counterexamples", Path.GetFileName(d)));
        }
        var merged = HuntCommand.Manifest(cfg, (0, 1));
        merged["merged_from"] = new JsonArray(shards.Select(s => (JsonNode?)s).ToArray());
        JsonFile.Write(Path.Combine(outFolder, "hunt.json"), merged);
        log.Information("Merged {Rows} cases from {Shards} shard(s){Missing}", rows.Count, shards.Count,
            missing.Count > 0 ? $"; missing shard(s) {string.Join(", ", missing)}" : "");
        HuntReport.Write(cfg, outFolder, shards, log, CancellationToken.None,
            new JsonObject
            {
                ["merged_shards"] = shards.Count,
                ["missing_shards"] = new JsonArray(missing.Select(k => (JsonNode?)k).ToArray()),
                ["incomplete_shards"] = new JsonArray(incomplete.Select(t => (JsonNode?)t).ToArray()),
            });
        return 0;
    }

    private static int Fail(string message) => HuntCommand.Fail(message);
}

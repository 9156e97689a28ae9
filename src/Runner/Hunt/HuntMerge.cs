using System.Text.Json;
using System.Text.Json.Nodes;
using ResidualSheaf.Runner.Config;
using ResidualSheaf.Runner.Output;
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

        JsonNode? first = null;
        var seen = new Dictionary<int, string>();
        foreach (string s in shards)
        {
            string manifest = Path.Combine(s, "hunt.json");
            if (!File.Exists(manifest) || !File.Exists(Path.Combine(s, "results.csv"))) return Fail($"'{s}' is not a hunt folder (no hunt.json / results.csv)");
            var m = JsonNode.Parse(File.ReadAllText(manifest))!;
            first ??= m;
            if (m["fingerprint"]!.GetValue<string>() != first["fingerprint"]!.GetValue<string>())
                return Fail($"'{s}' comes from a different hunt config (fingerprint {m["fingerprint"]}) than '{shards[0]}' ({first["fingerprint"]}); refusing to merge");
            int n = m["shard"]!["n"]!.GetValue<int>(), k = m["shard"]!["k"]!.GetValue<int>();
            if (n != first["shard"]!["n"]!.GetValue<int>()) return Fail($"'{s}' is shard {k}/{n}, but '{shards[0]}' splits the hunt into {first["shard"]!["n"]}");
            if (!seen.TryAdd(k, s)) return Fail($"shard {k}/{n} is given twice ('{seen[k]}' and '{s}')");
        }
        HuntConfig cfg;
        using (var doc = JsonDocument.Parse(first!["config"]!.ToJsonString())) cfg = HuntConfig.Parse(doc.RootElement);

        // Every row is read before anything is written, so a refused merge leaves no folder behind.
        int shardCount = first["shard"]!["n"]!.GetValue<int>();
        var rows = new SortedDictionary<long, Dictionary<string, string>>();
        var incomplete = new List<string>();
        foreach (var (k, s) in seen.OrderBy(p => p.Key))
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
        var missing = Enumerable.Range(0, shardCount).Where(k => !seen.ContainsKey(k)).ToList();
        if (!partial && (missing.Count > 0 || incomplete.Count > 0))
        {
            var problems = new List<string>();
            if (missing.Count > 0) problems.Add($"shard(s) {string.Join(", ", missing)} of {shardCount} not given");
            problems.AddRange(incomplete);
            return Fail($"the hunt is not complete: {string.Join("; ", problems)}. Finish them (runner hunt --resume --shard k/{shardCount}), or pass --partial to merge what there is");
        }

        Directory.CreateDirectory(outFolder);
        RunFolderLock folderLock;
        try
        {
            folderLock = RunFolderLock.Acquire(outFolder);
        }
        catch (FolderInUseException e)
        {
            return Fail(e.Message);
        }
        using var held = folderLock;
        if (File.Exists(Path.Combine(outFolder, "results.csv"))) return Fail($"--out: '{outFolder}' already holds results; choose a new folder");
        using var log = new LoggerConfiguration().MinimumLevel.Information()
            .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}")
            .WriteTo.File(Path.Combine(outFolder, "hunt.log"), outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}")
            .CreateLogger();
        using (var w = new StreamWriter(Path.Combine(outFolder, "results.csv"), false, new System.Text.UTF8Encoding(false)))
        {
            w.Write(string.Join(",", CaseResult.Header) + "\n");
            foreach (var r in rows.Values) w.Write(string.Join(",", CaseResult.Header.Select(h => CsvTable.Format(r[h]))) + "\n");
        }
        foreach (string s in shards)
        {
            string ce = Path.Combine(s, "counterexamples");
            if (!Directory.Exists(ce)) continue;
            foreach (string d in Directory.GetDirectories(ce)) CopyDirectory(d, Path.Combine(outFolder, "counterexamples", Path.GetFileName(d)));
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

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)), overwrite: true);
        foreach (string d in Directory.GetDirectories(from)) CopyDirectory(d, Path.Combine(to, Path.GetFileName(d)));
    }
}

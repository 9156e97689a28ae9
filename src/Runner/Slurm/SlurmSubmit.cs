using System.Globalization;
using System.Text.Json.Nodes;
using ResidualSheaf.Runner.Config;
using ResidualSheaf.Runner.Hunt;
using ResidualSheaf.Runner.Output;
using ResidualSheaf.Runner.Sharding;

namespace ResidualSheaf.Runner.Slurm;

/// <summary>
/// <c>runner hunt --slurm</c> (and <c>runner --config batch.json --slurm</c>): submits a hunt or batch as a Slurm job array (one
/// shard per task) and a merge job that runs when every task has succeeded. Re-running the same command after a partial failure
/// submits only the shards still incomplete.
/// </summary>
public static class SlurmSubmit
{
    /// <summary>Usage of <c>hunt --slurm</c>.</summary>
    public const string Usage = """
        runner hunt --slurm --config <hunt.json> [--tasks N] [--cpus-per-task C] [--time T] [--memory M]
                    [--partition P] [--account A] [--runner CMD] [--out <folder>] [--dry-run]

          Submits the hunt as a job array of N tasks (task k runs shard k/N with C threads, resumable) and a job that runs
          hunt-merge after every task has succeeded (--dependency=afterok). Flags override the config's "slurm" section.
          Running the same command again submits only the shards that are still incomplete (cancelled, failed, timed out).
          Folder: <output_root>/<name> (or --out) with shards/shard-k-of-N, merged/ (when done) and slurm/ (scripts, logs).

        """ + "\n" + Options;

    /// <summary>The Slurm options of <c>hunt --slurm</c> and of a batch's <c>--slurm</c>.</summary>
    public const string Options = """
          --tasks N          array tasks = shards (default 4; fixed once submitted)
          --cpus-per-task C  CPUs and worker threads per task (default 1)
          --time T           time limit per task, sbatch syntax (default 01:00:00)
          --memory M         memory per task, sbatch syntax (default: the partition's)
          --partition P      partition (default: the cluster's default)
          --account A        account (default: your default)
          --runner CMD       command that starts the runner on the compute nodes (default: this runner, same paths)
          --dry-run          print the scripts and the sbatch commands; submit and write nothing
        """;

    /// <summary>Runs <c>hunt --slurm</c> (the arguments without "--slurm").</summary>
    public static int Run(string[] args) => Run(args, Usage, "runner hunt --slurm", path =>
    {
        var cfg = HuntConfig.Load(path);
        return new SlurmRun(ShardKind.Hunt, cfg.Name, cfg.Cases, "cases", cfg.Fingerprint(), cfg.ToJson(), cfg.Slurm ?? new SlurmSettings(),
            Path.Combine(cfg.OutputRoot, cfg.Name), "hunt", "hunt-merge", "runner hunt --slurm");
    });

    /// <summary>
    /// Parses the Slurm options (the arguments without "--slurm"), loads the run with <paramref name="load"/> (which throws
    /// <see cref="ConfigException"/> or <see cref="IOException"/> on bad input) and submits it.
    /// </summary>
    public static int Run(string[] args, string usage, string command, Func<string, SlurmRun> load)
    {
        string? configPath = null, outFolder = null, runner = null;
        bool dryRun = false;
        var flags = new Dictionary<string, string>();
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            switch (a)
            {
                case "--help" or "-h":
                    Console.WriteLine(usage);
                    return 0;
                case "--dry-run":
                    dryRun = true;
                    break;
                case "--config" when i + 1 < args.Length:
                    configPath = args[++i];
                    break;
                case "--out" when i + 1 < args.Length:
                    outFolder = args[++i];
                    break;
                case "--runner" when i + 1 < args.Length:
                    runner = args[++i];
                    break;
                case "--tasks" or "--cpus-per-task" or "--time" or "--memory" or "--partition" or "--account" when i + 1 < args.Length:
                    flags[a] = args[++i];
                    break;
                case "--shard" or "--resume" or "--threads":
                    return HuntCommand.Fail($"{a} cannot be combined with --slurm: each array task runs its own shard, resumed, with --cpus-per-task threads");
                default:
                    return HuntCommand.Fail($"unknown or incomplete argument '{a}'. See {command} --help.");
            }
        }
        if (configPath is null) return HuntCommand.Fail($"{command} needs --config <file.json>. See {command} --help.");
        SlurmRun run;
        SlurmSettings settings;
        try
        {
            run = load(configPath);
            settings = Apply(run.Settings, flags, runner);
        }
        catch (Exception e) when (e is ConfigException or IOException)
        {
            return HuntCommand.Fail(e.Message);
        }
        string kind = run.Kind.Name;
        string baseFolder = Path.GetFullPath(outFolder ?? run.DefaultFolder);
        if (baseFolder.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '%'))
            return HuntCommand.Fail($"--out: '{baseFolder}' contains a space, a quote or '%', which #SBATCH lines cannot carry; choose another folder");
        if (File.Exists(Path.Combine(baseFolder, run.Kind.Rows)))
            return HuntCommand.Fail($"'{baseFolder}' holds a {kind} run in one process ({run.Kind.Rows}); choose another --out for the Slurm run");
        try
        {
            return Submit(run, settings, baseFolder, flags.ContainsKey("--tasks"), dryRun);
        }
        catch (SlurmException e)
        {
            return HuntCommand.Fail(e.Message);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException or IOException)
        {
            // A damaged manifest, rows file or submissions.jsonl in the run's folder: say which, submit nothing.
            return HuntCommand.Fail($"'{baseFolder}' holds a damaged {kind} file ({e.GetType().Name}: {e.Message}); repair or remove it, or use another --out");
        }
    }

    private static SlurmSettings Apply(SlurmSettings s, Dictionary<string, string> flags, string? runner)
    {
        int Int(string flag, int current, int max)
        {
            if (!flags.TryGetValue(flag, out string? v)) return current;
            return int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int x) && x >= 1 && x <= max
                ? x : throw new ConfigException(flag, $"'{v}' is not an integer in [1, {max}]");
        }
        string? Word(string flag, string? current)
        {
            if (!flags.TryGetValue(flag, out string? v)) return current;
            SlurmSettings.Check(v, flag);
            return v;
        }
        if (runner is not null && (runner.Trim().Length == 0 || runner.Contains('\n'))) throw new ConfigException("--runner", "must be a non-empty command on one line");
        return s with
        {
            Tasks = Int("--tasks", s.Tasks, 1_000_000),
            CpusPerTask = Int("--cpus-per-task", s.CpusPerTask, 4096),
            Time = Word("--time", s.Time)!,
            Memory = Word("--memory", s.Memory),
            Partition = Word("--partition", s.Partition),
            Account = Word("--account", s.Account),
            Runner = runner ?? s.Runner,
        };
    }

    private static int Submit(SlurmRun run, SlurmSettings s, string baseFolder, bool tasksGiven, bool dryRun)
    {
        var previous = Submissions(Path.Combine(baseFolder, "slurm", "submissions.jsonl"));
        int shards = s.Tasks;
        if (previous.Count > 0)
        {
            int before = previous[^1]["shards"]?.GetValue<int>() ?? throw new InvalidDataException("slurm/submissions.jsonl: its last line has no \"shards\"");
            if (tasksGiven && before != s.Tasks)
                return HuntCommand.Fail($"--tasks {s.Tasks}: '{baseFolder}' was submitted as {before} shards, and shards cannot be re-cut; use --tasks {before} or another --out");
            shards = before;
        }
        string kind = run.Kind.Name, title = char.ToUpperInvariant(kind[0]) + kind[1..];
        if (shards > run.Items)
            return HuntCommand.Fail($"tasks: {shards} tasks for {run.Items} {run.ItemNoun} would leave tasks with nothing to do; use at most {run.Items}");
        var layout = new SlurmLayout(baseFolder, shards, kind);
        if (File.Exists(Path.Combine(layout.Merged, run.Kind.Rows)))
        {
            Console.WriteLine($"{title} {run.Name} is complete: merged results in {layout.Merged}. Nothing to submit.");
            return 0;
        }

        // Every shard folder must belong to this config before anything is submitted.
        string fingerprint = run.Fingerprint;
        var incomplete = new List<int>();
        int partial = 0;
        for (int k = 0; k < shards; k++)
        {
            var st = ShardStatus.Read(layout.Shard(k), run.Items, k, shards, run.Kind);
            if (st.Exists && st.Fingerprint != fingerprint)
                return HuntCommand.Fail($"shard folder '{st.Folder}' was run from a different {kind} config (fingerprint {st.Fingerprint}, this config {fingerprint}); use another --out");
            if (st.Exists && st.Shard != (k, shards))
                return HuntCommand.Fail($"shard folder '{st.Folder}' holds shard {st.Shard?.K}/{st.Shard?.N}, not {k}/{shards}");
            if (!st.Complete)
            {
                incomplete.Add(k);
                if (st.Done > 0) partial++;
            }
        }
        string runner = s.Runner ?? DefaultRunner();
        string arrayScript = SlurmScripts.Array(run, s, layout, incomplete, runner);
        string mergeScript = SlurmScripts.Merge(run, s, layout, runner);
        Console.WriteLine($"{title} {run.Name} ({fingerprint}): {run.Items} {run.ItemNoun} in {shards} shards; "
            + (incomplete.Count == 0 ? "every shard is complete" : $"to run: shard(s) {SlurmScripts.Ranges(incomplete)} ({partial} of them partly done)"));
        if (dryRun)
        {
            if (incomplete.Count > 0)
            {
                Console.WriteLine($"\n# sbatch --hold {layout.ArrayScript}\n{arrayScript}");
                Console.WriteLine($"# sbatch --dependency=afterok:<array job> --kill-on-invalid-dep=yes {layout.MergeScript}\n{mergeScript}");
            }
            else
            {
                Console.WriteLine($"\n# sbatch {layout.MergeScript}\n{mergeScript}");
            }
            Console.WriteLine("--dry-run: nothing written, nothing submitted.");
            return 0;
        }

        var slurm = SlurmClient.FromPath();
        var queued = slurm.Queued();
        foreach (var sub in previous)
            foreach (string key in new[] { "array_job", "merge_job" })
                if (sub[key] is JsonNode id && queued.Contains(id.GetValue<long>()))
                    return HuntCommand.Fail($"job {id} of an earlier submission of this {kind} is still queued or running; wait for it or scancel it, then submit again");

        Directory.CreateDirectory(layout.Logs);
        Directory.CreateDirectory(Path.Combine(baseFolder, "shards"));
        JsonFile.Write(layout.Config, run.Config);
        File.WriteAllText(layout.ArrayScript, arrayScript);
        File.WriteAllText(layout.MergeScript, mergeScript);

        // The array is submitted held and released only once the merge job is accepted: a refused merge job cancels the
        // array before any task has started, so nothing is ever submitted half-way.
        long? arrayJob = null;
        long mergeJob;
        if (incomplete.Count > 0)
        {
            arrayJob = slurm.Submit("array job", layout.ArrayScript, "--hold");
            try
            {
                mergeJob = slurm.Submit("merge job", layout.MergeScript, $"--dependency=afterok:{arrayJob}", "--kill-on-invalid-dep=yes");
            }
            catch (SlurmException)
            {
                slurm.Cancel(arrayJob.Value);
                throw;
            }
            try
            {
                slurm.Release(arrayJob.Value);
            }
            catch (SlurmException)
            {
                slurm.Cancel(mergeJob);
                slurm.Cancel(arrayJob.Value);
                throw;
            }
        }
        else
        {
            mergeJob = slurm.Submit("merge job", layout.MergeScript);
        }
        var record = new JsonObject
        {
            ["submitted_utc"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["fingerprint"] = fingerprint,
            ["shards"] = shards,
            ["tasks"] = new JsonArray(incomplete.Select(k => (JsonNode?)k).ToArray()),
            ["array_job"] = arrayJob,
            ["merge_job"] = mergeJob,
            ["settings"] = s.ToJson(),
        };
        File.AppendAllText(layout.Submissions, record.ToJsonString() + "\n");
        Console.WriteLine(arrayJob is null
            ? $"Submitted merge job {mergeJob}."
            : $"Submitted array job {arrayJob} (task(s) {SlurmScripts.Ranges(incomplete)}) and merge job {mergeJob} (runs when every task has succeeded).");
        Console.WriteLine($"Shards: {Path.Combine(baseFolder, "shards")}; merged results: {layout.Merged}; task logs: {layout.Logs}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"submitted: array={arrayJob?.ToString(CultureInfo.InvariantCulture) ?? "none"} merge={mergeJob}"));
        return 0;
    }

    private static List<JsonNode> Submissions(string path) =>
        File.Exists(path)
            ? File.ReadAllLines(path).Where(l => l.Trim().Length > 0).Select(l => JsonNode.Parse(l)!).ToList()
            : [];

    /// <summary>The command that starts this runner again: the same dotnet host and runner.dll (or the same apphost).</summary>
    private static string DefaultRunner()
    {
        string dll = typeof(Program).Assembly.Location;
        string? host = Environment.ProcessPath;
        string name = Path.GetFileNameWithoutExtension(host ?? "");
        if (host is not null && name == "runner") return SlurmScripts.Quote(host);
        return $"{SlurmScripts.Quote(host is not null && name == "dotnet" ? host : "dotnet")} {SlurmScripts.Quote(dll)}";
    }
}

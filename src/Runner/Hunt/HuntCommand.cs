using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using ResidualSheaf.Engine.Ensembles;
using ResidualSheaf.Runner.Config;
using ResidualSheaf.Runner.Output;
using ResidualSheaf.Runner.Sharding;
using Serilog;
using Serilog.Formatting.Compact;
using Spectre.Console;

namespace ResidualSheaf.Runner.Hunt;

/// <summary><c>runner hunt</c>: runs (a shard of) a hunt's cases on every core, resumable, then writes its report.</summary>
public static class HuntCommand
{
    /// <summary>Usage of the hunt commands.</summary>
    public const string Usage = """
        runner hunt --config <hunt.json> [--threads N] [--shard k/N] [--resume] [--out <folder>] [--dry-run]
        runner hunt --slurm --config <hunt.json> [--tasks N] [--dry-run] …   (runner hunt --slurm --help)
        runner hunt-merge --out <folder> [--partial] <shard folder> <shard folder> …

          --threads N    worker threads (default: every core); results do not depend on it
          --shard k/N    run only the cases with i mod N = k (0 ≤ k < N); the folder gets a -shard-k-of-N suffix
          --resume       continue an interrupted hunt in its folder: finished cases are kept, none is run twice
                         (the folder must exist; an existing folder without results starts the hunt in it)
          --dry-run      check the hunt config and the folder and print the resolved config; nothing is run or written
          --out folder   hunt folder (default <output_root>/<name>[-shard-k-of-N])
        """;

    /// <summary>Runs the hunt command line (arguments after "hunt").</summary>
    public static int Run(string[] args)
    {
        if (args.Contains("--slurm")) return Slurm.SlurmSubmit.Run(args.Where(a => a != "--slurm").ToArray());
        string? configPath = null, outFolder = null;
        int threads = Environment.ProcessorCount;
        (int K, int N) shard = (0, 1);
        bool resume = false, dryRun = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--help" or "-h":
                    Console.WriteLine(Usage);
                    return 0;
                case "--config" when i + 1 < args.Length:
                    configPath = args[++i];
                    break;
                case "--out" when i + 1 < args.Length:
                    outFolder = args[++i];
                    break;
                case "--resume":
                    resume = true;
                    break;
                case "--dry-run":
                    dryRun = true;
                    break;
                case "--threads" when i + 1 < args.Length:
                    if (!int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out threads) || threads < 1)
                        return Fail($"--threads: '{args[i]}' is not a positive integer");
                    break;
                case "--shard" when i + 1 < args.Length:
                    if (!Shard.TryParse(args[++i], out var parsed)) return Fail(Shard.ParseError(args[i]));
                    shard = (parsed.K, parsed.N);
                    break;
                default:
                    return Fail($"unknown or incomplete argument '{args[i]}'. See runner hunt --help.");
            }
        }
        if (configPath is null) return Fail("hunt needs --config <hunt.json>. See runner hunt --help.");
        HuntConfig cfg;
        try
        {
            cfg = HuntConfig.Load(configPath);
        }
        catch (ConfigException e)
        {
            return Fail(e.Message);
        }
        string folder = Path.GetFullPath(outFolder ?? Path.Combine(cfg.OutputRoot, new Shard(shard.K, shard.N).FolderName(cfg.Name)));
        string results = Path.Combine(folder, "results.csv");
        string manifest = Path.Combine(folder, "hunt.json");
        if (File.Exists(folder)) return Fail($"{(outFolder is null ? "output_root" : "--out")}: '{folder}' is a file, not a folder");
        try
        {
            OutputPaths.CheckFolder(folder, outFolder is null ? "output_root" : "--out");
        }
        catch (IOException e)
        {
            return Fail(e.Message);
        }
        if (resume && !Directory.Exists(folder))
            return Fail($"--resume: there is no hunt folder '{folder}' to resume; leave out --resume to start the hunt");
        if (dryRun)
        {
            Console.WriteLine(cfg.ToJson().ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
            Console.Error.WriteLine($"runner: '{configPath}' is a valid hunt ({cfg.Cases} cases, fingerprint {cfg.Fingerprint()}); it would write '{folder}'; nothing was run or written");
            return 0;
        }
        // Held until the run ends: a second run (or merge) into this folder is refused and told who holds it.
        if (RunFolderLock.TryCreateAndAcquire(folder, out string lockError) is not { } folderLock) return Fail(lockError);
        using (folderLock) return Start(cfg, folder, results, manifest, shard, threads, resume);
    }

    private static int Start(HuntConfig cfg, string folder, string results, string manifest, (int K, int N) shard, int threads, bool resume)
    {
        if (File.Exists(results) && !resume)
            return Fail($"'{folder}' already holds a hunt: pass --resume to continue it, or choose another --out");
        if (resume && File.Exists(manifest))
        {
            var m = JsonNode.Parse(File.ReadAllText(manifest))!;
            if (m["fingerprint"]?.GetValue<string>() != cfg.Fingerprint())
                return Fail($"--resume: '{folder}' was started from a different hunt config (fingerprint {m["fingerprint"]}, this config {cfg.Fingerprint()})");
            if (m["shard"]?["k"]?.GetValue<int>() != shard.K || m["shard"]?["n"]?.GetValue<int>() != shard.N)
                return Fail($"--resume: '{folder}' holds shard {m["shard"]?["k"]}/{m["shard"]?["n"]}, not {shard.K}/{shard.N}");
        }
        JsonFile.Write(manifest, Manifest(cfg, shard));
        JsonFile.Write(Path.Combine(folder, "config.resolved.json"), cfg.ToJson());
        return RunCases(cfg, folder, shard, threads, resume);
    }

    /// <summary>Prints a usage/config error and returns the bad-input exit code.</summary>
    internal static int Fail(string message)
    {
        Console.Error.WriteLine($"runner: {message}");
        return Program.BadInput;
    }

    /// <summary>The manifest that lets resume and merge refuse mismatched folders.</summary>
    public static JsonObject Manifest(HuntConfig cfg, (int K, int N) shard) => new()
    {
        ["name"] = cfg.Name,
        ["fingerprint"] = cfg.Fingerprint(),
        ["cases"] = cfg.Cases,
        ["shard"] = new Shard(shard.K, shard.N).ToJson(),
        ["config"] = cfg.ToJson(),
    };

    /// <summary>Runs the pending cases of the shard with <paramref name="threads"/> workers, then writes folders and the report.</summary>
    public static int RunCases(HuntConfig cfg, string folder, (int K, int N) shard, int threads, bool resume, CancellationToken external = default)
    {
        using var signals = new Signals(external);
        using var log = new LoggerConfiguration()
            .MinimumLevel.Information()
            .Enrich.WithProperty("Hunt", cfg.Name)
            .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}")
            .WriteTo.File(Path.Combine(folder, "hunt.log"), outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}")
            .WriteTo.File(new CompactJsonFormatter(), Path.Combine(folder, "hunt.clef"))
            .CreateLogger();
        try
        {
            using var results = ResultsFile.Open(Path.Combine(folder, "results.csv"), resume);
            var pending = Enumerable.Range(0, cfg.Cases).Select(i => (long)i).Where(i => i % shard.N == shard.K && !results.Done.Contains(i)).ToArray();
            long total = pending.Length + results.Done.Count;
            log.Information("Hunt {Name} ({Fingerprint}): {Pending} cases to run, {Done} already done, {Threads} threads, shard {K}/{N}, folder {Folder}",
                cfg.Name, cfg.Fingerprint(), pending.Length, results.Done.Count, threads, shard.K, shard.N, folder);
            var clock = Stopwatch.StartNew();
            long done = 0, candidates = 0, errors = 0;
            var phases = new CasePhases.Totals();
            // The cases are the parallelism: MathNet's own threads inside a case's matrix products would only oversubscribe the
            // cores (its products give the same numbers on one thread).
            MathNet.Numerics.Control.UseSingleThread();
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            // The hunt is an ensemble of cases (each case builds its own network, so workers need no workspace) plus its
            // classification; rows are appended as cases finish.
            var ensemble = new EnsembleProblem<object?, CaseResult>(pending, () => null, (id, _, cancel) => CaseRunner.Run(cfg, id, cancel));
            var sink = new HuntSink(results, log, () => Interlocked.Increment(ref done), r =>
            {
                if (r.Candidate) Interlocked.Increment(ref candidates);
                if (r.Phases is { } p) phases.Add(p);
            }, () => Interlocked.Increment(ref errors));
            var work = Task.Run(() => EnsembleSolver.Solve(ensemble, threads, sink, signals.Token));
            Progress(work, () => (Interlocked.Read(ref done), Interlocked.Read(ref candidates)), pending.Length, clock, log);
            work.Wait();
            if (signals.Token.IsCancellationRequested)
            {
                log.Warning("Interrupted{Signal} after {Done} of {Pending} cases; every finished case is in results.csv: rerun with --resume to continue",
                    signals.Received is { } sig ? $" by {sig}" : "", done, pending.Length);
                return signals.ExitCode;
            }
            double rate = done / Math.Max(clock.Elapsed.TotalMinutes, 1e-9);
            double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            var phaseSeconds = phases.Snapshot();
            var phaseCpu = phases.CpuSnapshot();
            log.Information("Ran {Done} cases in {Seconds:F1} s ({Rate:F0} cases/min, {Cpu:F1} s CPU), {Candidates} candidates, {Errors} failed cases",
                done, clock.Elapsed.TotalSeconds, rate, cpu, candidates, errors);
            log.Information("Time per phase, summed over the workers: {Phases}",
                string.Join(", ", phaseSeconds.Select(kv => $"{kv.Key} {kv.Value:F2} s")));
            log.Information("CPU per phase, summed over the workers: {Phases} ({PerCase:F3} s CPU per case)",
                string.Join(", ", phaseCpu.Select(kv => $"{kv.Key} {kv.Value:F2} s")), cpu / Math.Max(done, 1));
            HuntReport.Write(cfg, folder, [folder], log, signals.Token, new JsonObject
            {
                ["threads"] = threads,
                ["wall_time_s_this_session"] = clock.Elapsed.TotalSeconds,
                ["cases_per_minute_this_session"] = rate,
                ["failed_cases"] = errors,
                ["cpu_time_s_this_session"] = cpu,
                ["phase_seconds_this_session"] = new JsonObject(phaseSeconds.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
                ["phase_cpu_seconds_this_session"] = new JsonObject(phaseCpu.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)(double.IsNaN(kv.Value) ? null : kv.Value)))),
            });
            return errors > 0 ? Program.RunFailed : 0;
        }
        catch (InvalidDataException e)
        {
            log.Error("{Message}", e.Message);
            return Program.BadInput;
        }
        catch (OperationCanceledException) when (signals.Token.IsCancellationRequested)
        {
            log.Warning("Interrupted while writing the report; every finished case is in results.csv: rerun with --resume to write it");
            return signals.ExitCode;
        }
    }

    /// <summary>Appends each finished case to results.csv; a failing case is a finding, not a reason to lose the hunt (logged, retried on resume).</summary>
    private sealed class HuntSink(ResultsFile results, ILogger log, Action done, Action<CaseResult> counted, Action failed) : IEnsembleSink<CaseResult>
    {
        public void OnResult(long item, CaseResult result)
        {
            results.Append(result);
            done();
            counted(result);
        }

        public void OnFailure(long item, Exception error)
        {
            failed();
            log.Error(error, "Case {Case} failed: {Error} (stack trace in hunt.log)", item, Failures.Describe(error));
        }
    }

    private static void Progress(Task work, Func<(long Done, long Candidates)> counts, int total, Stopwatch clock, ILogger log)
    {
        string Describe()
        {
            var (d, c) = counts();
            double rate = d / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
            double eta = rate > 0 ? (total - d) / rate : double.NaN;
            return $"{d}/{total} cases, {rate * 60:F0}/min, ETA {(double.IsFinite(eta) ? TimeSpan.FromSeconds(Math.Round(eta)).ToString() : "–")}, {c} candidates";
        }
        if (!Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive)
        {
            AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(p =>
                {
                    var task = p.AddTask("hunt", maxValue: Math.Max(total, 1));
                    while (!work.Wait(250))
                    {
                        task.Value = counts().Done;
                        task.Description = Markup.Escape(Describe());
                    }
                    task.Value = counts().Done;
                    task.Description = Markup.Escape(Describe());
                });
            return;
        }
        // Redirected output (CI, files): a log line every ten seconds instead of a redrawn bar.
        while (!work.Wait(10_000)) log.Information("… {Progress}", Describe());
    }
}

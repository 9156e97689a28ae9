using ResidualSheaf.Models.Networks;
using ResidualSheaf.Runner.Config;
using ResidualSheaf.Runner.Jobs;
using ResidualSheaf.Runner.Output;
using Serilog;
using Serilog.Formatting.Compact;

namespace ResidualSheaf.Runner;

/// <summary>Entry point of the <c>runner</c> command.</summary>
public static class Program
{
    /// <summary>Exit code for bad input (usage, config, weights).</summary>
    public const int BadInput = 2;

    /// <summary>Exit code for a failure during the run.</summary>
    public const int RunFailed = 1;

    /// <summary>Exit code for a run cancelled with Ctrl+C (SIGINT).</summary>
    public const int Cancelled = 130;

    /// <summary>Exit code for a run stopped by SIGTERM (Slurm's scancel and time limit, kill): handled like Ctrl+C.</summary>
    public const int Terminated = 143;

    /// <summary>Exit code when outputs could not be written (disk full, I/O error, no permission); finished files are kept.</summary>
    public const int WriteFailed = 4;

    private const string Usage = """
        runner — sheaf computations on neural networks (ResidualSheaf)

        Usage:
          runner --config <file.json> [--out <folder>] [--dry-run]
          runner --config <batch.json> [--threads N] [--shard k/N] [--resume] [--out <folder>]
                                   a batch heat run (job heat over inputs.count > 1 inputs or inputs.path): batch.csv, one
                                   flushed row per input; --resume continues a killed batch in its folder; --shard k/N runs
                                   only the inputs i with i mod N = k (folder <name>-shard-k-of-N)
          runner --config <batch.json> --slurm [--tasks N] [--dry-run] …
                                   the batch as a Slurm job array of shards and a merge job (runner --slurm --help)
          runner batch-merge --out <folder> <shard folder> …
                                   joins every shard of a batch into one folder (batch.csv, energy.csv, summary.json, plots)
          runner train-sweep --config <sweep.json> [--threads N] [--shard k/N] [--resume] [--out <folder>]
                                   a β sweep of job train (paper Fig. 3): sweep.csv, a flushed row per (β, seed); runner train-sweep --help
          runner train-sweep --slurm --config <sweep.json> [--tasks N] [--dry-run] …
                                   the sweep as a Slurm job array of shards and a merge job (runner train-sweep --slurm --help)
          runner train-sweep-merge --out <folder> <shard folder> …
                                   joins the shards of a sweep (sweep.csv, baseline.csv, table.csv, summary.json, beta-scaling.png)
          runner validate --config <file.json>          (the same as --dry-run; a hunt or train-sweep config goes to that command's --dry-run)
          runner hunt --config <hunt.json> [--threads N] [--shard k/N] [--resume] [--out <folder>]
          runner hunt --slurm --config <hunt.json> [--tasks N] [--dry-run] …
          runner hunt-merge --out <folder> [--partial] <shard folder> …
          runner open-problem --template <template.md> --out <document.md> <hunt folder> …   (docs/open-problem.md from hunts)
          runner inspect --config <file.json> [--out <folder>]
                                   the sheaf of the config's network (cells, maps, junctions, δ_Ω's shape), drawn with --out
          runner export-onnx --config <file.json> --out <model.onnx>
                                   the config's network and weights as a float64 ONNX model (network.onnx reads it back)
          runner --help            (runner hunt --help, runner hunt --slurm --help for their options)
          runner --version         product version, git commit, .NET and TorchSharp versions
          runner plot <heat run folder> [--log-time | --linear-time] [--tmin T] [--tmax T] [--format png|svg|pdf] [--out <folder>]
                                   re-draw a finished heat run's plots from its files (runner plot --help)
          runner spectrum-compare --out <folder> <label>=<static run folder> …
                                   λ_min, λ_max, κ distributions of several static runs in one figure (e.g. trained vs
                                   untrained; runner spectrum-compare --help)

        Options:
          --config <file>   run configuration (JSON; fields documented in README.md, examples in configs/)
          --out <folder>    write the run here instead of <output_root>/<name>-<UTC timestamp>/ (must be new or empty)
          --dry-run         check the config (weights, pins, initial cochain, memory, output path) and print the resolved
                            config without running anything or writing any file
          --help            this text

        Jobs (config field "job"):
          static       pinned Dirichlet solves of a network's sheaf vs TorchSharp, per construction (junction, chord)
          lambda-min   λ_min(L_free) over random weight draws at several weight scales
          heat         the sheaf heat equation from an initial cochain (input pinned): trace, switches, energy, convergence
          train        sheaf-based training (joint flow of stalks and weights, the reference library's Euler) and the
                       gradient-descent baseline: history.csv, trained weights (state_dict, ONNX), loss plots

        Exit codes: 0 success, 1 run failed, 2 bad input (usage, config, weights, pins, initial cochain, memory, output path,
                    folder in use by another run), 3 integration stopped on a fault (NaN/Inf, step-size underflow, step or event
                    limit, a failed Krylov solver; trace and summary kept), 4 outputs could not be written (disk full, I/O error),
                    130 cancelled by Ctrl+C (SIGINT), 143 stopped by SIGTERM (both: a heat run keeps its trace and marks its
                    summary interrupted; a hunt keeps every finished case and can be resumed).
        """;

    /// <summary>Runs the command line; every failure is a message on stderr and a documented exit code, never a stack trace.</summary>
    public static int Main(string[] args)
    {
        ConsoleSetup.Configure();
        return Failures.Guard(() => Dispatch(args));
    }

    private static int Dispatch(string[] args)
    {
        if (args.Length > 0 && args[0] == "hunt") return Hunt.HuntCommand.Run(args[1..]);
        if (args.Length > 0 && args[0] == "hunt-merge") return Hunt.HuntMerge.Run(args[1..]);
        if (args.Length > 0 && args[0] == "batch-merge") return Batch.BatchMerge.Run(args[1..]);
        if (args.Length > 0 && args[0] == "train-sweep") return TrainSweep.SweepCommand.Run(args[1..]);
        if (args.Length > 0 && args[0] == "train-sweep-merge") return TrainSweep.SweepMerge.Run(args[1..]);
        if (args.Length > 0 && args[0] == "open-problem") return Hunt.OpenProblemDocument.Run(args[1..]);
        if (args.Length > 0 && args[0] == "plot") return Plotting.ReplotCommand.Run(args[1..]);
        if (args.Length > 0 && args[0] == "spectrum-compare") return Plotting.SpectrumCompareCommand.Run(args[1..]);
        if (args.Length > 0 && args[0] == "inspect") return Inspect.InspectCommand.Run(args[1..]);
        if (args.Length > 0 && args[0] == "export-onnx") return Export.ExportOnnxCommand.Run(args[1..]);
        if (args.Contains("--slurm")) return Batch.BatchSlurm.Run(args.Where(a => a != "--slurm").ToArray());
        bool dryRun = false;
        if (args.Length > 0 && args[0] == "validate")
        {
            dryRun = true;
            args = args[1..];
            // Hunts and sweeps are checked by their own commands' dry runs.
            if (ConfigKind.ConfigArgument(args) is { } p && ConfigKind.Detect(p) is { } kind)
                return kind == "hunt" ? Hunt.HuntCommand.Run([.. args, "--dry-run"]) : TrainSweep.SweepCommand.Run([.. args, "--dry-run"]);
        }
        string? configPath = null, outFolder = null;
        int? threads = null;
        Sharding.Shard? shard = null;
        bool resume = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--help" or "-h":
                    Console.WriteLine(Usage);
                    return 0;
                case "--version":
                    Console.WriteLine(Provenance.Line());
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
                case "--threads" when i + 1 < args.Length:
                    if (!int.TryParse(args[++i], out int t) || t < 1)
                    {
                        Console.Error.WriteLine($"runner: --threads: '{args[i]}' is not a positive integer");
                        return BadInput;
                    }
                    threads = t;
                    break;
                case "--resume":
                    resume = true;
                    break;
                case "--shard" when i + 1 < args.Length:
                    if (!Sharding.Shard.TryParse(args[++i], out var part))
                    {
                        Console.Error.WriteLine($"runner: {Sharding.Shard.ParseError(args[i])}");
                        return BadInput;
                    }
                    shard = part;
                    break;
                default:
                    Console.Error.WriteLine($"runner: unknown or incomplete argument '{args[i]}'. See runner --help.");
                    return BadInput;
            }
        }
        if (configPath is null)
        {
            Console.Error.WriteLine("runner: --config <file.json> is required. See runner --help.");
            return BadInput;
        }
        RunConfig config;
        try
        {
            config = RunConfig.Load(configPath);
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine($"runner: {e.Message}");
            if (ConfigKind.Detect(configPath) is { } kind)
                Console.Error.WriteLine($"runner: '{configPath}' is a {kind} config: run it with runner {kind} --config {configPath}");
            return BadInput;
        }
        if (!config.IsBatch && (threads is not null || resume || shard is not null))
        {
            Console.Error.WriteLine($"runner: {(resume ? "--resume" : shard is not null ? "--shard" : "--threads")} only applies to batch heat runs (job heat with inputs.count > 1 or inputs.path) and hunts");
            return BadInput;
        }
        INetwork? network = null;
        HeatSetup? heat = null;
        Data.InputSet? inputSet = null;
        Models.Training.TrainingData? trainData = null;
        try
        {
            // Memory, output path, weights, pins and the initial cochain are input: validate them before any output folder exists.
            if (config.Architecture is { } arch) MemoryEstimate.Check(arch, arch.IsMlp ? "network.widths" : "network.blocks");
            if (outFolder is not null) OutputPaths.CheckFolder(outFolder, "--out");
            if (config.Job is "static" or "heat" or "train") network = NetworkFactory.Create(config);
            if (config.Job == "static" && config.Inputs.Path is not null) inputSet = Data.InputSet.Load(config, network!);
            if (config.IsBatch) inputSet = Data.InputSet.Load(config, network!);
            if (config.Job == "train") trainData = TrainSetup.Load(config, network!);
            else if (config.Job == "heat")
            {
                heat = HeatSetup.Build(config, network!);
                InitialStateCheck.Validate(config, heat);
            }
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine($"runner: {e.Message}");
            return BadInput;
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"runner: {e.Message}");
            return BadInput;
        }
        if (config.IsBatch) return Batch.BatchCommand.Run(config, network!, inputSet!, outFolder, threads ?? Environment.ProcessorCount, resume, dryRun, shard);
        if (dryRun)
        {
            Console.WriteLine(ResolvedConfig.ToJson(config).ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
            Console.Error.WriteLine($"runner: '{configPath}' is valid (job {config.Job}); it would write " +
                                    $"{(outFolder is null ? Path.Combine(config.OutputRoot, config.Name + "-<UTC yyyyMMdd-HHmmss>") : Path.GetFullPath(outFolder))}; nothing was run or written");
            return 0;
        }
        return Run(config, network, outFolder, heat, inputSet: inputSet, trainData: trainData);
    }

    /// <summary>Runs a validated config: creates the run folder, logs, runs the job, commits or removes the folder.</summary>
    public static int Run(RunConfig config, INetwork? network, string? outFolder = null, HeatSetup? heat = null, CancellationToken cancel = default,
        bool quiet = false, Data.InputSet? inputSet = null, Models.Training.TrainingData? trainData = null)
    {
        RunDirectory dir;
        try
        {
            dir = RunDirectory.Create(config.OutputRoot, config.Name, outFolder);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"runner: {e.Message}");
            return Failures.IsDiskFull(e) ? WriteFailed : BadInput;
        }
        using var signals = new Signals(cancel);
        var logConfig = new LoggerConfiguration()
            .MinimumLevel.Information()
            .Enrich.WithProperty("Run", config.Name);
        // The console gets messages only; stack traces of unexpected failures go to run.log and run.clef.
        if (!quiet) logConfig = logConfig.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}");
        var log = logConfig
            .WriteTo.File(dir.File("run.log"), outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}")
            .WriteTo.File(new CompactJsonFormatter(), dir.File("run.clef"))
            .CreateLogger();
        int code;
        bool finished = false;
        try
        {
            JsonFile.Write(dir.File("config.resolved.json"), ResolvedConfig.ToJson(config));
            log.Information("Run {Name}: job {Job}, writing {Folder}", config.Name, config.Job, dir.FinalPath);
            IJob job = config.Job switch
            {
                "static" => new StaticLabJob(),
                "lambda-min" => new LambdaMinJob(),
                "heat" => new HeatJob(),
                "train" => new TrainJob(),
                _ => throw new ConfigException("job", $"unknown job '{config.Job}'"),
            };
            code = job.Run(new RunContext(config, dir, log, network) { Heat = heat, Quiet = quiet, InputSet = inputSet, TrainData = trainData }, signals.Token);
            // A job that returns (rather than throws) has written a complete, self-describing folder, whatever its code.
            finished = true;
            log.Information("Done: {Folder}", dir.FinalPath);
        }
        catch (ConfigException e)
        {
            log.Error("{Message}", e.Message);
            code = BadInput;
        }
        catch (OperationCanceledException)
        {
            log.Warning("Cancelled; partial results stay in {Folder}", dir.PartialPath);
            code = Cancelled;
        }
        catch (Exception e) when (Failures.IsWriteFailure(e))
        {
            log.Fatal(e, "Could not write the outputs: {Error}", Failures.Describe(e));
            code = WriteFailed;
        }
        catch (Exception e)
        {
            log.Fatal(e, "Run failed: {Error} (the stack trace is in {Log})", Failures.Describe(e), dir.File("run.log"));
            code = RunFailed;
        }
        finally
        {
            (log as IDisposable)?.Dispose();
        }
        if (code == 0 || (finished && code is HeatJob.IntegrationFault or Cancelled)) dir.Commit();
        else if (code == WriteFailed)
        {
            // A full disk: whatever was written stays (nothing is deleted to make room, nothing finished is lost).
            dir.Release();
            if (!quiet) Console.Error.WriteLine($"runner: outputs could not be written (exit {code}); what was written is in '{dir.PartialPath}'.");
        }
        else if (code != Cancelled)
        {
            dir.Abandon();
            if (!quiet) Console.Error.WriteLine($"runner: run failed (exit {code}); nothing was kept.");
        }
        else dir.Release();
        return code == Cancelled ? signals.ExitCode : code;
    }
}

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

    /// <summary>Exit code for a run cancelled with Ctrl+C.</summary>
    public const int Cancelled = 130;

    private const string Usage = """
        runner — sheaf computations on neural networks (ResidualSheaf)

        Usage:
          runner --config <file.json> [--out <folder>]
          runner hunt --config <hunt.json> [--threads N] [--shard k/N] [--resume] [--out <folder>]
          runner hunt --slurm --config <hunt.json> [--tasks N] [--dry-run] …
          runner hunt-merge --out <folder> [--partial] <shard folder> …
          runner --help            (runner hunt --help, runner hunt --slurm --help for their options)

        Options:
          --config <file>   run configuration (JSON; fields documented in README.md, examples in configs/)
          --out <folder>    write the run here instead of <output_root>/<name>-<UTC timestamp>/ (must be new or empty)
          --help            this text

        Jobs (config field "job"):
          static       pinned Dirichlet solves of a network's sheaf vs TorchSharp, per construction (junction, chord)
          lambda-min   λ_min(L_free) over random weight draws at several weight scales
          heat         the sheaf heat equation from an initial cochain (input pinned): trace, switches, energy, convergence

        Exit codes: 0 success, 1 run failed, 2 bad input (usage, config, weights, pins, initial cochain),
                    3 integration stopped on a fault (NaN/Inf, step-size underflow, step or event limit, a failed Krylov solver; trace and summary kept),
                    130 cancelled (Ctrl+C; a heat run keeps its trace and marks its summary interrupted).
        """;

    /// <summary>Runs the command line.</summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "hunt") return Hunt.HuntCommand.Run(args[1..]);
        if (args.Length > 0 && args[0] == "hunt-merge") return Hunt.HuntMerge.Run(args[1..]);
        string? configPath = null, outFolder = null;
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
            return BadInput;
        }
        INetwork? network = null;
        HeatSetup? heat = null;
        try
        {
            // Weights, pins and the initial cochain are input: validate them before any output folder exists.
            if (config.Job is "static" or "heat") network = NetworkFactory.Create(config);
            if (config.Job == "heat") heat = HeatSetup.Build(config, network!);
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine($"runner: {e.Message}");
            return BadInput;
        }
        return Run(config, network, outFolder, heat);
    }

    /// <summary>Runs a validated config: creates the run folder, logs, runs the job, commits or removes the folder.</summary>
    public static int Run(RunConfig config, INetwork? network, string? outFolder = null, HeatSetup? heat = null, CancellationToken cancel = default,
        bool quiet = false)
    {
        RunDirectory dir;
        try
        {
            dir = RunDirectory.Create(config.OutputRoot, config.Name, outFolder);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"runner: {e.Message}");
            return BadInput;
        }
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += onCancel;
        var logConfig = new LoggerConfiguration()
            .MinimumLevel.Information()
            .Enrich.WithProperty("Run", config.Name);
        if (!quiet) logConfig = logConfig.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}");
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
                _ => throw new ConfigException("job", $"unknown job '{config.Job}'"),
            };
            code = job.Run(new RunContext(config, dir, log, network) { Heat = heat, Quiet = quiet }, cts.Token);
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
        catch (Exception e)
        {
            log.Fatal(e, "Run failed");
            code = RunFailed;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
            (log as IDisposable)?.Dispose();
        }
        if (code == 0 || (finished && code is HeatJob.IntegrationFault or Cancelled)) dir.Commit();
        else if (code != Cancelled)
        {
            dir.Abandon();
            if (!quiet) Console.Error.WriteLine($"runner: run failed (exit {code}); nothing was kept.");
        }
        return code;
    }
}

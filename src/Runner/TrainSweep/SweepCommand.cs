using System.Diagnostics;
using System.Globalization;
using ResidualSheaf.Engine.Ensembles;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Training;
using ResidualSheaf.Runner.Batch;
using ResidualSheaf.Runner.Config;
using ResidualSheaf.Runner.Hunt;
using ResidualSheaf.Runner.Jobs;
using ResidualSheaf.Runner.Output;
using ResidualSheaf.Runner.Sharding;
using Serilog;

namespace ResidualSheaf.Runner.TrainSweep;

/// <summary>
/// <c>runner train-sweep</c>: the points (β, seed) of a sweep config, each a sheaf-training run of job train whose final losses are
/// one flushed row of sweep.csv (in point order), beside the gradient-descent baseline of its seed (baseline.csv, one row per
/// seed, run once per folder before the points); resumable, shardable (<c>--shard k/N</c>, merged by train-sweep-merge); then
/// table.csv, summary.json and beta-scaling.png (<see cref="SweepReport"/>).
/// </summary>
public static class SweepCommand
{
    /// <summary>File names in a sweep folder.</summary>
    public const string RowsFile = "sweep.csv", BaselineFile = "baseline.csv", ManifestFile = "sweep.json", ConfigFile = "sweep.config.json";

    /// <summary>Columns of sweep.csv (docs/outputs.md).</summary>
    public static readonly string[] Header =
    [
        "point", "beta_index", "seed_index", "beta", "beta_times_n_train", "weights_seed", "init_seed", "status", "epochs_run",
        "sheaf_train_loss", "sheaf_test_loss", "gd_train_loss", "gd_test_loss", "sheaf_wall_seconds", "sheaf_cpu_seconds",
    ];

    /// <summary>Columns of baseline.csv.</summary>
    public static readonly string[] BaselineHeader =
        ["seed_index", "weights_seed", "steps", "learning_rate", "gd_train_loss", "gd_test_loss", "wall_seconds", "cpu_seconds"];

    /// <summary>Usage of the sweep commands.</summary>
    public const string Usage = """
        runner train-sweep --config <sweep.json> [--threads N] [--shard k/N] [--resume] [--out <folder>] [--dry-run]
        runner train-sweep-merge --out <folder> <shard folder> …
        runner train-sweep --slurm --config <sweep.json> [--tasks N] [--dry-run] …   (runner train-sweep --slurm --help)

          a β sweep of job train (paper Fig. 3): the config is a job-train config with a "sweep" section
          (beta_times_n_train: list, seeds: [{ "weights": s, "init": t }, …]); one sheaf-training run per (β, seed pair)
          --threads N    points run at once (default 1); the rows do not depend on it (CPU seconds are left empty above 1)
          --shard k/N    only the points i with i mod N = k; folder <output_root>/<name>-shard-k-of-N
          --resume       continue a killed sweep in its folder: finished points and baselines are kept, none run twice
          --out folder   sweep folder (default <output_root>/<name>[-shard-k-of-N]; must be new or empty unless --resume)
          --dry-run      check the config and the folder; nothing is run or written
          --slurm        submit the sweep as a Slurm job array of shards and a merge job (see runner train-sweep --slurm --help)
        """;

    private sealed class DivergedException : Exception;

    /// <summary>Runs the command line (arguments after "train-sweep").</summary>
    public static int Run(string[] args, CancellationToken external = default)
    {
        if (args.Contains("--slurm")) return SweepSlurm.Run([.. args.Where(a => a != "--slurm")]);
        string? configPath = null, outFolder = null;
        int threads = 1;
        var shard = Shard.Whole;
        bool resume = false, dryRun = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--help" or "-h":
                    Console.WriteLine(Usage);
                    return 0;
                case "--config" when i + 1 < args.Length: configPath = args[++i]; break;
                case "--out" when i + 1 < args.Length: outFolder = args[++i]; break;
                case "--resume": resume = true; break;
                case "--dry-run": dryRun = true; break;
                case "--threads" when i + 1 < args.Length:
                    if (!int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out threads) || threads < 1)
                        return HuntCommand.Fail($"--threads: '{args[i]}' is not a positive integer");
                    break;
                case "--shard" when i + 1 < args.Length:
                    if (!Shard.TryParse(args[++i], out shard)) return HuntCommand.Fail(Shard.ParseError(args[i]));
                    break;
                default:
                    return HuntCommand.Fail($"unknown or incomplete argument '{args[i]}'. See runner train-sweep --help.");
            }
        }
        if (configPath is null) return HuntCommand.Fail("train-sweep needs --config <sweep.json>");
        SweepConfig sweep;
        INetwork[] networks;
        TrainingData data;
        try
        {
            sweep = SweepConfig.Load(configPath);
            networks = [.. sweep.Seeds.Select(s => NetworkFactory.Create(sweep.Base with { Seed = s.Weights }))];
            data = TrainSetup.Load(sweep.Base, networks[0]);
        }
        catch (ConfigException e)
        {
            return HuntCommand.Fail(e.Message);
        }
        catch (IOException e)
        {
            return HuntCommand.Fail(e.Message);
        }
        string folder = Path.GetFullPath(outFolder ?? Path.Combine(sweep.Base.OutputRoot, shard.FolderName(sweep.Base.Name)));
        if (SweepFolder.Check(folder, outFolder is null ? "output_root" : "--out", resume, sweep, shard) is { } problem) return HuntCommand.Fail(problem);
        if (dryRun)
        {
            Console.Error.WriteLine($"runner: a valid sweep of {sweep.BetaTimesN.Length} β × {sweep.Seeds.Length} seeds = {sweep.Points} points " +
                                    $"(shard {shard}: {shard.Expected(sweep.Points)}; fingerprint {sweep.Fingerprint}); it would write '{folder}'; nothing was run or written");
            return 0;
        }
        if (RunFolderLock.TryCreateAndAcquire(folder, out string lockError) is not { } folderLock) return HuntCommand.Fail(lockError);
        using (folderLock)
        {
            SweepFolder.WriteManifest(folder, sweep, shard);
            return RunPoints(sweep, networks, data, folder, threads, resume, shard, external);
        }
    }

    private static int RunPoints(SweepConfig sweep, INetwork[] networks, TrainingData data, string folder, int threads, bool resume, Shard shard,
        CancellationToken external)
    {
        using var signals = new Signals(external);
        using var log = new LoggerConfiguration().MinimumLevel.Information()
            .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}")
            .WriteTo.File(Path.Combine(folder, "sweep.log"), outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}")
            .CreateLogger();
        try
        {
            using var rows = AppendCsv.Open(Path.Combine(folder, RowsFile), Header, resume);
            var pending = Enumerable.Range(0, sweep.Points).Select(i => (long)i).Where(i => shard.Owns(i) && !rows.Done.Contains(i)).ToArray();
            var baselines = Baselines(sweep, networks, data, folder, resume, pending, log, signals.Token);
            log.Information("Sweep {Name}: {Pending} points to run, {Done} done, {Threads} threads, shard {Shard}, folder {Folder}",
                sweep.Base.Name, pending.Length, rows.Done.Count, threads, shard, folder);
            var clock = Stopwatch.StartNew();
            var ensemble = new EnsembleProblem<object?, object?[]>(pending, () => null,
                (i, _, cancel) => Point(sweep, networks, data, i, baselines, threads == 1, cancel));
            long done = 0;
            var ordered = new OrderedSink<object?[]>(pending, (i, cells) =>
            {
                rows.Append(cells);
                log.Information("point {Point} (β·n = {BetaN}, seed {Seed}): {Status}, test loss {Test}", i, cells[4], cells[2], cells[7], cells[10]);
                done++;
            });
            var summary = EnsembleSolver.Solve(ensemble, threads, ordered, signals.Token);
            foreach (var (item, error) in ordered.Failures) log.Error(error, "Point {Point} failed: {Error}", item, Failures.Describe(error));
            if (signals.Token.IsCancellationRequested)
            {
                log.Warning("Interrupted after {Done} of {Pending} points; rerun with --resume to continue", done, pending.Length);
                return signals.ExitCode;
            }
            rows.Dispose();
            SweepReport.Write(folder, sweep, shard, log);
            log.Information("Ran {Done} points in {Seconds:F1} s ({Failed} failed); process CPU {Cpu:F1} s; done: {Folder}", summary.Solved,
                clock.Elapsed.TotalSeconds, summary.Failed, Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds, folder);
            return summary.Failed > 0 ? Program.RunFailed : 0;
        }
        catch (InvalidDataException e)
        {
            log.Error("{Message}", e.Message);
            return Program.BadInput;
        }
        catch (OperationCanceledException) when (signals.Token.IsCancellationRequested)
        {
            log.Warning("Interrupted; every finished point is in {Rows}: rerun with --resume to continue", RowsFile);
            return signals.ExitCode;
        }
    }

    // The gradient-descent baseline of every seed a pending point needs and baseline.csv lacks, run one after another (TorchSharp).
    private static Dictionary<int, (double Train, double Test)> Baselines(SweepConfig sweep, INetwork[] networks, TrainingData data, string folder,
        bool resume, long[] pending, ILogger log, CancellationToken cancel)
    {
        var result = new Dictionary<int, (double, double)>();
        var t = sweep.Base.Train!;
        if (!t.Baseline) return result;
        using var file = AppendCsv.Open(Path.Combine(folder, BaselineFile), BaselineHeader, resume);
        foreach (var r in ResultsFile.Read(Path.Combine(folder, BaselineFile)))
            result[int.Parse(r["seed_index"], CultureInfo.InvariantCulture)] = (Parse(r["gd_train_loss"]), Parse(r["gd_test_loss"]));
        bool ce = ArchitectureSpec.Of(networks[0]).Head != Models.Graph.OutputHead.Identity;
        double lr = t.BaselineLearningRate ?? (ce ? 0.01 : 0.005);
        int steps = t.BaselineSteps ?? t.Epochs * t.StepsPerEpoch;
        foreach (int s in pending.Select(i => sweep.Of(i).Seed).Distinct().Order())
        {
            if (result.ContainsKey(s)) continue;
            var clock = Stopwatch.StartNew();
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            LossPoint last = default;
            GradientDescentBaseline.Run(networks[s], data, ce, lr, steps, steps, p => last = p, cancel);
            file.Append([s, sweep.Seeds[s].Weights, steps, lr, last.TrainLoss, last.TestLoss, clock.Elapsed.TotalSeconds,
                (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds]);
            result[s] = (last.TrainLoss, last.TestLoss);
            log.Information("baseline of seed {Seed}: gradient descent {Steps} steps, train {Train:E4}, test {Test:E4} ({Wall:F1} s)",
                s, steps, last.TrainLoss, last.TestLoss, clock.Elapsed.TotalSeconds);
        }
        return result;
    }

    private static object?[] Point(SweepConfig sweep, INetwork[] networks, TrainingData data, long i, Dictionary<int, (double Train, double Test)> gd,
        bool cpu, CancellationToken cancel)
    {
        var (b, s) = sweep.Of(i);
        var cfg = sweep.Point(s, sweep.BetaTimesN[b], data.TrainCount);
        using var run = SheafTrainingRun.Create(cfg, networks[s], data);
        TrainingEpoch? last = null;
        string status = "ok";
        try
        {
            run.Train(r =>
            {
                last = r;
                if (!double.IsFinite(r.TrainLoss)) throw new DivergedException();
            }, cancel);
        }
        catch (DivergedException)
        {
            status = "diverged";
        }
        catch (TrainingFailedException)
        {
            status = "failed";
        }
        bool hasGd = gd.TryGetValue(s, out var g);
        object? gdTrain = hasGd ? g.Train : null, gdTest = hasGd ? g.Test : null;
        return [i, b, s, run.Beta, sweep.BetaTimesN[b], sweep.Seeds[s].Weights, sweep.Seeds[s].Init, status, last!.Epoch,
            last.TrainLoss, last.TestLoss, gdTrain, gdTest, run.Time.Wall, cpu ? run.Time.Cpu : null];
    }

    /// <summary>A cell of a rows file as a number (empty = NaN).</summary>
    public static double Parse(string cell) => cell.Length == 0 ? double.NaN : double.Parse(cell, CultureInfo.InvariantCulture);
}

using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ResidualSheaf.Engine.Ensembles;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Weights;
using ResidualSheaf.Runner.Config;
using ResidualSheaf.Runner.Data;
using ResidualSheaf.Runner.Output;
using ResidualSheaf.Runner.Sharding;
using Serilog;
using Serilog.Formatting.Compact;

namespace ResidualSheaf.Runner.Batch;

/// <summary>
/// A batch heat run: the heat equation of one network (shared weights) over many inputs, as one ensemble over <c>--threads</c>
/// workers. <c>batch.csv</c> (one flushed row per input) and <c>energy.csv</c> (E(t) on a common grid) are appended as inputs
/// finish, in input order within a session, so a killed batch (kill −9 included) loses at most the inputs in flight and
/// <c>--resume</c> runs only the missing ones; then <c>summary.json</c>, the traced inputs' run folders and the batch plots.
/// </summary>
public static class BatchCommand
{
    /// <summary>File names in the batch folder.</summary>
    public const string RowsFile = "batch.csv", EnergyFile = "energy.csv", ManifestFile = "batch.json";

    /// <summary>Runs (or resumes) the batch of a validated config whose inputs are loaded.</summary>
    public static int Run(RunConfig cfg, INetwork net, InputSet data, string? outFolder, int threads, bool resume, bool dryRun,
        Shard? shard = null, CancellationToken external = default)
    {
        var part = shard ?? Shard.Whole;
        string folder = Path.GetFullPath(outFolder ?? Path.Combine(cfg.OutputRoot, part.FolderName(cfg.Name)));
        string field = outFolder is null ? "output_root" : "--out";
        if (File.Exists(folder)) return Fail($"{field}: '{folder}' is a file, not a folder");
        try
        {
            OutputPaths.CheckFolder(folder, field);
        }
        catch (IOException e)
        {
            return Fail(e.Message);
        }
        string rows = Path.Combine(folder, RowsFile), manifest = Path.Combine(folder, ManifestFile);
        // As for hunts, --resume of an existing folder that holds no rows yet starts the batch in it: a Slurm array task makes its
        // folder and always resumes, and a task killed before its first row must be able to start again.
        if (resume && !Directory.Exists(folder)) return Fail($"--resume: there is no batch folder '{folder}' to resume; leave out --resume to start the batch");
        if (resume && !File.Exists(manifest) && Directory.EnumerateFileSystemEntries(folder)
                .Any(e => Path.GetFileName(e) is not (RunFolderLock.LockFileName or RunFolderLock.HolderFileName)))
            return Fail($"--resume: '{folder}' holds no {ManifestFile} but is not empty, so it is not a batch folder; choose another folder");
        if (!resume && Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
            return Fail($"{field}: '{folder}' is not empty{(File.Exists(rows) ? $" (it holds a batch: pass --resume to continue it)" : "")}; choose another folder");
        string fingerprint = Fingerprint(cfg, data);
        if (resume && File.Exists(manifest))
        {
            var m = JsonNode.Parse(File.ReadAllText(manifest));
            if (m?["fingerprint"]?.GetValue<string>() != fingerprint)
                return Fail($"--resume: '{folder}' was started from a different config or data (fingerprint {m?["fingerprint"]}, this run {fingerprint})");
            if (Shard.FromJson(m!["shard"]) != part) return Fail($"--resume: '{folder}' holds shard {Shard.FromJson(m["shard"])}, not {part}");
        }
        if (dryRun)
        {
            Console.WriteLine(ResolvedConfig.ToJson(cfg).ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
            Console.Error.WriteLine($"runner: a valid batch of {data.Inputs.Length} inputs (fingerprint {fingerprint}); it would write '{folder}'; nothing was run or written");
            return 0;
        }
        if (RunFolderLock.TryCreateAndAcquire(folder, out string lockError) is not { } folderLock) return Fail(lockError);
        using (folderLock)
        {
            JsonFile.Write(manifest, Manifest(cfg, fingerprint, data.Inputs.Length, part));
            JsonFile.Write(Path.Combine(folder, "config.resolved.json"), ResolvedConfig.ToJson(cfg));
            WeightJson.Write(Path.Combine(folder, "weights.json"), net, cfg.Weights.Source == "seeded" ? $"seeded (torch.manual_seed({cfg.Seed}))" : cfg.Weights.Path!);
            return RunInputs(cfg, net, data, folder, threads, resume, part, external);
        }
    }

    /// <summary><c>batch.json</c>: what resume and batch-merge check (name, fingerprint, inputs, shard).</summary>
    public static JsonObject Manifest(RunConfig cfg, string fingerprint, int inputs, Shard shard) =>
        new() { ["name"] = cfg.Name, ["fingerprint"] = fingerprint, ["inputs"] = inputs, ["shard"] = shard.ToJson() };

    /// <summary>Runs the pending inputs with <paramref name="threads"/> workers, then writes the summary, traces and plots.</summary>
    public static int RunInputs(RunConfig cfg, INetwork net, InputSet data, string folder, int threads, bool resume, Shard shard,
        CancellationToken external = default)
    {
        using var signals = new Signals(external);
        using var log = new LoggerConfiguration()
            .MinimumLevel.Information()
            .Enrich.WithProperty("Batch", cfg.Name)
            .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}")
            .WriteTo.File(Path.Combine(folder, "batch.log"), outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}")
            .WriteTo.File(new CompactJsonFormatter(), Path.Combine(folder, "batch.clef"))
            .CreateLogger();
        try
        {
            var setup = BatchSetup.Build(cfg, net, data, shard);
            var gridHeader = new[] { "input" }.Concat(setup.Grid.Select(t => $"E@{CsvTable.Format(t)}")).ToArray();
            using var energyFile = AppendCsv.Open(Path.Combine(folder, EnergyFile), gridHeader, resume);
            using var rowsFile = AppendCsv.Open(Path.Combine(folder, RowsFile), BatchRow.Header, resume);
            var pending = Enumerable.Range(0, setup.Count).Select(i => (long)i).Where(i => shard.Owns(i) && !rowsFile.Done.Contains(i)).ToArray();
            log.Information("Batch {Name} ({Network}): {Pending} inputs to run, {Done} already done, {Threads} threads, shard {Shard}, folder {Folder}",
                cfg.Name, net.Describe(), pending.Length, rowsFile.Done.Count, threads, shard, folder);
            var clock = Stopwatch.StartNew();
            long done = 0;
            var ensemble = new EnsembleProblem<object?, (BatchRow Row, double[] Energy)>(pending, () => null, (k, _, cancel) =>
            {
                var row = setup.Solve(k, cancel, out var energy);
                return (row, energy);
            });
            // Rows go out in input order (an OrderedSink), the energy row first: a batch row on disk always has its energy row.
            var ordered = new OrderedSink<(BatchRow Row, double[] Energy)>(pending, (k, r) =>
            {
                energyFile.Append(new object?[] { k }.Concat(r.Energy.Select(e => (object?)e)));
                rowsFile.Append(r.Row.Cells());
                done++;
            });
            var work = Task.Run(() => EnsembleSolver.Solve(ensemble, threads, ordered, signals.Token));
            while (!work.Wait(10_000)) log.Information("… {Done}/{Total} inputs, {Seconds:F0} s", Interlocked.Read(ref done), pending.Length, clock.Elapsed.TotalSeconds);
            var summary = work.Result;
            foreach (var (item, error) in ordered.Failures) log.Error(error, "Input {Input} failed: {Error} (stack trace in batch.log)", item, Failures.Describe(error));
            if (signals.Token.IsCancellationRequested)
            {
                log.Warning("Interrupted{Signal} after {Done} of {Pending} inputs; every finished input is in {Rows}: rerun with --resume to continue",
                    signals.Received is { } sig ? $" by {sig}" : "", done, pending.Length, RowsFile);
                return signals.ExitCode;
            }
            double wall = clock.Elapsed.TotalSeconds;
            log.Information("Ran {Done} inputs in {Seconds:F2} s, {Failed} failed", summary.Solved, wall, summary.Failed);
            rowsFile.Dispose();
            energyFile.Dispose();
            var report = BatchSummary.Build(setup, folder, new JsonObject
            {
                ["threads"] = threads,
                ["wall_time_s_this_session"] = wall,
                ["inputs_this_session"] = summary.Solved,
                ["failed_inputs"] = summary.Failed,
                ["pattern_cache"] = setup.Patterns is { } pc
                    ? new JsonObject { ["patterns"] = pc.Count, ["built"] = pc.Misses, ["hits"] = pc.Hits }
                    : null,
            });
            Finish(setup, folder, report, log, signals.Token);
            log.Information("Done: {Folder}", folder);
            return summary.Failed > 0 ? Program.RunFailed : 0;
        }
        catch (InvalidDataException e)
        {
            log.Error("{Message}", e.Message);
            return Program.BadInput;
        }
        catch (OperationCanceledException) when (signals.Token.IsCancellationRequested)
        {
            log.Warning("Interrupted after the inputs ran; every finished input is in {Rows}: rerun with --resume to write the summary", RowsFile);
            return signals.ExitCode;
        }
    }

    /// <summary>
    /// Completes <paramref name="report"/> (the summary of batch.csv as it is in <paramref name="folder"/>) with the traced inputs'
    /// folders (those not written yet), the batch plots and the provenance, and writes it as summary.json.
    /// </summary>
    public static void Finish(BatchSetup setup, string folder, JsonObject report, ILogger log, CancellationToken cancel)
    {
        report["traces"] = BatchTraces.Write(setup, folder, cancel, log);
        var plots = new JsonObject();
        report["plots"] = plots;
        Plotting.BatchPlots.Write(setup, folder, plots);
        report["provenance"] = Provenance.Json();
        JsonFile.Write(Path.Combine(folder, "summary.json"), report);
    }

    /// <summary>Fingerprint of everything that determines the rows (resolved config without output_root, every input and target value).</summary>
    public static string Fingerprint(RunConfig cfg, InputSet data)
    {
        var j = ResolvedConfig.ToJson(cfg);
        j.Remove("output_root");
        var sb = new StringBuilder(j.ToJsonString());
        foreach (var row in data.Inputs.Concat(data.Targets ?? []))
            foreach (double v in row) sb.Append(BitConverter.DoubleToInt64Bits(v)).Append(',');
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())))[..16].ToLowerInvariant();
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"runner: {message}");
        return Program.BadInput;
    }
}

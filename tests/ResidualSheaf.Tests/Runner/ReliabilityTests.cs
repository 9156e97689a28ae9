using System.Text.Json.Nodes;
using ResidualSheaf.Runner;
using ResidualSheaf.Runner.Config;
using ResidualSheaf.Runner.Jobs;
using ResidualSheaf.Runner.Output;

namespace ResidualSheaf.Tests.Runner;

/// <summary>
/// Issue 13: run folders are unique and never shared, folders are locked while written, bad paths and sizes are refused
/// before any work, and failures are messages with documented exit codes.
/// </summary>
[Collection("Console")]
public sealed class ReliabilityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rs-rel-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string json)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, json);
        return path;
    }

    private string StaticConfig(int count, string root) => Write($"static-{count}.json",
        $$"""{ "name": "same", "job": "static", "output_root": "{{root}}", "inputs": {"count": {{count}}}, "network": { "kind": "mlp", "widths": [2, 3, 1] } }""");

    [Fact]
    public void RunsWithTheSameNameStartedTogetherGetTheirOwnCompleteFolders()
    {
        string root = Path.Combine(_dir, "outputs");
        const int runs = 4;
        var configs = Enumerable.Range(1, runs).Select(k => RunConfig.Load(StaticConfig(k, root))).ToArray();
        var networks = configs.Select(NetworkFactory.Create).ToArray();
        using var start = new Barrier(runs);
        var codes = new int[runs];
        var threads = Enumerable.Range(0, runs).Select(k => new Thread(() =>
        {
            start.SignalAndWait();
            codes[k] = Program.Run(configs[k], networks[k], quiet: true);
        })).ToArray();
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        Console.SetOut(TextWriter.Null);
        Console.SetError(TextWriter.Null);
        try
        {
            foreach (var t in threads) t.Start();
            foreach (var t in threads) t.Join();
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
        Assert.All(codes, c => Assert.Equal(0, c));
        var folders = Directory.GetDirectories(root);
        Assert.Equal(runs, folders.Length);
        Assert.Empty(Directory.GetFileSystemEntries(root, ".*")); // no partial folder or claim left behind
        // Each folder holds one run's files only: its config's input count matches its sweep's rows.
        var counts = folders.Select(f =>
        {
            int count = JsonNode.Parse(File.ReadAllText(Path.Combine(f, "config.resolved.json")))!["inputs"]!["count"]!.GetValue<int>();
            Assert.Equal(count + 1, File.ReadAllLines(Path.Combine(f, "sweep.csv")).Length);
            Assert.True(File.Exists(Path.Combine(f, "report.json")));
            return count;
        }).Order();
        Assert.Equal(Enumerable.Range(1, runs), counts);
    }

    [Fact]
    public void ARunNeverDeletesAPartialFolderItDidNotCreate()
    {
        string root = Path.Combine(_dir, "outputs");
        string cfg = StaticConfig(1, root);
        // What another (running or killed) run into the same --out folder has written so far.
        string target = Path.Combine(_dir, "target");
        string other = Path.Combine(_dir, ".target.partial");
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(other, "trace.csv"), "t,E\n");
        var (code, _, error) = RunnerCli.Run("--config", cfg, "--out", target);
        Assert.Equal(2, code);
        Assert.Contains(".target.partial", error);
        Assert.True(File.Exists(Path.Combine(other, "trace.csv")));
        Assert.False(Directory.Exists(target));
    }

    [Fact]
    public void AnOutFolderClaimedByAnotherRunIsRefusedNamingTheHolder()
    {
        string cfg = StaticConfig(1, Path.Combine(_dir, "outputs"));
        File.WriteAllText(Path.Combine(_dir, ".busy.claim"), """{"pid": 1, "host": "node17", "started_utc": "2026-01-01T00:00:00Z", "command": "--config x"}""");
        var (code, _, error) = RunnerCli.Run("--config", cfg, "--out", Path.Combine(_dir, "busy"));
        Assert.Equal(2, code);
        Assert.Contains("pid 1 on host node17, started 2026-01-01T00:00:00Z", error);
    }

    [Fact]
    public void AnOutFolderClaimedByAKilledRunSaysSoAndHowToClearIt()
    {
        string cfg = StaticConfig(1, Path.Combine(_dir, "outputs"));
        // A pid of this host that no process has (above the kernel's pid_max): the claim of a run that was killed.
        string claim = Path.Combine(_dir, ".killed.claim");
        File.WriteAllText(claim, $$"""{"pid": 2147483646, "host": "{{Environment.MachineName}}", "started_utc": "2026-01-01T00:00:00Z", "command": "--config x"}""");
        Directory.CreateDirectory(Path.Combine(_dir, ".killed.partial"));
        string outDir = Path.Combine(_dir, "killed");
        var (code, _, error) = RunnerCli.Run("--config", cfg, "--out", outDir);
        Assert.Equal(2, code);
        Assert.Contains("was claimed by a run that is no longer running (pid 2147483646", error);
        Assert.Contains($"its files are in '{Path.Combine(_dir, ".killed.partial")}'", error);
        Assert.Contains($"Remove '{claim}' to use this --out again", error);
        Assert.True(Directory.Exists(Path.Combine(_dir, ".killed.partial")), "the killed run's files are left alone");
        // Cleared as the message says (its partial folder kept elsewhere), the folder is usable again.
        File.Delete(claim);
        Directory.Move(Path.Combine(_dir, ".killed.partial"), Path.Combine(_dir, "kept"));
        Assert.Equal(0, RunnerCli.Run("--config", cfg, "--out", outDir).Code);
        Assert.True(File.Exists(Path.Combine(outDir, "report.json")));
    }

    private string HuntConfig(int cases, string name = "h") => Write(name + ".json", $$"""
        { "name": "{{name}}", "master_seed": 3, "cases": {{cases}},
          "network": { "blocks": [1, 1], "widths": [3], "hidden": [3] },
          "heat": { "rtol": 1e-8, "atol": 1e-10, "stop_distance": 1e-8 },
          "output_root": "{{Path.Combine(_dir, "outputs")}}" }
        """);

    [Fact]
    public void AHuntFolderInUseIsRefusedNamingTheHolder()
    {
        string folder = Path.Combine(_dir, "hunt");
        Directory.CreateDirectory(folder);
        using (RunFolderLock.Acquire(folder))
        {
            var (code, _, error) = RunnerCli.Run("hunt", "--config", HuntConfig(2), "--out", folder);
            Assert.Equal(2, code);
            Assert.Contains($"pid {Environment.ProcessId} on host {Environment.MachineName}", error);
            Assert.False(File.Exists(Path.Combine(folder, "results.csv")));
        }
        // Released: the hunt now runs.
        Assert.Equal(0, RunnerCli.Run("hunt", "--config", HuntConfig(2), "--out", folder).Code);
        // A merge folder is locked the same way.
        string merged = Path.Combine(_dir, "merged");
        Directory.CreateDirectory(merged);
        using (RunFolderLock.Acquire(merged))
        {
            var (code, _, error) = RunnerCli.Run("hunt-merge", "--out", merged, folder);
            Assert.Equal(2, code);
            Assert.Contains("in use by another run", error);
        }
        Assert.Equal(0, RunnerCli.Run("hunt-merge", "--out", merged, folder).Code);
    }

    [Fact]
    public void TwoHuntsIntoOneFolderAtOnce_OneIsRefused()
    {
        string folder = Path.Combine(_dir, "hunt2");
        string cfg = HuntConfig(6);
        using var start = new Barrier(2);
        var results = new (int Code, string Out, string Error)[2];
        // Program.Main in two threads at once: console capture is per process, so each reads the exit code only.
        var threads = Enumerable.Range(0, 2).Select(k => new Thread(() =>
        {
            start.SignalAndWait();
            results[k] = (Program.Main(["hunt", "--config", cfg, "--out", folder, "--threads", "1"]), "", "");
        })).ToArray();
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        Console.SetOut(TextWriter.Null);
        Console.SetError(TextWriter.Null);
        try
        {
            foreach (var t in threads) t.Start();
            foreach (var t in threads) t.Join();
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
        Assert.Equal([0, 2], results.Select(r => r.Code).Order());
        var rows = ResidualSheaf.Runner.Hunt.ResultsFile.Read(Path.Combine(folder, "results.csv"));
        Assert.Equal(Enumerable.Range(0, 6).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), rows.Select(r => r["case"]).Order());
    }

    [Fact]
    public void ResumeOfAFolderThatDoesNotExistIsRefused()
    {
        var (code, _, error) = RunnerCli.Run("hunt", "--config", HuntConfig(2), "--resume", "--out", Path.Combine(_dir, "nothing-here"));
        Assert.Equal(2, code);
        Assert.Contains("--resume", error);
        Assert.False(Directory.Exists(Path.Combine(_dir, "nothing-here")));
    }

    [Fact]
    public void NetworkTooLargeForMemoryIsRefusedNamingTheSize()
    {
        string cfg = Write("huge.json", $$"""{ "name": "huge", "job": "static", "output_root": "{{Path.Combine(_dir, "outputs")}}", "network": { "kind": "mlp", "widths": [100000, 100000, 1] } }""");
        var (code, _, error) = RunnerCli.Run("--config", cfg);
        Assert.Equal(2, code);
        Assert.Contains("network.widths", error);
        Assert.Contains("GB of memory", error);
        Assert.False(Directory.Exists(Path.Combine(_dir, "outputs")));
        Assert.Throws<ConfigException>(() => MemoryEstimate.Check(ArchitectureSpec3(), "network.blocks", available: 100));
    }

    private static ResidualSheaf.Models.Networks.ArchitectureSpec ArchitectureSpec3() =>
        ResidualSheaf.Models.Networks.ArchitectureSpec.Residual([new(3, 3, 3, false)], ResidualSheaf.Models.Networks.ReluPlacement.After);

    [Fact]
    public void OutPointingAtAFileIsRefusedBeforeTheWork()
    {
        string file = Write("existing.txt", "x");
        var (code, _, error) = RunnerCli.Run("--config", StaticConfig(1, Path.Combine(_dir, "outputs")), "--out", file);
        Assert.Equal(2, code);
        Assert.Contains("is a file", error);
        Assert.Equal("x", File.ReadAllText(file));
        Assert.Empty(Directory.GetFileSystemEntries(_dir, ".*"));
        (code, _, error) = RunnerCli.Run("hunt", "--config", HuntConfig(2), "--out", file);
        Assert.Equal(2, code);
        Assert.Contains("is a file", error);
    }

    [Fact]
    public void AFullDiskIsAMessageAndExitCode4()
    {
        if (!File.Exists("/dev/full")) return; // Linux only: /dev/full fails every write with ENOSPC, as a full disk does
        string folder = Path.Combine(_dir, "full");
        Directory.CreateDirectory(folder);
        File.CreateSymbolicLink(Path.Combine(folder, "hunt.json"), "/dev/full");
        var (code, output, error) = RunnerCli.Run("hunt", "--config", HuntConfig(2), "--out", folder);
        Assert.Equal(4, code);
        Assert.Contains("disk is full", error);
        Assert.DoesNotContain("   at ", error + output);
    }
}

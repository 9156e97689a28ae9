using System.Diagnostics;
using System.Text.Json.Nodes;
using ResidualSheaf.Runner.Hunt;

namespace ResidualSheaf.Tests.Runner;

/// <summary>
/// The runner as a real child process (<c>dotnet src/Runner/bin/Release/net10.0/runner.dll</c>, and <c>./run.sh</c>):
/// SIGTERM, paths relative to the caller's folder, console tables in pipes, --version and --dry-run.
/// </summary>
[Collection("Processes")]
public sealed class ProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rs-proc-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The repository root, found from the test binary's location.</summary>
    public static string Repo
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "ResidualSheaf.sln"))) return d.FullName;
            throw new InvalidOperationException("repository root not found");
        }
    }

    /// <summary>
    /// The runner the README's commands run, <c>src/Runner/bin/Release/net10.0/runner.dll</c> (built with the solution), or the
    /// copy of the same build next to the test binary when that one is missing or older (a build into another output path).
    /// </summary>
    private static string RunnerDll
    {
        get
        {
            string built = Path.Combine(Repo, "src", "Runner", "bin", "Release", "net10.0", "runner.dll");
            string copy = Path.Combine(AppContext.BaseDirectory, "runner.dll");
            return File.Exists(built) && File.GetLastWriteTimeUtc(built) >= File.GetLastWriteTimeUtc(copy) ? built : copy;
        }
    }

    private sealed class Child : IDisposable
    {
        private readonly System.Text.StringBuilder _out = new(), _err = new();

        public Child(string file, IEnumerable<string> args, string cwd, IDictionary<string, string?>? env = null)
        {
            var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = cwd };
            psi.Environment.Remove("COLUMNS");
            if (env is not null)
                foreach (var (k, v) in env) psi.Environment[k] = v;
            Process = Process.Start(psi)!;
            Process.OutputDataReceived += (_, e) => { lock (_out) _out.AppendLine(e.Data); };
            Process.ErrorDataReceived += (_, e) => { lock (_err) _err.AppendLine(e.Data); };
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public string Out
        {
            get
            {
                lock (_out) return _out.ToString();
            }
        }

        public string Error
        {
            get
            {
                lock (_err) return _err.ToString();
            }
        }

        public int Wait(TimeSpan timeout)
        {
            if (!Process.WaitForExit(timeout))
            {
                Process.Kill(entireProcessTree: true);
                throw new TimeoutException($"the runner did not exit within {timeout}; stderr: {Error}");
            }
            Process.WaitForExit();
            return Process.ExitCode;
        }

        public void Dispose() => Process.Dispose();
    }

    private Child Runner(params string[] args) => new("dotnet", [RunnerDll, .. args], _dir);

    private static void SendSigterm(Process p)
    {
        using var kill = Process.Start("kill", ["-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    private static void WaitFor(Func<bool> condition, Child child, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.False(child.Process.HasExited, $"the runner exited before {what}: {child.Error}");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), $"timed out waiting for {what}");
            Thread.Sleep(50);
        }
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void SigtermStopsAHeatRunLikeCtrlC_TraceAndSummaryKeptAndMarkedInterrupted()
    {
        // The authors' Euler with a tiny step and an unreachable stop rule: runs until it is stopped.
        string cfg = Path.Combine(_dir, "long.json");
        File.WriteAllText(cfg, """
            { "name": "long", "job": "heat", "network": { "kind": "resnet", "blocks": [ { "in": 3, "hidden": 3 } ] },
              "heat": { "method": "authors-euler", "euler": { "dt": 1e-7, "tolerance": 1e-300 }, "t_end": 1e9,
                        "max_steps": 2000000000, "trace_every": 100000 } }
            """);
        string outDir = Path.Combine(_dir, "long-run");
        string partial = Path.Combine(_dir, ".long-run.partial");
        using var child = Runner("--config", cfg, "--out", outDir);
        WaitFor(() => File.Exists(Path.Combine(partial, "trace.csv")) && File.ReadAllLines(Path.Combine(partial, "trace.csv")).Length > 3, child, "trace rows");
        SendSigterm(child.Process);
        Assert.Equal(143, child.Wait(TimeSpan.FromSeconds(60)));
        Assert.False(Directory.Exists(partial), "no hidden partial folder is left");
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")))!;
        Assert.True(summary["interrupted"]!.GetValue<bool>());
        Assert.Equal("Interrupted", summary["status"]!.GetValue<string>());
        Assert.True(File.ReadAllLines(Path.Combine(outDir, "trace.csv")).Length > 3);
        Assert.Contains("SIGTERM", child.Error);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void SigtermStopsAHuntKeepingEveryFinishedCase_ThenItResumes()
    {
        string cfg = Path.Combine(_dir, "hunt.json");
        File.WriteAllText(cfg, """
            { "name": "h", "master_seed": 11, "cases": 3000,
              "network": { "blocks": [1, 1], "widths": [3], "hidden": [3] },
              "heat": { "rtol": 1e-8, "atol": 1e-10, "stop_distance": 1e-8 } }
            """);
        string folder = Path.Combine(_dir, "hunt");
        string results = Path.Combine(folder, "results.csv");
        using var child = Runner("hunt", "--config", cfg, "--threads", "1", "--out", folder);
        WaitFor(() => File.Exists(results) && File.ReadAllLines(results).Length > 10, child, "results rows");
        SendSigterm(child.Process);
        Assert.Equal(143, child.Wait(TimeSpan.FromSeconds(60)));
        var rows = ResultsFile.Read(results);
        Assert.InRange(rows.Count, 10, 2999);
        Assert.True(File.ReadAllText(results).EndsWith('\n'), "every row is whole");
        Assert.Contains("--resume", File.ReadAllText(Path.Combine(folder, "hunt.log")));
        // Resumable: the resumed hunt is accepted and keeps the finished rows (run here with a short stop to stay fast).
        using var again = Runner("hunt", "--config", cfg, "--resume", "--threads", "1", "--out", folder);
        WaitFor(() => ResultsFile.Read(results).Count > rows.Count, again, "resumed rows");
        SendSigterm(again.Process);
        Assert.Equal(143, again.Wait(TimeSpan.FromSeconds(60)));
        var resumed = ResultsFile.Read(results);
        Assert.Equal(resumed.Count, resumed.Select(r => r["case"]).Distinct().Count());
        Assert.All(rows, r => Assert.Contains(resumed, q => q["case"] == r["case"]));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void RunShResolvesPathsAgainstTheCallersFolder()
    {
        string work = Path.Combine(_dir, "work");
        Directory.CreateDirectory(Path.Combine(work, "mine"));
        File.WriteAllText(Path.Combine(work, "mine", "c.json"), """
            { "name": "here", "job": "static", "inputs": { "count": 1 }, "network": { "kind": "mlp", "widths": [2, 1] } }
            """);
        using var child = new Child("bash", [Path.Combine(Repo, "run.sh"), "--config", "mine/c.json"], work);
        Assert.True(child.Wait(TimeSpan.FromMinutes(5)) == 0, child.Error);
        var runs = Directory.GetDirectories(Path.Combine(work, "outputs"), "here-*");
        Assert.Single(runs);
        Assert.True(File.Exists(Path.Combine(runs[0], "report.json")));
    }

    [Fact]
    public void TablesInAPipeAreNotCutAndHonourColumns()
    {
        string cfg = Path.Combine(HeatRunTests.ConfigsFolder, "heat-resnet.json");
        using (var child = Runner("--config", cfg, "--out", Path.Combine(_dir, "wide")))
        {
            Assert.Equal(0, child.Wait(TimeSpan.FromMinutes(2)));
            var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir, "wide", "summary.json")))!;
            string why = summary["why"]!.GetValue<string>();
            // One row per field, whole: the 'why' text and the energy are not wrapped onto further lines.
            Assert.Contains(child.Out.Split('\n'), l => l.Contains(why, StringComparison.Ordinal));
            Assert.DoesNotContain('│', child.Out);
            Assert.DoesNotContain('─', child.Out);
        }
        using (var child = new Child("dotnet", [RunnerDll, "--config", cfg, "--out", Path.Combine(_dir, "narrow")], _dir,
                   new Dictionary<string, string?> { ["COLUMNS"] = "70" }))
        {
            Assert.Equal(0, child.Wait(TimeSpan.FromMinutes(2)));
            var table = child.Out.Split('\n').Where(l => l.StartsWith('|') || l.StartsWith('+')).ToList();
            Assert.NotEmpty(table);
            Assert.All(table, l => Assert.True(l.TrimEnd().Length <= 70, $"line of {l.TrimEnd().Length} columns: {l}"));
        }
    }

    [Fact]
    public void VersionAndProvenanceNameTheBuild()
    {
        using var child = Runner("--version");
        Assert.Equal(0, child.Wait(TimeSpan.FromMinutes(1)));
        Assert.Matches(@"runner \(ResidualSheaf\) \d+\.\d+\.\d+, commit ([0-9a-f]{40}|unknown)", child.Out);
        Assert.Contains("TorchSharp", child.Out);
        Assert.Contains(".NET", child.Out);
    }

    [Fact]
    public void DryRunPrintsTheResolvedConfigAndWritesNothing()
    {
        string cfg = Path.Combine(HeatRunTests.ConfigsFolder, "heat-resnet.json");
        using var child = Runner("--config", cfg, "--dry-run");
        Assert.Equal(0, child.Wait(TimeSpan.FromMinutes(1)));
        var resolved = JsonNode.Parse(child.Out)!;
        Assert.Equal("heat-resnet", resolved["name"]!.GetValue<string>());
        Assert.Equal(1e-9, resolved["heat"]!["stop_distance"]!.GetValue<double>());
        Assert.Contains("is valid", child.Error);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
        using var bad = Runner("validate", "--config", cfg.Replace("heat-resnet", "no-such-config"));
        Assert.Equal(2, bad.Wait(TimeSpan.FromMinutes(1)));
    }
}

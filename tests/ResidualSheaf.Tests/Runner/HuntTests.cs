using System.Diagnostics;
using System.Text.Json.Nodes;
using ResidualSheaf.Runner;
using ResidualSheaf.Runner.Hunt;

namespace ResidualSheaf.Tests.Runner;

/// <summary>Hunts: determinism across threads, shards and merge, resume after kill -9, reproducible counterexample folders, bad configs.</summary>
[Collection("Console")]
public sealed class HuntTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rs-hunt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Config(int cases, string extra = "", string name = "h", double tEnd = 10000) =>
        WriteConfig($$"""
            { "name": "{{name}}", "master_seed": 11, "cases": {{cases}},
              "network": { "blocks": [1, 1], "widths": [3], "hidden": [3], "relu": ["after", "before"] },
              "constructions": ["junction", "chord"], "weight_scale": [0.1, 10],
              "heat": { "rtol": 1e-8, "atol": 1e-10, "stop_distance": 1e-8, "t_end": {{tEnd.ToString(System.Globalization.CultureInfo.InvariantCulture)}} },
              "output_root": "{{Path.Combine(_dir, "outputs").Replace("\\", "/")}}" {{extra}} }
            """, name);

    private string WriteConfig(string json, string name)
    {
        string path = Path.Combine(_dir, name + ".json");
        File.WriteAllText(path, json);
        return path;
    }

    private static (int Code, string Error) Cli(params string[] args)
    {
        var (code, _, error) = RunnerCli.Run(args);
        return (code, error);
    }

    /// <summary>Rows keyed by case id, without the wall-time column (the one column allowed to differ between runs).</summary>
    private static SortedDictionary<long, string> Rows(string folder)
    {
        var rows = new SortedDictionary<long, string>();
        foreach (var r in ResultsFile.Read(Path.Combine(folder, "results.csv")))
        {
            long id = long.Parse(r["case"]);
            Assert.True(rows.TryAdd(id, string.Join(",", CaseResult.Header.Where(h => h != "wall_time_s").Select(h => r[h]))), $"case {id} twice");
        }
        return rows;
    }

    [Trait("Category", "Slow")] // measured: among the slowest tests of a full run (./test.sh --quick leaves it out)
    [Fact]
    public void ResultsAreIdenticalForOneAndTwoThreadsAndShardsMergeToTheSameSet()
    {
        string cfg = Config(24);
        string one = Path.Combine(_dir, "one"), two = Path.Combine(_dir, "two");
        Assert.Equal(0, Cli("hunt", "--config", cfg, "--threads", "1", "--out", one).Code);
        Assert.Equal(0, Cli("hunt", "--config", cfg, "--threads", "2", "--out", two).Code);
        var a = Rows(one);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (long)i), a.Keys);
        Assert.Equal(a, Rows(two));

        string s0 = Path.Combine(_dir, "s0"), s1 = Path.Combine(_dir, "s1"), merged = Path.Combine(_dir, "merged");
        Assert.Equal(0, Cli("hunt", "--config", cfg, "--shard", "0/2", "--out", s0).Code);
        Assert.Equal(0, Cli("hunt", "--config", cfg, "--shard", "1/2", "--out", s1).Code);
        Assert.All(Rows(s0).Keys, k => Assert.Equal(0, k % 2));
        Assert.Equal(0, Cli("hunt-merge", "--out", merged, s0, s1).Code);
        Assert.Equal(a, Rows(merged));
        foreach (string f in new[] { "summary.json", "report.md", "increase-histogram.png", "lambda-min-vs-weight-scale.png",
                     "time-vs-lambda-min.png", "switching-share-vs-weight-scale.png" })
            Assert.True(File.Exists(Path.Combine(merged, f)), f);

        // A shard of another config (different master seed) is refused.
        string other = Path.Combine(_dir, "other");
        Assert.Equal(0, Cli("hunt", "--config", Config(24, name: "h2"), "--shard", "1/2", "--out", other).Code);
        var (code, error) = Cli("hunt-merge", "--out", Path.Combine(_dir, "bad-merge"), s0, other);
        Assert.Equal(2, code);
        Assert.Contains("different hunt config", error);
        (code, error) = Cli("hunt-merge", "--out", Path.Combine(_dir, "dup-merge"), s0, s0);
        Assert.Equal(2, code);
        Assert.Contains("given twice", error);
    }

    [Trait("Category", "Slow")] // measured: among the slowest tests of a full run (./test.sh --quick leaves it out)
    [Fact]
    public void KilledHuntResumesWithNoCaseLostOrDuplicated()
    {
        const int cases = 3000;
        string cfg = Config(cases);
        string folder = Path.Combine(_dir, "killed");
        string runner = Path.Combine(AppContext.BaseDirectory, "runner.dll");
        var psi = new ProcessStartInfo("dotnet", ["exec", runner, "hunt", "--config", cfg, "--threads", "1", "--out", folder])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using (var p = Process.Start(psi)!)
        {
            p.OutputDataReceived += (_, _) => { };
            p.ErrorDataReceived += (_, _) => { };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            string results = Path.Combine(folder, "results.csv");
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(120))
            {
                if (p.HasExited) break;
                if (File.Exists(results) && File.ReadAllLines(results).Length > 20) break;
                Thread.Sleep(50);
            }
            Assert.False(p.HasExited, "the hunt finished before it could be killed; raise the case count");
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
        int before = Rows(folder).Count;
        Assert.InRange(before, 20, cases - 1);
        // A kill in the middle of a write leaves a torn line; resume must drop it, not misread it.
        File.AppendAllText(Path.Combine(folder, "results.csv"), "17,1,3-3-3,aft");
        Assert.Equal(2, Cli("hunt", "--config", cfg, "--out", folder).Code);
        Assert.Equal(0, Cli("hunt", "--config", cfg, "--resume", "--threads", "2", "--out", folder).Code);
        var resumed = Rows(folder);
        Assert.Equal(Enumerable.Range(0, cases).Select(i => (long)i), resumed.Keys);

        // Spot-check against cases run fresh and alone.
        string fresh = Path.Combine(_dir, "fresh");
        Assert.Equal(0, Cli("hunt", "--config", Config(30, name: "h"), "--threads", "2", "--out", fresh).Code);
        // Case rows depend on (master seed, id) only, not on the number of cases, so they must match exactly.
        foreach (var (id, row) in Rows(fresh)) Assert.Equal(row, resumed[id]);
    }

    /// <summary>
    /// Junction runs stopped at t_end before the forward pass, without an increase and within the certificate's bound, are
    /// <c>certified-convergence</c> and not re-run; re-run anyway (verify.certified recheck), the exact flow reaches the forward pass
    /// in every one of them, which is what the certificate claims. Chord runs have no certificate and stay candidates.
    /// </summary>
    [Fact]
    public void CertifiedJunctionRunsAreNotCandidatesAndTheirExactFlowsConverge()
    {
        string trust = Path.Combine(_dir, "trust"), recheck = Path.Combine(_dir, "recheck");
        Assert.Equal(0, Cli("hunt", "--config", Config(6, name: "t", tEnd: 0.5), "--out", trust).Code);
        Assert.Equal(0, Cli("hunt", "--config", Config(6, name: "t", tEnd: 0.5, extra: """, "verify": { "certified": "recheck" }"""), "--out", recheck).Code);
        var a = ResultsFile.Read(Path.Combine(trust, "results.csv")).ToDictionary(r => r["case"]);
        var b = ResultsFile.Read(Path.Combine(recheck, "results.csv")).ToDictionary(r => r["case"]);
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        int certified = 0;
        foreach (var (id, r) in a)
        {
            var q = b[id];
            Assert.Equal("false", r["converged"]);
            if (r["construction"] == "junction")
            {
                certified++;
                Assert.Equal("certified-convergence", r["verdict"]);
                Assert.Equal("false", r["candidate"]);
                Assert.Equal("", r["exact_status"]);
                Assert.Equal("", r["tight_status"]);
                Assert.Equal("true", r["certificate_holds"]);
                Assert.True(double.Parse(r["rate_certificate"], System.Globalization.CultureInfo.InvariantCulture) > 0);
                // The independent judge: the exact piecewise flow of the same case converges to the forward pass.
                Assert.Equal("slow-convergence", q["verdict"]);
                Assert.Equal("Converged", q["exact_status"]);
            }
            else
            {
                Assert.Equal("true", r["candidate"]);
                Assert.Equal(q["verdict"], r["verdict"]);
            }
            // Everything the case's own run measured is the same either way.
            foreach (string k in new[] { "status", "final_time", "switches", "energy_increases", "final_distance", "nfev", "rate_certificate" })
                Assert.Equal(q[k], r[k]);
        }
        Assert.True(certified >= 2, $"only {certified} junction cases");
        string conclusion = File.ReadAllLines(Path.Combine(trust, "report.md")).First(l => l.StartsWith("**Conclusion.**"));
        Assert.Contains($"{certified} junction run(s) stopped short of the forward pass", conclusion);
        Assert.False(Directory.Exists(Path.Combine(trust, "counterexamples", $"case-{long.Parse(a.First(kv => kv.Value["construction"] == "junction").Key):D6}")));
    }

    [Trait("Category", "Slow")] // measured: among the slowest tests of a full run (./test.sh --quick leaves it out)
    [Fact]
    public void CandidateFoldersRerunAloneToTheSameNumbers()
    {
        // t_end far below the time to converge makes every case a candidate (it stops short of the limit), so folders are written.
        string cfg = Config(3, name: "short", tEnd: 0.5, extra: """, "verify": { "certified": "recheck" }""");
        string folder = Path.Combine(_dir, "short-out");
        Assert.Equal(0, Cli("hunt", "--config", cfg, "--out", folder).Code);
        var rows = ResultsFile.Read(Path.Combine(folder, "results.csv"));
        // The exact flow reaches the limit later, so these are classified as slow, not as non-convergence.
        Assert.All(rows, r => Assert.Equal("slow-convergence", r["verdict"]));
        foreach (var r in rows)
        {
            string caseDir = Path.Combine(folder, "counterexamples", $"case-{long.Parse(r["case"]):D6}");
            string rerun = Path.Combine(_dir, "rerun-" + r["case"]);
            Assert.Equal(0, Cli("--config", Path.Combine(caseDir, "config.json"), "--out", rerun).Code);
            var s = JsonNode.Parse(File.ReadAllText(Path.Combine(rerun, "summary.json")))!;
            Assert.Equal(r["nfev"], s["statistics"]!["nfev"]!.ToString());
            Assert.Equal(r["switches"], s["switches"]!.ToString());
            Assert.Equal(r["energy_increases"], s["energy_increases"]!["count"]!.ToString());
            Assert.Equal(double.Parse(r["final_distance"]), s["final_distance_to_limit"]!.GetValue<double>());
        }
    }

    [Fact]
    public void AnExactRunStoppedByItsEventCapIsNotGroundTruthUnlessItShowsAnIncrease()
    {
        var none = Array.Empty<ResidualSheaf.Engine.Heat.EnergyIncrease>();
        var end = ResidualSheaf.Engine.Heat.HeatStatus.EndTimeReached;
        // Capped exact run (settled = null): the tightened run decides, and its failure is not ground truth (hunt-stacks case 10).
        Assert.Equal("unverified-non-convergence", CaseRunner.Classify(none, end, null, 0, false, 0));
        Assert.Equal("unverified-increase", CaseRunner.Classify(none, end, null, 0, true, 2));
        Assert.Equal("integration-error", CaseRunner.Classify(none, end, null, 0, true, 0));
        // An increase the exact run shows is real, capped or not.
        Assert.Equal("real", CaseRunner.Classify(none, end, null, 1, true, 0));
        Assert.Equal("real", CaseRunner.Classify(none, end, false, 1, false, 0));
        Assert.Equal("slow-convergence", CaseRunner.Classify(none, end, true, 0, false, 0));
        // Slow convergence only when the exact flow reaches the limit itself; resting elsewhere is named.
        Assert.Equal("slow-convergence", CaseRunner.Classify(none, end, true, 0, true, 0, exactAtLimit: true));
        Assert.Equal("other-stationary-point", CaseRunner.Classify(none, end, true, 0, true, 0, exactAtLimit: false, exactRest: "other-stationary-point"));
        Assert.Equal("other-stationary-point", CaseRunner.Classify(none, end, true, 0, true, 0, exactAtLimit: false, exactRest: "lowest-stationary-point"));
        Assert.Equal("sliding-equilibrium", CaseRunner.Classify(none, end, true, 0, true, 0, exactAtLimit: false, exactRest: "sliding-equilibrium"));
        // An exact flow that neither reaches the limit nor comes to rest (it ran to its horizon) is non-convergence.
        Assert.Equal("non-convergence", CaseRunner.Classify(none, end, false, 0, true, 0, exactAtLimit: false));
    }

    [Fact]
    public void OnlyAnExactRunThatConvergedOrCameToRestIsGroundTruth()
    {
        // hunt-stacks (2000 cases, before this rule): 17 junction cases whose exact re-run reached its 1e9 horizon still switching,
        // or stopped by the plateau rule, were called non-convergence although junction flows converge from every start.
        Assert.True(CaseRunner.ExactSettled(Engine.Heat.HeatStatus.Converged, plateau: false, restCounts: false));
        Assert.True(CaseRunner.ExactSettled(Engine.Heat.HeatStatus.StoppedByRule, plateau: true, restCounts: true));
        Assert.Null(CaseRunner.ExactSettled(Engine.Heat.HeatStatus.StoppedByRule, plateau: true, restCounts: false));
        Assert.Null(CaseRunner.ExactSettled(Engine.Heat.HeatStatus.EndTimeReached, plateau: false, restCounts: true));
        Assert.Null(CaseRunner.ExactSettled(Engine.Heat.HeatStatus.EndTimeReached, plateau: false, restCounts: false));
        Assert.Null(CaseRunner.ExactSettled(Engine.Heat.HeatStatus.EventLimit, plateau: false, restCounts: true));
    }

    [Fact]
    public void LambdaStarIsLeftOutAboveItsUnitLimitAndNothingElseChanges()
    {
        string with = Path.Combine(_dir, "with"), without = Path.Combine(_dir, "without");
        Assert.Equal(0, Cli("hunt", "--config", Config(4), "--out", with).Code);
        Assert.Equal(0, Cli("hunt", "--config", Config(4, """, "lambda_star_max_units": 0""", name: "h0"), "--out", without).Code);
        var a = ResultsFile.Read(Path.Combine(with, "results.csv")).OrderBy(r => r["case"]).ToList();
        var b = ResultsFile.Read(Path.Combine(without, "results.csv")).OrderBy(r => r["case"]).ToList();
        Assert.All(a, r => Assert.True(double.Parse(r["lambda_star"], System.Globalization.CultureInfo.InvariantCulture) > 0));
        Assert.All(b, r => Assert.Equal("", r["lambda_star"]));
        // λ_* is a diagnostic: the runs themselves are the same.
        Assert.Equal(a.Select(r => (r["nfev"], r["final_distance"], r["verdict"])), b.Select(r => (r["nfev"], r["final_distance"], r["verdict"])));
    }

    [Theory]
    [InlineData("""{ "name": "b", "cases": 0, "network": { "widths": [3], "hidden": [3] } }""", "'cases'")]
    [InlineData("""{ "name": "b", "cases": 5, "network": { "widths": [], "hidden": [3] } }""", "network.widths")]
    [InlineData("""{ "name": "b", "cases": 5, "network": { "widths": [0], "hidden": [3] } }""", "network.widths[0]")]
    [InlineData("""{ "name": "b", "cases": 5, "network": { "blocks": [3, 2], "widths": [3], "hidden": [3] } }""", "min 3 > max 2")]
    [InlineData("""{ "name": "b", "cases": 5, "network": { "widths": [3], "hidden": [3] }, "weight_scale": [10, 1] }""", "weight_scale")]
    [InlineData("""{ "name": "b", "cases": 5, "network": { "widths": [3], "hidden": [3] }, "weight_scale": [] }""", "weight_scale")]
    [InlineData("""{ "name": "b", "cases": 5, "network": { "widths": [3], "hidden": [3] }, "constructions": [] }""", "constructions")]
    [InlineData("""{ "name": "b", "cases": 5, "network": { "widths": [3], "hidden": [3], "relu": ["inside"] } }""", "network.relu[0]")]
    [InlineData("""{ "name": "b", "cases": 5, "network": { "widths": [3], "hidden": [3] }, "heat": { "initial": {} } }""", "heat.initial")]
    [InlineData("""{ "name": "b", "cases": 5, "network": { "widths": [3], "hidden": [3] }, "cases_x": 1 }""", "cases_x")]
    [InlineData("""{ "name": "b", "cases": 5, "network": { "widths": [3], "hidden": [3] }, "verify": { "certified": "skip" } }""", "verify.certified")]
    public void BadHuntConfigsFailBeforeAnyCaseRuns(string json, string expected)
    {
        string outputs = Path.Combine(_dir, "outputs");
        string path = WriteConfig(json.Replace("\"cases\"", $"\"output_root\": \"{outputs.Replace("\\", "/")}\", \"cases\""), "bad");
        var (code, error) = Cli("hunt", "--config", path);
        Assert.Equal(2, code);
        Assert.Contains(expected, error);
        Assert.False(Directory.Exists(outputs));
    }
}

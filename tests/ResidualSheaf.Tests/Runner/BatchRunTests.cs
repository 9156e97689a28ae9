using System.Globalization;
using System.Text.Json.Nodes;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Runner.Batch;
using ResidualSheaf.Runner.Hunt;
using TorchSharp;

namespace ResidualSheaf.Tests.Runner;

/// <summary>
/// Batch heat runs: rows identical for one and two threads, resume after a kill, rows that depend on the input alone, traced
/// inputs that reproduce their rows, outputs against TorchSharp float64, pinned targets from a file, bad data refused.
/// </summary>
[Collection("Console")]
public sealed class BatchRunTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rs-batch-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Outputs => Path.Combine(_dir, "outputs").Replace("\\", "/");

    private const string Block = """{ "kind": "resnet", "blocks": [ { "in": 3, "hidden": 3, "out": 3 } ] }""";

    private string Config(string inputs, string heat = "", string name = "b", string network = Block, string? trace = "[]")
    {
        string path = Path.Combine(_dir, name + ".json");
        File.WriteAllText(path, $$"""
            { "name": "{{name}}", "job": "heat", "seed": 5, "network": {{network}}, "inputs": {{inputs}},
              "heat": { "t_end": 2000 {{(trace is null ? "" : ", \"trace_inputs\": " + trace)}} {{heat}} }, "output_root": "{{Outputs}}" }
            """);
        return path;
    }

    private static (int Code, string Error) Cli(params string[] args)
    {
        var (code, _, error) = RunnerCli.Run(args);
        return (code, error);
    }

    /// <summary>Rows keyed by input without the wall-time column (the one column allowed to differ between runs).</summary>
    private static SortedDictionary<long, string> Rows(string folder)
    {
        var rows = new SortedDictionary<long, string>();
        foreach (var r in ResultsFile.Read(Path.Combine(folder, BatchCommand.RowsFile)))
        {
            long id = long.Parse(r["input"], CultureInfo.InvariantCulture);
            Assert.True(rows.TryAdd(id, string.Join(",", BatchRow.Header.Where(h => h != "wall_time_s").Select(h => r[h]))), $"input {id} twice");
        }
        return rows;
    }

    private static List<Dictionary<string, string>> Raw(string folder) => ResultsFile.Read(Path.Combine(folder, BatchCommand.RowsFile));

    [Fact]
    public void RowsAreIdenticalForOneAndTwoThreads()
    {
        string cfg = Config("""{ "count": 16, "seed": 3 }""");
        string one = Path.Combine(_dir, "one"), two = Path.Combine(_dir, "two");
        Assert.Equal(0, Cli("--config", cfg, "--threads", "1", "--out", one).Code);
        Assert.Equal(0, Cli("--config", cfg, "--threads", "2", "--out", two).Code);
        var a = Rows(one);
        Assert.Equal(Enumerable.Range(0, 16).Select(i => (long)i), a.Keys);
        Assert.Equal(a, Rows(two));
        // Rows are written in input order and the energy grid is the same to the bit.
        Assert.Equal(Enumerable.Range(0, 16).Select(i => i.ToString(CultureInfo.InvariantCulture)), Raw(two).Select(r => r["input"]));
        Assert.Equal(File.ReadAllText(Path.Combine(one, BatchCommand.EnergyFile)), File.ReadAllText(Path.Combine(two, BatchCommand.EnergyFile)));
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(two, "summary.json")))!;
        Assert.Equal(16, summary["rows"]!.GetValue<int>());
        int converged = Raw(two).Count(r => r["converged"] == "true");
        Assert.Equal(converged, summary["converged"]!.GetValue<int>());
        Assert.Equal(converged, summary["quantiles"]!["time_to_converge"]!["count"]!.GetValue<int>());
    }

    [Fact]
    public void KilledBatchResumesWithNoInputLostOrDuplicated()
    {
        string cfg = Config("""{ "count": 12, "seed": 3 }""");
        string full = Path.Combine(_dir, "full"), killed = Path.Combine(_dir, "killed");
        Assert.Equal(0, Cli("--config", cfg, "--threads", "2", "--out", full).Code);
        Assert.Equal(0, Cli("--config", cfg, "--threads", "2", "--out", killed).Code);
        // What a kill -9 leaves: the first rows, a torn line, an energy row whose batch row was never written, no summary.
        string rows = Path.Combine(killed, BatchCommand.RowsFile), energy = Path.Combine(killed, BatchCommand.EnergyFile);
        File.WriteAllText(rows, string.Join("\n", File.ReadAllLines(rows).Take(1 + 5)) + "\n5,Conv");
        File.WriteAllText(energy, string.Join("\n", File.ReadAllLines(energy).Take(1 + 6)) + "\n");
        File.Delete(Path.Combine(killed, "summary.json"));
        // Starting over in the folder is refused; resuming runs the seven missing inputs only.
        var (code, error) = Cli("--config", cfg, "--out", killed);
        Assert.Equal(2, code);
        Assert.Contains("--resume", error);
        Assert.Equal(0, Cli("--config", cfg, "--resume", "--threads", "2", "--out", killed).Code);
        Assert.Equal(Rows(full), Rows(killed));
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(killed, "summary.json")))!;
        Assert.Equal(7, summary["session"]!["inputs_this_session"]!.GetValue<long>());
        Assert.Equal(12, summary["rows"]!.GetValue<int>());
        // Another config cannot resume the folder.
        (code, error) = Cli("--config", Config("""{ "count": 12, "seed": 4 }""", name: "other"), "--resume", "--out", killed);
        Assert.Equal(2, code);
        Assert.Contains("different config", error);
    }

    private string Csv(string name, IEnumerable<double[]> rows, string header)
    {
        string p = Path.Combine(_dir, name);
        File.WriteAllText(p, header + "\n" + string.Join("\n", rows.Select(r => string.Join(",", r.Select(v => v.ToString("R", CultureInfo.InvariantCulture))))) + "\n");
        return p;
    }

    private static readonly double[][] Data =
    [
        [0.3, -1.2, 0.8], [1.5, 0.1, -0.4], [-0.7, -0.2, 2.0], [0.05, 0.9, -1.1], [2.2, -0.6, 0.3], [-1.4, 1.0, 0.6],
    ];

    [Fact]
    public void RowsDependOnTheInputAloneAndTracedInputsReproduceTheirRows()
    {
        string six = Csv("six.csv", Data, "x0,x1,x2"), three = Csv("three.csv", Data.Take(3), "x0,x1,x2");
        string heat = """, "initial": { "kind": "normal", "seed": 9, "scale": 0.5 } """;
        string a = Path.Combine(_dir, "six"), b = Path.Combine(_dir, "three");
        Assert.Equal(0, Cli("--config", Config($$"""{ "path": "{{six.Replace("\\", "/")}}" }""", heat, "six"), "--out", a).Code);
        Assert.Equal(0, Cli("--config", Config($$"""{ "path": "{{three.Replace("\\", "/")}}" }""", heat, "three"), "--out", b).Code);
        var rowsA = Rows(a);
        Assert.Equal(6, rowsA.Count);
        // Input k's initial cochain comes from the stream (seed, k): the first three rows agree whatever the batch size.
        foreach (var (k, row) in Rows(b)) Assert.Equal(row, rowsA[k]);

        // A traced input's standalone heat run (its own folder) gives the numbers of its batch row.
        string traced = Path.Combine(_dir, "traced");
        string cfg = Config($$"""{ "path": "{{six.Replace("\\", "/")}}" }""", heat, "traced", trace: "[4, 1]");
        Assert.Equal(0, Cli("--config", cfg, "--out", traced).Code);
        var raw = Raw(traced);
        foreach (int k in new[] { 4, 1 })
        {
            var s = JsonNode.Parse(File.ReadAllText(Path.Combine(traced, "traces", $"input-{k}", "run", "summary.json")))!;
            var row = raw.Single(r => r["input"] == k.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(Data[k], s["input"]!.AsArray().Select(v => v!.GetValue<double>()));
            Assert.Equal(double.Parse(row["time_to_converge"], CultureInfo.InvariantCulture), s["time_to_converge"]!.GetValue<double>());
            Assert.Equal(double.Parse(row["final_distance"], CultureInfo.InvariantCulture), s["final_distance_to_limit"]!.GetValue<double>());
            Assert.Equal(double.Parse(row["output_vs_torch_float64"], CultureInfo.InvariantCulture), s["final_output_vs_torch_float64"]!.GetValue<double>());
            Assert.Equal(long.Parse(row["switches"], CultureInfo.InvariantCulture), s["switches"]!.GetValue<long>());
            Assert.Equal(long.Parse(row["nfev"], CultureInfo.InvariantCulture), s["statistics"]!["nfev"]!.GetValue<long>());
        }
        Assert.False(Directory.Exists(Path.Combine(traced, "traces", "input-0")));
    }

    [Fact]
    public void EveryInputReachesTheTorchSharpForwardPass()
    {
        string folder = Path.Combine(_dir, "g");
        string cfg = Config("""{ "count": 40, "seed": 1 }""", """, "method": "exact", "initial": { "kind": "zeros" } """, "g",
            """{ "kind": "mlp", "widths": [ 2, 4, 1 ] }""");
        Assert.Equal(0, Cli("--config", cfg, "--threads", "2", "--out", folder).Code);
        var rows = Raw(folder);
        Assert.Equal(40, rows.Count);
        Assert.All(rows, r =>
        {
            Assert.Equal("Converged", r["status"]);
            // The flow stops 1e-9 from the harmonic extension; TorchSharp float64 is an independent forward pass.
            Assert.InRange(double.Parse(r["output_vs_torch_float64"], CultureInfo.InvariantCulture), 0, 1.1e-9);
            Assert.InRange(double.Parse(r["final_distance"], CultureInfo.InvariantCulture), 0, 1e-9);
            Assert.True(double.Parse(r["lambda_min"], CultureInfo.InvariantCulture) > 0);
        });
    }

    [Fact]
    public void PinnedTargetsFromAFileGiveTheirResidualEnergy()
    {
        // Targets = the TorchSharp forward pass (zero discord) for even rows and forward + 0.5 (positive discord) for odd rows.
        var net = TorchReference.PyTorchDefault(ArchitectureSpec.Mlp([3, 4, 2]), 5);
        using var torch64 = TorchReference.Create(net, torch.ScalarType.Float64);
        var targets = Data.Select((x, k) => torch64.Forward(x).Select(v => v + (k % 2 == 1 ? 0.5 : 0)).ToArray()).ToArray();
        string inputs = Csv("in.csv", Data, "x0,x1,x2"), t = Csv("targets.json", [], "");
        File.WriteAllText(t, "[" + string.Join(",", targets.Select(r => "[" + string.Join(",", r.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]")) + "]");
        string folder = Path.Combine(_dir, "pinned");
        string cfg = Config($$"""{ "path": "{{inputs.Replace("\\", "/")}}", "targets_path": "{{t.Replace("\\", "/")}}" }""",
            """, "pin_output": true, "initial": { "kind": "forward-noise", "seed": 2, "scale": 0.1 } """, "pinned", """{ "kind": "mlp", "widths": [ 3, 4, 2 ] }""");
        Assert.Equal(0, Cli("--config", cfg, "--out", folder).Code);
        foreach (var r in Raw(folder))
        {
            int k = int.Parse(r["input"], CultureInfo.InvariantCulture);
            double e = double.Parse(r["limit_energy"], CultureInfo.InvariantCulture);
            if (k % 2 == 0) Assert.InRange(e, 0, 1e-24);
            else Assert.True(e > 1e-3, $"input {k}: a target 0.5 off the forward pass must leave discord, got {e}");
        }
    }

    [Theory]
    [InlineData("x0,x1,x2\n1,2,3\n4,5\n", "row 1: has 2 values; 3 expected")]
    [InlineData("1,2,3\nnan,5,6\n", "row 1: value 0 is NaN")]
    [InlineData("x0,x1,x2\n", "no rows")]
    public void BadDataFileIsExitTwoAndNothingIsWritten(string text, string expected)
    {
        string p = Path.Combine(_dir, "bad.csv");
        File.WriteAllText(p, text);
        var (code, error) = Cli("--config", Config($$"""{ "path": "{{p.Replace("\\", "/")}}" }"""));
        Assert.Equal(2, code);
        Assert.Contains("inputs.path", error);
        Assert.Contains(p, error);
        Assert.Contains(expected, error);
        Assert.False(Directory.Exists(Outputs));
    }

    [Theory]
    [InlineData("""{ "count": 4 }""", """, "input": [1, 2, 3] """, "heat.input")]
    [InlineData("""{ "count": 1 }""", """, "initial": { "kind": "forward-noise" } """, "heat.initial.kind")]
    [InlineData("""{ "count": 4 }""", """, "initial": { "kind": "values", "values": [0] } """, "heat.initial.kind")]
    [InlineData("""{ "count": 4, "targets_path": "t.csv" }""", "", "inputs.targets_path")]
    [InlineData("""{ "path": "x.csv", "count": 4 }""", "", "inputs.count")]
    public void BatchOnlyAndSingleOnlyFieldsAreChecked(string inputs, string heat, string field)
    {
        var (code, error) = Cli("--config", Config(inputs, heat));
        Assert.Equal(2, code);
        Assert.Contains($"'{field}'", error);
        Assert.False(Directory.Exists(Outputs));
    }

    [Fact]
    public void TraceInputsAndThreadsApplyToBatchesOnly()
    {
        var (code, error) = Cli("--config", Config("""{ "count": 1 }"""));
        Assert.Equal(2, code);
        Assert.Contains("heat.trace_inputs", error);
        (code, error) = Cli("--config", Config("""{ "count": 1 }""", name: "single", trace: null), "--threads", "2");
        Assert.Equal(2, code);
        Assert.Contains("--threads", error);
    }

    [Fact]
    public void PlotsAreWrittenAndAnEmptyHistogramSaysSo()
    {
        // t_end far below the time to converge: no input converges, so the time-to-converge histogram has nothing to show.
        string folder = Path.Combine(_dir, "short");
        string cfg = Config("""{ "count": 3 }""", """, "method": "exact", "plateau_window": 0 """, "short", """{ "kind": "mlp", "widths": [ 2, 4, 1 ] }""");
        File.WriteAllText(cfg, File.ReadAllText(cfg).Replace("\"t_end\": 2000", "\"t_end\": 0.5"));
        Assert.Equal(0, Cli("--config", cfg, "--out", folder).Code);
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")))!;
        Assert.Equal(0, summary["converged"]!.GetValue<int>());
        foreach (var p in summary["plots"]!.AsObject()) Assert.True(new FileInfo(Path.Combine(folder, p.Value!.GetValue<string>())).Length > 1000, p.Key);
        Assert.Equal(0, summary["quantiles"]!["time_to_converge"]!["count"]!.GetValue<int>());
    }

    [Fact]
    public void QuantilesInterpolateLikeNumPy()
    {
        // np.quantile([1, 2, 4, 8], [0, 0.1, 0.5, 0.9, 1]) = [1, 1.3, 3, 6.8, 8].
        double[] v = [1, 2, 4, 8];
        Assert.Equal(1, Quantiles.Of(v, 0));
        Assert.Equal(1.3, Quantiles.Of(v, 0.1), 12);
        Assert.Equal(3, Quantiles.Of(v, 0.5));
        Assert.Equal(6.8, Quantiles.Of(v, 0.9), 12);
        Assert.Equal(8, Quantiles.Of(v, 1));
    }
}

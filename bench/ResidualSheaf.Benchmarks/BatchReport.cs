using System.Diagnostics;
using System.Globalization;
using ResidualSheaf.Engine;
using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Ensembles;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using TorchSharp;

namespace ResidualSheaf.Benchmarks;

/// <summary>
/// In-process measurement of a batch of inputs with shared weights (issue 14):
/// <c>dotnet run -c Release --project bench/ResidualSheaf.Benchmarks -- batch [g|lab] [inputs] [threads]</c>. Inputs N(0, 1)
/// (torch.randn, float64, seed 0), zero initial cochain, exact piecewise flow until ‖c − forward‖∞ ≤ 1e−9; per input the timed
/// work is the pinned problem, its equation (sharing the template's structure), the forward pass (harmonic extension, the stop
/// rule's target) and the heat solve. Reports wall and CPU time with the shared pattern cache (cold: every pattern built during
/// the run) and without it, the cache's patterns and hits, the machine load, and checks every input's distance and its output
/// against TorchSharp float64 outside the timing.
/// </summary>
/// <remarks>Environment: RS_REPEATS (measured runs with a fresh cache, default 2), RS_SAMPLES_PER_DECADE (the exact flow's sample
/// grid, default 25 as in a heat run; fewer samples mean fewer stop-rule checks).</remarks>
public static class BatchReport
{
    private static int Repeats => int.Parse(Environment.GetEnvironmentVariable("RS_REPEATS") ?? "2", CultureInfo.InvariantCulture);

    /// <summary>Runs the measurement.</summary>
    public static void Run(string[] args)
    {
        string which = args.Length > 0 ? args[0] : "g";
        int count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000;
        int threads = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2;
        INetwork net = which == "g" ? Golden() : TorchReference.PyTorchDefault(ArchitectureSpec.Residual([new BlockSpec(3, 3, 3, false)], ReluPlacement.After), 42);
        var ns = SheafConstructor.Build(net, SkipConstruction.Junction);
        var inputs = InputSampler.Normal(count, net.InputDimension, 0);
        var template = new HeatEquation(ns.Problem(inputs[0]));
        Console.WriteLine($"{net.Describe()}: {template.FreeDimension} free coordinates, {template.SwitchingCount} switching units; {count} inputs, {threads} threads; " +
                          $"load average {File.ReadAllText("/proc/loadavg").Trim()}");
        int samples = int.Parse(Environment.GetEnvironmentVariable("RS_SAMPLES_PER_DECADE") ?? "25", CultureInfo.InvariantCulture);
        if (args.Length > 3 && args[3] == "profile")
        {
            BatchProfile.Run(ns, template, inputs, new SharedPatternCache(template), samples);
            return;
        }
        // The bench runs without tiered compilation (the project file): every method is compiled optimised on first use, so the
        // first measured run is not slowed by tier-0 code and re-compilation. A short untimed pass still compiles the code paths.
        Console.WriteLine($"JIT: tiered compilation {(AppContext.TryGetSwitch("System.Runtime.TieredCompilation", out bool tc) ? (tc ? "on" : "off") : "default (on)")}; warm-up: 200 inputs, untimed");
        Measure(ns, template, inputs[..Math.Min(200, count)], threads, new SharedPatternCache(template), out _, out _);
        var walls = new List<double>();
        var cpus = new List<double>();
        for (int rep = 0; rep < Repeats; rep++)
        {
            var cache = new SharedPatternCache(template);
            long bytes0 = GC.GetTotalAllocatedBytes(precise: true);
            var (wall, cpu, final) = Measure(ns, template, inputs, threads, cache, out var statuses, out var times);
            double perInput = (double)(GC.GetTotalAllocatedBytes(precise: true) - bytes0) / count;
            walls.Add(wall);
            cpus.Add(cpu);
            Console.WriteLine($"shared cache, run {rep + 1}: wall {wall:F3} s, CPU {cpu:F3} s, allocated {perInput:F0} B per input; patterns {cache.Count} built, {cache.Hits} hits ({100.0 * cache.Hits / Math.Max(1, cache.Hits + cache.Misses):F2} % of look-ups); " +
                              $"statuses {string.Join(", ", statuses.GroupBy(s => s).Select(g => $"{g.Key} {g.Count()}"))}; results {Checksum(final, times)}");
            if (rep == 0) Check(ns, net, inputs, final);
        }
        Console.WriteLine($"shared cache, median of {Repeats}: wall {Median(walls):F3} s, CPU {Median(cpus):F3} s (CPU = user + sys of the process over the run)");
        var (w0, c0, _) = Measure(ns, template, inputs, threads, null, out _, out _);
        Console.WriteLine($"no sharing    : wall {w0:F3} s, CPU {c0:F3} s (one eigendecomposition per pattern per input)");
        Console.WriteLine($"load average after: {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    private static double Median(List<double> v)
    {
        var s = v.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }

    /// <summary>A hash of every input's final state and final time, bit for bit: equal before and after a change that must not change a number.</summary>
    private static string Checksum(double[][] final, double[] times)
    {
        var bytes = new List<byte>();
        for (int k = 0; k < final.Length; k++)
        {
            bytes.AddRange(BitConverter.GetBytes(times[k]));
            foreach (double v in final[k]) bytes.AddRange(BitConverter.GetBytes(v));
        }
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes.ToArray()))[..16];
    }

    private static (double Wall, double Cpu, double[][] Final) Measure(NetworkSheaf ns, HeatEquation template, double[][] inputs, int threads,
        SharedPatternCache? cache, out HeatStatus[] statuses, out double[] times)
    {
        var items = Enumerable.Range(0, inputs.Length).Select(i => (long)i).ToArray();
        var algorithm = new ExactPiecewiseFlow { SharedPatterns = cache, SamplesPerDecade = int.Parse(Environment.GetEnvironmentVariable("RS_SAMPLES_PER_DECADE") ?? "25", CultureInfo.InvariantCulture) };
        var final = new double[inputs.Length][];
        var st = new HeatStatus[inputs.Length];
        var tf = new double[inputs.Length];
        var problem = new EnsembleProblem<object?, HeatSolution>(items, () => null, (k, _, cancel) =>
        {
            var p = ns.Problem(inputs[k]);
            var eq = template.WithPinnedValues(p);
            var forward = p.Restrict(DirichletSolver.Solve(p).Cochain);
            var hp = new HeatProblem(eq, new double[eq.FreeDimension]) { EndTime = 1e6, StopRules = [new DistanceStop(forward, 1e-9)] };
            return HeatSolver.Solve(hp, algorithm, null, cancel);
        });
        var sink = new Sink(final, st, tf);
        var proc = Process.GetCurrentProcess();
        var cpu0 = proc.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        EnsembleSolver.Solve(problem, threads, sink);
        double wall = clock.Elapsed.TotalSeconds;
        proc.Refresh();
        statuses = st;
        times = tf;
        return (wall, (proc.TotalProcessorTime - cpu0).TotalSeconds, final);
    }

    private static void Check(NetworkSheaf ns, INetwork net, double[][] inputs, double[][] final)
    {
        using var t64 = TorchReference.Create(net, torch.ScalarType.Float64);
        double worst = 0, worstTorch = 0;
        for (int k = 0; k < inputs.Length; k++)
        {
            var p = ns.Problem(inputs[k]);
            var forward = DirichletSolver.Solve(p).Cochain;
            worst = Math.Max(worst, Numerics.MaxAbsDifference(final[k], p.Restrict(forward)));
            worstTorch = Math.Max(worstTorch, Numerics.MaxAbsDifference(ns.OutputOf(p.Embed(final[k])), t64.Forward(inputs[k])));
        }
        Console.WriteLine($"check: max over inputs ‖c − forward‖∞ = {worst:e3} (≤ 1e−9: {worst <= 1e-9}), max |output − TorchSharp float64| = {worstTorch:e3}");
    }

    private sealed class Sink(double[][] final, HeatStatus[] statuses, double[] times) : IEnsembleSink<HeatSolution>
    {
        public void OnResult(long item, HeatSolution result)
        {
            final[item] = result.FinalState;
            statuses[item] = result.Status;
            times[item] = result.FinalTime;
        }

        public void OnFailure(long item, Exception error) => throw new InvalidOperationException($"input {item} failed", error);
    }

    /// <summary>Network G of sheaf-math §5 ([2, 4, 1], the golden weights).</summary>
    private static Mlp Golden() => new(
    [
        new LinearLayer(2, 4, [1, -.5, -.7, .8, .3, .9, -1.2, -.4], [.1, -.2, .05, .9], "fc1"),
        new LinearLayer(4, 1, [.6, -1.1, .9, .4], [-.25], "fc2"),
    ]);
}

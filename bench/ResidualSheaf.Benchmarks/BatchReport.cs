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
        // Warm-up long enough for tiered JIT to reach its optimised code, then the measured runs, each with a fresh cache.
        Measure(ns, template, inputs[..Math.Min(3000, count)], threads, new SharedPatternCache(template), out _);
        for (int rep = 0; rep < Repeats; rep++)
        {
            var cache = new SharedPatternCache(template);
            var (wall, cpu, final) = Measure(ns, template, inputs, threads, cache, out var statuses);
            Console.WriteLine($"shared cache  : wall {wall:F3} s, CPU {cpu:F3} s; patterns {cache.Count} built, {cache.Hits} hits ({100.0 * cache.Hits / Math.Max(1, cache.Hits + cache.Misses):F2} % of look-ups); " +
                              $"statuses {string.Join(", ", statuses.GroupBy(s => s).Select(g => $"{g.Key} {g.Count()}"))}");
            if (rep == 0) Check(ns, net, inputs, final);
        }
        var (w0, c0, _) = Measure(ns, template, inputs, threads, null, out _);
        Console.WriteLine($"no sharing    : wall {w0:F3} s, CPU {c0:F3} s (one eigendecomposition per pattern per input)");
        Console.WriteLine($"load average after: {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    private static (double Wall, double Cpu, double[][] Final) Measure(NetworkSheaf ns, HeatEquation template, double[][] inputs, int threads,
        SharedPatternCache? cache, out HeatStatus[] statuses)
    {
        var items = Enumerable.Range(0, inputs.Length).Select(i => (long)i).ToArray();
        var algorithm = new ExactPiecewiseFlow { SharedPatterns = cache, SamplesPerDecade = int.Parse(Environment.GetEnvironmentVariable("RS_SAMPLES_PER_DECADE") ?? "25", CultureInfo.InvariantCulture) };
        var final = new double[inputs.Length][];
        var st = new HeatStatus[inputs.Length];
        var problem = new EnsembleProblem<object?, HeatSolution>(items, () => null, (k, _, cancel) =>
        {
            var p = ns.Problem(inputs[k]);
            var eq = template.WithPinnedValues(p);
            var forward = p.Restrict(DirichletSolver.Solve(p).Cochain);
            var hp = new HeatProblem(eq, new double[eq.FreeDimension]) { EndTime = 1e6, StopRules = [new DistanceStop(forward, 1e-9)] };
            return HeatSolver.Solve(hp, algorithm, null, cancel);
        });
        var sink = new Sink(final, st);
        var proc = Process.GetCurrentProcess();
        var cpu0 = proc.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        EnsembleSolver.Solve(problem, threads, sink);
        double wall = clock.Elapsed.TotalSeconds;
        proc.Refresh();
        statuses = st;
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

    private sealed class Sink(double[][] final, HeatStatus[] statuses) : IEnsembleSink<HeatSolution>
    {
        public void OnResult(long item, HeatSolution result)
        {
            final[item] = result.FinalState;
            statuses[item] = result.Status;
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

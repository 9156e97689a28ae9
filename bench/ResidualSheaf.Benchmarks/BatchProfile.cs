using System.Diagnostics;
using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Models.Construction;

namespace ResidualSheaf.Benchmarks;

/// <summary>
/// Where a batch input's time and memory go (<c>batch [g|lab] [inputs] [threads] profile</c>): the phases of
/// <see cref="BatchReport"/>'s per-input work run one after another on one thread, each over every input, with the process's CPU time
/// and wall time (least of five passes) and the bytes it allocates, per input. The exact integrator (closed form and switch search) and the sampling walk of the heat
/// solve are not separable through the public API, so the solve is given whole and the integrator alone next to it.
/// </summary>
internal static class BatchProfile
{
    public static void Run(NetworkSheaf ns, HeatEquation template, double[][] inputs, SharedPatternCache cache, int samplesPerDecade)
    {
        int n = inputs.Length;
        var problems = new DirichletProblem[n];
        var equations = new HeatEquation[n];
        var forwards = new double[n][];
        var algorithm = new ExactPiecewiseFlow { SharedPatterns = cache, SamplesPerDecade = samplesPerDecade };
        // Once untimed, so the cache is warm and the code tiered up: the phases below are the steady state of a batch.
        for (int k = 0; k < n; k++)
        {
            var p = ns.Problem(inputs[k]);
            var eq = template.WithPinnedValues(p);
            HeatSolver.Solve(Heat(eq, p.Restrict(DirichletSolver.Solve(p).Cochain)), algorithm);
        }
        Console.WriteLine($"profile (1 thread, {n} inputs, warm cache, per input):");
        Phase("problem (ns.Problem)", n, k => problems[k] = ns.Problem(inputs[k]));
        Phase("equation (WithPinnedValues)", n, k => equations[k] = template.WithPinnedValues(problems[k]));
        Phase("forward (Dirichlet solve)", n, k => forwards[k] = problems[k].Restrict(DirichletSolver.Solve(problems[k]).Cochain));
        Phase("heat solve (exact, sampled)", n, k => HeatSolver.Solve(Heat(equations[k], forwards[k]), algorithm));
        Phase("  of which: integrator alone", n, k => new ExactPiecewiseIntegrator(equations[k], cache).Run(new double[equations[k].FreeDimension], null, 1e6));
    }

    private static HeatProblem Heat(HeatEquation eq, double[] forward) =>
        new(eq, new double[eq.FreeDimension]) { EndTime = 1e6, StopRules = [new DistanceStop(forward, 1e-9)] };

    private static void Phase(string name, int n, Action<int> work)
    {
        // The least of five passes: on a shared machine the others measure the neighbours as much as the code.
        double cpu = double.PositiveInfinity, wall = double.PositiveInfinity;
        long bytes = 0;
        for (int pass = 0; pass < 5; pass++)
        {
            var clock = Stopwatch.StartNew();
            var cpu0 = ProcessCpu();
            long bytes0 = GC.GetAllocatedBytesForCurrentThread();
            for (int k = 0; k < n; k++) work(k);
            bytes = GC.GetAllocatedBytesForCurrentThread() - bytes0;
            cpu = Math.Min(cpu, (ProcessCpu() - cpu0).TotalSeconds);
            wall = Math.Min(wall, clock.Elapsed.TotalSeconds);
        }
        Console.WriteLine($"  {name,-30} CPU {1e6 * cpu / n,8:F2} µs  wall {1e6 * wall / n,8:F2} µs  allocated {(double)bytes / n,9:F0} B");
    }

    // The process's CPU time (one worker thread here; the runtime's own threads are counted too, as in a batch).
    private static TimeSpan ProcessCpu() => Process.GetCurrentProcess().TotalProcessorTime;
}

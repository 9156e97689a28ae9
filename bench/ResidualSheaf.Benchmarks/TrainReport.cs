using System.Diagnostics;
using ResidualSheaf.Engine.Training;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Models.Training;

namespace ResidualSheaf.Benchmarks;

/// <summary>
/// <c>train [steps] [samples] [threads]</c>: the paper's paraboloid task ([2, 30, 1], He-normal weights seed 42, β = 1/n, dt 0.005, random
/// stalks) under the reference Euler scheme, in process: wall and CPU time (user + system) of the steps, steps per second, bytes
/// allocated per step (must be 0), the final forward-pass train loss.
/// </summary>
public static class TrainReport
{
    /// <summary>Runs the report.</summary>
    public static void Run(string[] args)
    {
        int steps = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        int samples = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 300;
        int threads = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1;
        var data = ReferenceDatasets.Generate("paraboloid", samples, 100, 42);
        var net = TorchReference.NeuralSheafDefault(ArchitectureSpec.Mlp(2, 30, 1), 42);
        using var flow = TrainingSheaf.Create(net, SkipConstruction.Junction, data.TrainInputs, data.TrainTargets, 1.0, 1.0 / samples);
        flow.UseThreads(threads);
        var state = new double[flow.StateLength];
        flow.InitialParameters().CopyTo(state, flow.ParameterOffset);
        RandomStalks.Draw(flow, state, 0);
        var euler = new EulerTraining(flow, 0.005);
        euler.Step(state);
        long bytes = GC.GetAllocatedBytesForCurrentThread();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        for (int k = 1; k < steps; k++) euler.Step(state);
        clock.Stop();
        double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - bytes;
        var prediction = new double[data.TrainTargets.Length];
        flow.Predict(state.AsSpan(flow.ParameterOffset), data.TrainInputs, prediction, new double[flow.StalkDimension]);
        Console.WriteLine($"paraboloid [2, 30, 1], {samples} samples, {steps} Euler steps, {flow.Threads} thread(s) over {flow.Chunks} chunks: wall {clock.Elapsed.TotalSeconds:F2} s, CPU {cpuSeconds:F2} s, " +
            $"{(steps - 1) / clock.Elapsed.TotalSeconds:F0} steps/s, {allocated / (double)(steps - 1):F1} bytes allocated per step, " +
            $"final train MSE {TrainingLoss.Of(prediction, data.TrainTargets, 1, false):R}");
    }
}

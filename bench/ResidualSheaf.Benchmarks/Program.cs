using BenchmarkDotNet.Running;

namespace ResidualSheaf.Benchmarks;

/// <summary>Runs the benchmarks: <c>dotnet run -c Release --project bench/ResidualSheaf.Benchmarks -- --filter '*'</c>.</summary>
public static class Program
{
    /// <summary>Entry point (BenchmarkDotNet's switcher: --filter, --job, --list …; <c>largestack [parts]</c>: in-process large-stack report; <c>batch [g|lab] [inputs] [threads]</c>: in-process batch report; <c>train [steps] [samples] [threads]</c>: sheaf-training Euler report; <c>train-stability [betaN] [steps] [checkpoints]</c>: Euler stability margin of a Fig. 3 run; <c>digits [model=…] [image=…] [seed=…] parts</c>: digits ResNet report).</summary>
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "batch")
        {
            BatchReport.Run(args[1..]);
            return;
        }
        if (args.Length > 0 && args[0] == "train")
        {
            TrainReport.Run(args[1..]);
            return;
        }
        if (args.Length > 0 && args[0] == "train-stability")
        {
            TrainStabilityReport.Run(args[1..]);
            return;
        }
        if (args.Length > 0 && args[0] == "digits")
        {
            DigitsReport.Run(args[1..]);
            return;
        }
        if (args.Length > 0 && args[0] == "largestack")
        {
            LargeStackReport.Run(args[1..]);
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}

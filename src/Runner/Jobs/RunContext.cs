using ResidualSheaf.Models.Networks;
using ResidualSheaf.Runner.Config;
using ResidualSheaf.Runner.Output;
using Serilog;

namespace ResidualSheaf.Runner.Jobs;

/// <summary>What a job gets: its validated config, its output folder and a logger.</summary>
/// <param name="Config">The validated config.</param>
/// <param name="Output">The run folder (partial until the run ends).</param>
/// <param name="Log">Structured logger (console + files in the run folder).</param>
/// <param name="Network">The network with its weights, loaded and validated before the run folder was created (null for jobs that draw their own).</param>
public sealed record RunContext(RunConfig Config, RunDirectory Output, ILogger Log, INetwork? Network)
{
    /// <summary>The heat run's set-up, built and validated before the run folder was created (job heat only).</summary>
    public HeatSetup? Heat { get; init; }

    /// <summary>Inputs read from <c>inputs.path</c> before the run folder was created (job static with a data file), else null.</summary>
    public Data.InputSet? InputSet { get; init; }

    /// <summary>Job train: its data, loaded and checked before the run folder exists.</summary>
    public Models.Training.TrainingData? TrainData { get; init; }

    /// <summary>No console output (runs made on behalf of another command, e.g. a hunt's counterexample folders).</summary>
    public bool Quiet { get; init; }
}

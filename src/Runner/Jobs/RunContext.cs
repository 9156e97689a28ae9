using ResidualSheaf.Runner.Config;
using ResidualSheaf.Runner.Output;
using Serilog;

namespace ResidualSheaf.Runner.Jobs;

/// <summary>What a job gets: its validated config, its output folder and a logger.</summary>
/// <param name="Config">The validated config.</param>
/// <param name="Output">The run folder (partial until the run ends).</param>
/// <param name="Log">Structured logger (console + files in the run folder).</param>
public sealed record RunContext(RunConfig Config, RunDirectory Output, ILogger Log);

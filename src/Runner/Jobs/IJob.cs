namespace ResidualSheaf.Runner.Jobs;

/// <summary>A runner job: reads its context, writes its outputs, returns a process exit code.</summary>
public interface IJob
{
    /// <summary>Runs the job.</summary>
    int Run(RunContext context, CancellationToken cancel);
}

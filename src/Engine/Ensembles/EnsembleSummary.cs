namespace ResidualSheaf.Engine.Ensembles;

/// <summary>What an ensemble run did.</summary>
/// <param name="Solved">Items solved.</param>
/// <param name="Skipped">Items skipped by <see cref="EnsembleProblem{TWorkspace, TResult}.Skip"/>.</param>
/// <param name="Failed">Items whose solve threw.</param>
/// <param name="Cancelled">True when the run was cancelled before every item was solved.</param>
public sealed record EnsembleSummary(long Solved, long Skipped, long Failed, bool Cancelled);

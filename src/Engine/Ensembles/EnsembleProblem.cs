namespace ResidualSheaf.Engine.Ensembles;

/// <summary>
/// Many independent items solved the same way (DifferentialEquations.jl's <c>EnsembleProblem</c>): item k's result must depend on
/// k alone — never on the worker, the thread count or the order — so that an ensemble gives the same results on any machine.
/// </summary>
/// <typeparam name="TWorkspace">What one worker reuses from item to item (e.g. a heat equation with its buffers over shared weights).</typeparam>
/// <typeparam name="TResult">One item's result.</typeparam>
public sealed class EnsembleProblem<TWorkspace, TResult>
{
    /// <summary>Creates the problem over <paramref name="items"/> (item ids, solved in this order by a single worker).</summary>
    /// <exception cref="ArgumentNullException">A null argument.</exception>
    public EnsembleProblem(IReadOnlyList<long> items, Func<TWorkspace> createWorkspace, Func<long, TWorkspace, CancellationToken, TResult> solve)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(createWorkspace);
        ArgumentNullException.ThrowIfNull(solve);
        Items = items;
        CreateWorkspace = createWorkspace;
        SolveItem = solve;
    }

    /// <summary>The item ids.</summary>
    public IReadOnlyList<long> Items { get; }

    /// <summary>Creates one worker's workspace (called once per worker, on that worker's thread).</summary>
    public Func<TWorkspace> CreateWorkspace { get; }

    /// <summary>Solves one item with a worker's workspace; may throw (the item is then reported as failed, the others go on).</summary>
    public Func<long, TWorkspace, CancellationToken, TResult> SolveItem { get; }

    /// <summary>Items for which this returns true are not solved (resume: they are already done).</summary>
    public Func<long, bool>? Skip { get; init; }
}

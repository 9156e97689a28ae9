namespace ResidualSheaf.Engine.Ensembles;

/// <summary>
/// Solves an <see cref="EnsembleProblem{TWorkspace, TResult}"/> on a number of worker threads, each with a workspace of its own,
/// items handed out one at a time (load balancing: item costs vary by orders of magnitude). Results are the same for any thread
/// count because an item's result depends on the item alone; only the order in which the sink hears of them varies (use
/// <see cref="OrderedSink{TResult}"/> for item order).
/// </summary>
public static class EnsembleSolver
{
    /// <summary>
    /// Runs every item not skipped. Cancellation stops handing out items; items already started see the token and may finish or
    /// throw <see cref="OperationCanceledException"/> (not reported to the sink).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is less than 1.</exception>
    public static EnsembleSummary Solve<TWorkspace, TResult>(EnsembleProblem<TWorkspace, TResult> problem, int threads, IEnsembleSink<TResult> sink,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var items = problem.Items;
        long next = -1, solved = 0, skipped = 0, failed = 0;
        var sinkLock = new object();
        void Worker()
        {
            TWorkspace? workspace = default;
            bool haveWorkspace = false;
            while (!cancellation.IsCancellationRequested)
            {
                long k = Interlocked.Increment(ref next);
                if (k >= items.Count) return;
                long item = items[(int)k];
                if (problem.Skip?.Invoke(item) == true)
                {
                    Interlocked.Increment(ref skipped);
                    lock (sinkLock) sink.OnSkipped(item);
                    continue;
                }
                if (!haveWorkspace)
                {
                    workspace = problem.CreateWorkspace();
                    haveWorkspace = true;
                }
                TResult result;
                try
                {
                    result = problem.SolveItem(item, workspace!, cancellation);
                }
                catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    Interlocked.Increment(ref failed);
                    lock (sinkLock) sink.OnFailure(item, e);
                    continue;
                }
                lock (sinkLock) sink.OnResult(item, result);
                Interlocked.Increment(ref solved);
            }
        }
        int n = (int)Math.Min(threads, Math.Max(items.Count, 1));
        if (n == 1) Worker();
        else
        {
            var workers = new Thread[n];
            for (int i = 0; i < n; i++)
            {
                // Dedicated threads with large stacks: items may recurse (sheaf construction) and must not share a thread pool
                // with whatever the caller runs.
                workers[i] = new Thread(Worker, 16 << 20) { IsBackground = true, Name = $"ensemble worker {i}" };
                workers[i].Start();
            }
            foreach (var w in workers) w.Join();
        }
        bool cancelled = cancellation.IsCancellationRequested && solved + skipped + failed < items.Count;
        return new EnsembleSummary(solved, skipped, failed, cancelled);
    }
}

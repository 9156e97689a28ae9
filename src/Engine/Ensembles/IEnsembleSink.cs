namespace ResidualSheaf.Engine.Ensembles;

/// <summary>
/// Receives an ensemble's results as items finish (from worker threads, one call at a time: the solver serialises them), so that a
/// long ensemble can write each result at once and lose nothing when it is killed.
/// </summary>
/// <typeparam name="TResult">One item's result.</typeparam>
public interface IEnsembleSink<in TResult>
{
    /// <summary>Item <paramref name="item"/> finished.</summary>
    void OnResult(long item, TResult result);

    /// <summary>Item <paramref name="item"/> threw <paramref name="error"/> (not called for cancellation).</summary>
    void OnFailure(long item, Exception error);

    /// <summary>Item <paramref name="item"/> was skipped (already done).</summary>
    void OnSkipped(long item)
    {
    }
}

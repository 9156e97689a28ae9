namespace ResidualSheaf.Engine.Ensembles;

/// <summary>
/// Passes results on in the order of a given item list, holding back those that finish early: a stream (and any reduction folded
/// over it) that is the same for every thread count. Items that fail or are skipped release the ones behind them.
/// </summary>
/// <typeparam name="TResult">One item's result.</typeparam>
public sealed class OrderedSink<TResult> : IEnsembleSink<TResult>
{
    private readonly Dictionary<long, int> _position = [];
    private readonly (bool Done, bool Ok, TResult? Result)[] _slots;
    private readonly Action<long, TResult> _onResult;
    private readonly IReadOnlyList<long> _items;
    private int _next;

    /// <summary>Creates the sink over <paramref name="items"/>; <paramref name="onResult"/> hears results in that order.</summary>
    public OrderedSink(IReadOnlyList<long> items, Action<long, TResult> onResult)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(onResult);
        _items = items;
        _onResult = onResult;
        _slots = new (bool, bool, TResult?)[items.Count];
        for (int i = 0; i < items.Count; i++) _position[items[i]] = i;
    }

    /// <summary>Failures in the order they happened.</summary>
    public List<(long Item, Exception Error)> Failures { get; } = [];

    /// <inheritdoc/>
    public void OnSkipped(long item) => Complete(item, false, default);

    /// <inheritdoc/>
    public void OnResult(long item, TResult result) => Complete(item, true, result);

    /// <inheritdoc/>
    public void OnFailure(long item, Exception error)
    {
        Failures.Add((item, error));
        Complete(item, false, default);
    }

    private void Complete(long item, bool ok, TResult? result)
    {
        _slots[_position[item]] = (true, ok, result);
        while (_next < _slots.Length && _slots[_next].Done)
        {
            var (_, isOk, r) = _slots[_next];
            if (isOk) _onResult(_items[_next], r!);
            _slots[_next] = default;
            _next++;
        }
    }
}

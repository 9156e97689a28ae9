namespace ResidualSheaf.Engine.Training;

/// <summary>
/// A fixed set of threads that run numbered work items (chunks) together: <see cref="Run"/> hands chunk c to thread c mod T (the
/// caller's thread is thread 0) and returns when every chunk is done. The threads live as long as the instance and wait on
/// barriers between rounds, so a round allocates nothing. Which thread runs a chunk never changes what it computes; callers
/// reduce the chunks' results in chunk order, so results do not depend on T.
/// </summary>
public sealed class ChunkWorkers : IDisposable
{
    private readonly Thread[] _threads;
    private readonly Barrier _start, _done;
    private readonly Action<int> _work;
    private readonly int _count;
    private int _chunks;
    private volatile bool _stop;
    private Exception? _failure;

    /// <summary><paramref name="threads"/> threads (the caller's included) running <paramref name="work"/> on each chunk.</summary>
    public ChunkWorkers(int threads, Action<int> work)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        _count = threads;
        _work = work;
        _start = new Barrier(threads);
        _done = new Barrier(threads);
        _threads = new Thread[threads - 1];
        for (int t = 1; t < threads; t++)
        {
            int index = t;
            _threads[t - 1] = new Thread(() => Loop(index)) { IsBackground = true, Name = $"chunk worker {index}" };
            _threads[t - 1].Start();
        }
    }

    /// <summary>Number of threads, the caller's included.</summary>
    public int Threads => _count;

    /// <summary>Runs chunks 0 … <paramref name="chunks"/> − 1 and waits for all; an exception in a chunk is rethrown here.</summary>
    public void Run(int chunks)
    {
        ObjectDisposedException.ThrowIf(_stop, this);
        _chunks = chunks;
        _failure = null;
        if (_count > 1) _start.SignalAndWait();
        Do(0);
        if (_count > 1) _done.SignalAndWait();
        if (_failure is { } e) throw new AggregateException("a chunk failed", e);
    }

    private void Loop(int index)
    {
        while (true)
        {
            _start.SignalAndWait();
            if (_stop) return;
            Do(index);
            _done.SignalAndWait();
        }
    }

    private void Do(int index)
    {
        try
        {
            for (int c = index; c < _chunks; c += _count) _work(c);
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _failure, e, null);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_stop) return;
        _stop = true;
        if (_count > 1)
        {
            _start.SignalAndWait();
            foreach (var t in _threads) t.Join();
        }
        _start.Dispose();
        _done.Dispose();
    }
}

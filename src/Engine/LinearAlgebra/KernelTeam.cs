using System.Diagnostics;

namespace ResidualSheaf.Engine.LinearAlgebra;

/// <summary>
/// The calling thread plus <c>threads − 1</c> helpers that run a dense kernel of a Krylov basis split into disjoint parts: the
/// rows of <see cref="Numerics.Dots"/>, the columns of <see cref="Numerics.AddCombination(ReadOnlySpan{double}, int, ReadOnlySpan{double}, Span{double})"/>. Every entry of a result is computed
/// by exactly the code and in exactly the order of the serial kernel, whichever part it falls in, so results are the same to the
/// bit for every team size (and equal to the serial kernels'). A kernel has one part per thread, and each thread, the caller
/// first, takes the next part nobody has begun: on a loaded machine a helper that has no core yet costs nothing, since the
/// caller runs its part and waits only for parts under way. Helpers spin briefly between kernels (a basis runs several in a
/// row) and then sleep. Small kernels run on the caller alone. Allocation-free per call; one caller at a time.
/// </summary>
public sealed class KernelTeam : IDisposable
{
    /// <summary>Below this many multiply–adds a kernel runs on the caller: waking a helper would cost more than it saves.</summary>
    public const int DefaultMinSplitWork = 1 << 15;

    /// <summary>How long a helper spins for the next kernel before it sleeps (the gap between kernels is an operator product).</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 2000;

    private readonly Thread[] _helpers;
    // One wake-up event and sleeping flag per helper: a shared event could be reset by one helper after the caller set it for another.
    private readonly ManualResetEventSlim[] _wake;
    private readonly int[] _sleeping;
    private int _posted;
    // Parts of the posted kernel taken (by any thread) and finished.
    private int _claimed;
    private int _finished;
    private bool _stop;

    // The kernel being run (set by the caller before it posts; read by the helpers after they see the post).
    private Kind _kind;
    private double[] _rows = [];
    private int _n;
    private int _count;
    private double[] _b = [];
    private int _bOffset;
    private double[] _out = [];

    private ITeamJob? _job;
    private System.Runtime.ExceptionServices.ExceptionDispatchInfo? _error;

    private enum Kind { Dots, AddCombination, Job }

    /// <summary>A team of <paramref name="threads"/> threads, the caller included (1: every kernel runs serially on the caller).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is below 1.</exception>
    public KernelTeam(int threads) : this(threads, DefaultMinSplitWork)
    {
    }

    /// <summary>A team that splits kernels from <paramref name="minSplitWork"/> multiply–adds on (tests split small problems with 0).</summary>
    internal KernelTeam(int threads, int minSplitWork)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(minSplitWork);
        Threads = threads;
        MinSplitWork = minSplitWork;
        _helpers = new Thread[threads - 1];
        _wake = new ManualResetEventSlim[threads - 1];
        _sleeping = new int[threads - 1];
        for (int p = 1; p < threads; p++)
        {
            int part = p;
            _wake[p - 1] = new ManualResetEventSlim(false);
            _helpers[p - 1] = new Thread(() => Serve(part)) { IsBackground = true, Name = $"kernel-team-{part}" };
            _helpers[p - 1].Start();
        }
    }

    /// <summary>Threads of the team, the caller included.</summary>
    public int Threads { get; }

    /// <summary>Fewest multiply–adds of a kernel that the team splits.</summary>
    public int MinSplitWork { get; }

    /// <summary>
    /// results[i] = <see cref="Numerics.Dot"/>(rows[i·n, (i + 1)·n), b[bOffset, bOffset + n)) for i &lt; <paramref name="count"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public void Dots(double[] rows, int n, int count, double[] b, int bOffset, double[] results)
    {
        if (count < 0 || rows.Length < (long)count * n || bOffset < 0 || b.Length < bOffset + n || results.Length < count)
            throw new ArgumentException("length mismatch in KernelTeam.Dots");
        if (Threads == 1 || (long)count * n < MinSplitWork || count < Threads)
        {
            Numerics.Dots(rows, n, b.AsSpan(bOffset, n), results.AsSpan(0, count));
            return;
        }
        (_kind, _rows, _n, _count, _b, _bOffset, _out) = (Kind.Dots, rows, n, count, b, bOffset, results);
        Run();
    }

    /// <summary>y += Σ_{i &lt; count} coefficients[i] · rows[i·n, (i + 1)·n), i ascending (y of length n).</summary>
    /// <exception cref="ArgumentException">A span is too short or y is not of length n.</exception>
    public void AddCombination(double[] rows, int n, double[] coefficients, int count, double[] y)
    {
        if (count < 0 || rows.Length < (long)count * n || coefficients.Length < count || y.Length != n)
            throw new ArgumentException("length mismatch in KernelTeam.AddCombination");
        if (Threads == 1 || (long)count * n < MinSplitWork || n < 64 * Threads)
        {
            Numerics.AddCombination(rows, n, coefficients.AsSpan(0, count), y);
            return;
        }
        (_kind, _rows, _n, _count, _b, _bOffset, _out) = (Kind.AddCombination, rows, n, count, coefficients, 0, y);
        Run();
    }

    /// <summary>
    /// Runs <paramref name="job"/>'s parts 0 … <see cref="Threads"/> − 1 on the team (the caller included) and returns when all are done. The
    /// job decides what a part is; for results that do not depend on the team size, its parts must not depend on each other.
    /// </summary>
    public void Run(ITeamJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (Threads == 1)
        {
            job.RunPart(0, 1);
            return;
        }
        (_kind, _job) = (Kind.Job, job);
        Run();
        _job = null;
    }

    /// <summary>Stops the helpers.</summary>
    public void Dispose()
    {
        if (_helpers.Length == 0 || _stop) return;
        _stop = true;
        Interlocked.Increment(ref _posted);
        foreach (var w in _wake) w.Set();
        foreach (var t in _helpers) t.Join();
        foreach (var w in _wake) w.Dispose();
    }

    private void Run()
    {
        ObjectDisposedException.ThrowIf(_stop, this);
        // The kernel's fields are written before the counters are reset: a helper still looking at the previous post can only take
        // a part of this one (whose fields it then reads), since every part of the previous one was taken and finished.
        Volatile.Write(ref _finished, 0);
        Volatile.Write(ref _claimed, 0);
        Interlocked.Increment(ref _posted);
        for (int h = 0; h < _helpers.Length; h++)
            if (Volatile.Read(ref _sleeping[h]) != 0) _wake[h].Set();
        RunClaimed();
        // Pause instructions, not SpinWait's yields: a yield is a system call, and the helpers' parts take microseconds.
        // On an oversubscribed machine a helper may lose its core in the middle of a part: after a long spin, yield it.
        for (int spins = 0; Volatile.Read(ref _finished) < Threads; spins++)
        {
            if (spins < 1 << 14) Thread.SpinWait(8);
            else Thread.Yield();
        }
        if (_error is { } error)
        {
            _error = null;
            error.Throw();
        }
    }

    /// <summary>Takes parts of the posted kernel until none is left; a part's exception is kept for the caller to rethrow.</summary>
    private void RunClaimed()
    {
        int part;
        while ((part = Interlocked.Increment(ref _claimed) - 1) < Threads)
        {
            try
            {
                RunPart(part);
            }
            catch (Exception e)
            {
                // Handed to the caller, which rethrows it: an exception on a helper thread would end the process.
                Interlocked.CompareExchange(ref _error, System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e), null);
            }
            Interlocked.Increment(ref _finished);
        }
    }

    /// <summary>Part <paramref name="part"/> of the posted kernel: a contiguous range of rows (Dots) or of columns (AddCombination).</summary>
    private void RunPart(int part)
    {
        int parts = Threads;
        if (_kind == Kind.Job)
        {
            _job!.RunPart(part, parts);
            return;
        }
        if (_kind == Kind.Dots)
        {
            int lo = (int)((long)_count * part / parts), hi = (int)((long)_count * (part + 1) / parts);
            if (hi > lo) Numerics.Dots(_rows.AsSpan(lo * _n, (hi - lo) * _n), _n, _b.AsSpan(_bOffset, _n), _out.AsSpan(lo, hi - lo));
        }
        else
        {
            // Column ranges on whole SIMD vectors, so that every part but the last runs the vector loop only.
            int width = System.Numerics.Vector<double>.Count;
            int blocks = (_n + width - 1) / width;
            int lo = Math.Min(_n, blocks * part / parts * width), hi = part == parts - 1 ? _n : Math.Min(_n, blocks * (part + 1) / parts * width);
            if (hi > lo) Numerics.AddCombination(_rows, _n, lo, _b.AsSpan(0, _count), _out.AsSpan(lo, hi - lo));
        }
    }

    private void Serve(int helper)
    {
        int seen = 0;
        while (true)
        {
            long spinUntil = Stopwatch.GetTimestamp() + SpinTicks;
            while (Volatile.Read(ref _posted) == seen)
            {
                if (Stopwatch.GetTimestamp() < spinUntil)
                {
                    Thread.SpinWait(16);
                    continue;
                }
                // Reset, announce, re-check: a post after the re-check sees the flag and sets the event, so no wake-up is lost.
                var wake = _wake[helper - 1];
                wake.Reset();
                Interlocked.Exchange(ref _sleeping[helper - 1], 1);
                if (Volatile.Read(ref _posted) == seen) wake.Wait();
                Interlocked.Exchange(ref _sleeping[helper - 1], 0);
                spinUntil = Stopwatch.GetTimestamp() + SpinTicks;
            }
            seen = Volatile.Read(ref _posted);
            if (_stop) return;
            RunClaimed();
        }
    }
}

/// <summary>Work that a <see cref="KernelTeam"/> runs as parts, one per thread.</summary>
public interface ITeamJob
{
    /// <summary>
    /// Runs part <paramref name="part"/> of <paramref name="parts"/>: called once per part, the parts at the same time on different
    /// threads, but which thread runs which part is not fixed (keep scratch per part, not per thread).
    /// </summary>
    void RunPart(int part, int parts);
}

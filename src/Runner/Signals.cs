using System.Runtime.InteropServices;

namespace ResidualSheaf.Runner;

/// <summary>
/// SIGINT (Ctrl+C) and SIGTERM (what Slurm sends on <c>scancel</c> and at a job's time limit, and what <c>kill</c> sends by
/// default) both cancel the run the same way: its token is cancelled, the job flushes what it has, marks its outputs
/// interrupted and keeps its finished work. A second signal of either kind ends the process at once.
/// </summary>
public sealed class Signals : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private readonly PosixSignalRegistration[] _registrations;
    private int _signal;

    /// <summary>Starts listening; the token is also cancelled when <paramref name="linked"/> is.</summary>
    public Signals(CancellationToken linked = default)
    {
        _cts = CancellationTokenSource.CreateLinkedTokenSource(linked);
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle)];
    }

    /// <summary>Cancelled by the first SIGINT or SIGTERM (or by the linked token).</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>The signal received, if any.</summary>
    public PosixSignal? Received => Volatile.Read(ref _signal) switch
    {
        1 => PosixSignal.SIGINT,
        2 => PosixSignal.SIGTERM,
        _ => null,
    };

    /// <summary>Exit code of a run stopped by a signal: 143 for SIGTERM, 130 for SIGINT (and for a cancelled linked token).</summary>
    public int ExitCode => Received == PosixSignal.SIGTERM ? Program.Terminated : Program.Cancelled;

    private void Handle(PosixSignalContext context)
    {
        int kind = context.Signal == PosixSignal.SIGTERM ? 2 : 1;
        if (Interlocked.CompareExchange(ref _signal, kind, 0) != 0) return; // second signal: default action (terminate now)
        context.Cancel = true;
        Console.Error.WriteLine($"runner: {(kind == 2 ? "SIGTERM" : "SIGINT")} received: stopping, keeping finished work (send it again to stop at once)");
        _cts.Cancel();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _cts.Dispose();
    }
}

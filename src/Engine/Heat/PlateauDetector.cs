namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// Detects an energy plateau: E has not decreased by more than a relative tolerance over a time window. Away from the expected
/// limit this marks a stationary point of the flow other than that limit (e.g. a Filippov sliding equilibrium of a chord sheaf),
/// where integrating on to the end time would only accumulate step-size-control noise.
/// </summary>
public sealed class PlateauDetector
{
    private readonly Queue<(double T, double E)> _window = new();

    /// <summary>Creates a detector over <paramref name="window"/> time units with relative tolerance <paramref name="relativeTolerance"/>.</summary>
    public PlateauDetector(double window, double relativeTolerance = 1e-9)
    {
        if (!(window > 0) || !double.IsFinite(window)) throw new ArgumentException($"window must be finite and positive (got {window})", nameof(window));
        if (!(relativeTolerance >= 0)) throw new ArgumentException($"tolerance must be ≥ 0 (got {relativeTolerance})", nameof(relativeTolerance));
        Window = window;
        RelativeTolerance = relativeTolerance;
    }

    /// <summary>The time window.</summary>
    public double Window { get; }

    /// <summary>Largest relative decrease of E over the window that still counts as flat.</summary>
    public double RelativeTolerance { get; }

    /// <summary>Adds a sample; true when E at least <see cref="Window"/> earlier exceeds E now by at most the tolerance.</summary>
    public bool Add(double t, double energy)
    {
        _window.Enqueue((t, energy));
        // Keep exactly one sample at or before t − W: the reference the current energy is compared with.
        while (_window.Count >= 2 && ElementAtSecond() <= t - Window) _window.Dequeue();
        var (t0, e0) = _window.Peek();
        return t0 <= t - Window && e0 - energy <= RelativeTolerance * Math.Abs(energy);
    }

    private double ElementAtSecond()
    {
        using var e = _window.GetEnumerator();
        e.MoveNext();
        e.MoveNext();
        return e.Current.T;
    }
}

namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// The closed form of an exact piecewise run: one piece per segment, c_F(t) = c* + V e^{−Λ(t − t₀)} β on [t₀, next t₀).
/// Evaluation is allocation-free; an instance holds a scratch buffer, so it is not thread-safe.
/// </summary>
public sealed class ExactTrajectory
{
    private readonly List<Piece> _pieces = [];
    private readonly double[] _w;

    internal ExactTrajectory(int freeDimension) => _w = new double[freeDimension];

    /// <summary>Number of smooth pieces (segments).</summary>
    public int PieceCount => _pieces.Count;

    /// <summary>
    /// Upper end of the time range where the closed form is the true flow: +∞ unless the run hit its event cap (then the time of the
    /// unprocessed switch). Runs stopped at an end time stay exact a little beyond it, up to the next switch.
    /// </summary>
    public double ValidUntil { get; internal set; } = double.PositiveInfinity;

    /// <summary>Null modes (eigenvalues zero to rounding) of piece <paramref name="index"/>'s pattern.</summary>
    internal int PieceNullModes(int index) => _pieces[index].Segment.NullModes;

    /// <summary>Start time of piece <paramref name="index"/>.</summary>
    public double PieceStart(int index) => _pieces[index].T0;

    /// <summary>Index of the piece <see cref="StateAt"/> evaluates at time <paramref name="t"/>.</summary>
    internal int PieceAt(double t) => Find(t);

    /// <summary>The closed form of piece <paramref name="index"/>: its segment (F, V, Λ ascending, c*) and its β.</summary>
    internal (ExactPiecewiseIntegrator.Segment Segment, double[] Beta) PieceFlow(int index) => (_pieces[index].Segment, _pieces[index].Beta);

    /// <summary>The unit modes on the piece that contains time <paramref name="t"/> (the later piece at a switch time).</summary>
    public ReadOnlySpan<UnitMode> ModesAt(double t) => _pieces[Find(t)].Modes;

    /// <summary>Writes the exact state (free coordinates) at time <paramref name="t"/> ≥ 0 into <paramref name="result"/>.</summary>
    public void StateAt(double t, Span<double> result)
    {
        if (!(t >= 0)) throw new ArgumentOutOfRangeException(nameof(t), t, "time must be ≥ 0");
        if (result.Length != _w.Length)
            throw new ArgumentException($"result has length {result.Length}; the trajectory has {_w.Length} free coordinates", nameof(result));
        var p = _pieces[Find(t)];
        var seg = p.Segment;
        p.Start.CopyTo(result);
        double tau = t - p.T0;
        // The piece's start exactly, so states at switch times carry the z_j := 0 of the event.
        if (tau == 0) return;
        int m = seg.F.Length;
        for (int k = 0; k < m; k++) _w[k] = p.Beta[k] * Math.Exp(-seg.Lambda[k] * tau);
        for (int i = 0; i < m; i++)
        {
            double s = seg.CStar[i];
            for (int k = 0; k < m; k++) s += seg.V[i * m + k] * _w[k];
            result[seg.F[i]] = s;
        }
    }

    internal void Add(double t0, double[] start, ExactPiecewiseIntegrator.Segment segment, double[] beta, UnitMode[] modes) =>
        _pieces.Add(new Piece(t0, start, segment, beta, modes));

    /// <summary>Index of the last piece with T0 ≤ t (binary search; pieces are in time order).</summary>
    private int Find(double t)
    {
        int lo = 0, hi = _pieces.Count - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (_pieces[mid].T0 <= t) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    private sealed record Piece(double T0, double[] Start, ExactPiecewiseIntegrator.Segment Segment, double[] Beta, UnitMode[] Modes);
}

namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// Watches E along a trajectory sample by sample and classifies every increase beyond a relative threshold against the
/// switching events of the run (see <see cref="EnergyIncreaseCause"/>).
/// </summary>
/// <remarks>
/// An increase counts when E₁ − E₀ &gt; threshold·E₀ + floor: the floor is the rounding level of E itself, below which a "rise"
/// carries no information. It is the larger of a heuristic level (<see cref="RoundingFloor"/>: residual errors ≈ ε·‖c‖∞) and,
/// when the monitor knows the equation, the rigorous forward error bound of the two evaluations,
/// B(c₀) + B(c₁) (<see cref="HeatEquation.EnergyRoundingBound"/>), which grows with |δ_Ω|·|c| (large weights, deep stacks) where the
/// heuristic does not. B is computed only for a rise above the heuristic level (rare), from a copy of the previous state.
/// </remarks>
public sealed class EnergyMonitor
{
    private readonly List<(double T0, double T1, double E0, double E1)> _raw = [];
    private double _lastT = double.NaN, _lastE = double.NaN;

    private readonly HeatEquation? _equation;
    private HeatEquation? _boundEquation;
    private double[]? _lastState;

    /// <summary>Creates a monitor; <paramref name="relativeThreshold"/> is the relative rise that counts (the 1e−12).</summary>
    /// <param name="relativeThreshold">The relative rise that counts.</param>
    /// <param name="equation">
    /// The equation whose E is watched: with it, a rise must also exceed the forward error bound of both evaluations to count
    /// (states passed to <see cref="Add(double, double, ReadOnlySpan{double}, int, double)"/> are its free coordinates).
    /// </param>
    public EnergyMonitor(double relativeThreshold = 1e-12, HeatEquation? equation = null)
    {
        if (!(relativeThreshold >= 0)) throw new ArgumentException($"threshold must be ≥ 0 (got {relativeThreshold})", nameof(relativeThreshold));
        RelativeThreshold = relativeThreshold;
        _equation = equation;
    }

    /// <summary>The relative rise that counts as an increase.</summary>
    public double RelativeThreshold { get; }

    /// <summary>Samples seen.</summary>
    public long Samples { get; private set; }

    /// <summary>Rises below the rounding floor (not counted as increases).</summary>
    public long RisesWithinRounding { get; private set; }

    /// <summary>Records E at time t; <paramref name="roundingFloor"/> is the absolute rounding level of E at this state.</summary>
    public void Add(double t, double energy, double roundingFloor)
    {
        Samples++;
        if (Samples > 1 && energy > _lastE)
        {
            if (energy - _lastE > RelativeThreshold * _lastE + roundingFloor) _raw.Add((_lastT, t, _lastE, energy));
            else RisesWithinRounding++;
        }
        _lastT = t;
        _lastE = energy;
    }

    /// <summary>Records E at a state, with the rounding floor from the state's scale and the sheaf's affine terms.</summary>
    public void Add(double t, double energy, ReadOnlySpan<double> state, int edgeDimension, double affineScale)
    {
        double scale = affineScale;
        foreach (double v in state) scale = Math.Max(scale, Math.Abs(v));
        double floor = RoundingFloor(edgeDimension, scale, energy);
        if (_equation is not null)
        {
            if (Samples > 0 && energy - _lastE > RelativeThreshold * _lastE + floor)
            {
                // The workspaces of the run's own equation belong to the integrator: the bound uses a copy of its own.
                _boundEquation ??= _equation.Clone();
                double bound = _boundEquation.EnergyRoundingBound(_lastState) + _boundEquation.EnergyRoundingBound(state);
                if (bound > floor) floor = bound;
            }
            _lastState ??= new double[state.Length];
            state.CopyTo(_lastState);
        }
        Add(t, energy, floor);
    }

    /// <summary>Largest |affine term| of the sheaf: part of the scale of every residual.</summary>
    public static double AffineScale(Sheaves.CellularSheaf sheaf)
    {
        double m = 0;
        foreach (var e in sheaf.Edges)
            if (e.Affine is { } a)
                foreach (double v in a) m = Math.Max(m, Math.Abs(v));
        return m;
    }

    /// <summary>
    /// Rounding level of E = ½‖r‖²: each of the m residual entries carries an error δ ≈ 4ε(1 + s) (s: scale of the state and
    /// affine terms, e.g. ‖c‖∞ + ‖b̃‖∞), so E is known to about ‖r‖√m·δ + mδ² = √(2Em)·δ + mδ².
    /// </summary>
    public static double RoundingFloor(int edgeDimension, double stateScale, double energy)
    {
        double d = 4 * Epsilon * (1 + stateScale);
        return Math.Sqrt(2 * Math.Max(energy, 0) * edgeDimension) * d + edgeDimension * d * d;
    }

    private const double Epsilon = 2.220446049250313e-16;

    /// <summary>The increases seen so far, classified against <paramref name="events"/> (time-ordered).</summary>
    /// <remarks>O((increases + events) log events): chattering runs produce millions of both.</remarks>
    public IReadOnlyList<EnergyIncrease> Classify(IReadOnlyList<HeatEvent> events)
    {
        // Sliding intervals per coordinate, from enter/exit pairs; an episode still open at the end lasts to +∞.
        var sliding = new List<(double From, double To)>();
        var open = new Dictionary<int, double>();
        var switches = new List<double>();
        foreach (var e in events)
        {
            if (e.Kind == HeatEventKind.SlideEnter) open[e.Coordinate] = e.Time;
            else if (e.Kind == HeatEventKind.SlideExit && open.Remove(e.Coordinate, out double from)) sliding.Add((from, e.Time));
            if (e.Kind != HeatEventKind.Graze) switches.Add(e.Time);
        }
        foreach (var from in open.Values) sliding.Add((from, double.PositiveInfinity));
        switches.Sort();
        sliding.Sort((a, b) => a.From.CompareTo(b.From));
        // reach[k] = the latest end among the first k + 1 intervals: an interval starting before t₁ overlaps (t₀, t₁) iff this exceeds t₀.
        var reach = new double[sliding.Count];
        for (int k = 0; k < sliding.Count; k++) reach[k] = Math.Max(sliding[k].To, k > 0 ? reach[k - 1] : double.NegativeInfinity);
        var starts = sliding.Select(x => x.From).ToArray();

        var result = new List<EnergyIncrease>(_raw.Count);
        foreach (var (t0, t1, e0, e1) in _raw)
        {
            EnergyIncreaseCause cause;
            int k = LastBelow(starts, t1);
            int j = FirstAtOrAbove(switches, t0);
            if (k >= 0 && reach[k] > t0) cause = EnergyIncreaseCause.Sliding;
            else if (j < switches.Count && switches[j] <= t1) cause = EnergyIncreaseCause.ChatteringAtSwitch;
            else cause = EnergyIncreaseCause.IntegrationError;
            result.Add(new EnergyIncrease(t0, t1, e0, e1, cause));
        }
        return result;
    }

    // Index of the last value strictly below x (−1 if none).
    private static int LastBelow(double[] sorted, double x)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < x) lo = mid + 1;
            else hi = mid;
        }
        return lo - 1;
    }

    // Index of the first value ≥ x (Count if none).
    private static int FirstAtOrAbove(List<double> sorted, double x)
    {
        int lo = 0, hi = sorted.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < x) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}

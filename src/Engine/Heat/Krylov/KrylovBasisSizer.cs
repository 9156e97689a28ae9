namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// The basis size of each Krylov piece, between <see cref="Min"/> and <see cref="Max"/>. Every new mode set starts at
/// <see cref="Min"/>; a piece that used the whole allowance and still ended at its error horizon (no switch, the remaining time not
/// covered) raises the next piece's allowance by <see cref="Growth"/>. Why: right after a switch the next switch is usually near and
/// a small basis finds it cheaply (the dense work per basis grows like k²|Ω|), while a mode set that lasts for many horizon-limited
/// pieces is worth a larger basis, whose horizon grows faster than its cost once the fast modes have decayed. With
/// <see cref="Min"/> = <see cref="Max"/> every piece gets the same allowance (the fixed-size flow). Deterministic; not thread-safe.
/// </summary>
internal sealed class KrylovBasisSizer
{
    /// <summary>Factor by which a horizon-limited piece that filled its allowance raises the next one's.</summary>
    public const double Growth = 1.5;

    /// <summary>Creates a sizer for allowances in [<paramref name="min"/>, <paramref name="max"/>] (2 ≤ min ≤ max).</summary>
    public KrylovBasisSizer(int min, int max)
    {
        if (min < 2) throw new ArgumentException($"minimum basis size must be at least 2 (got {min})", nameof(min));
        if (max < min) throw new ArgumentException($"maximum basis size {max} must not be below the minimum {min}", nameof(max));
        Min = min;
        Max = max;
        Limit = min;
    }

    /// <summary>Smallest allowance (the start of every mode set).</summary>
    public int Min { get; }

    /// <summary>Largest allowance.</summary>
    public int Max { get; }

    /// <summary>Basis vectors the next piece may use.</summary>
    public int Limit { get; private set; }

    /// <summary>A new mode set: back to <see cref="Min"/>.</summary>
    public void NewPattern() => Limit = Min;

    /// <summary>
    /// A piece ended having used <paramref name="used"/> vectors; <paramref name="horizonLimited"/> when it ended at its error
    /// horizon (neither at a switch nor at the end of the remaining time nor at a breakdown).
    /// </summary>
    public void PieceEnded(int used, bool horizonLimited)
    {
        if (horizonLimited && used >= Limit && Limit < Max)
            Limit = (int)Math.Min(Max, Math.Max(Limit + 1L, (long)Math.Ceiling(Limit * Growth)));
    }
}

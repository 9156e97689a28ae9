namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// How large each Krylov piece's basis grows, between <see cref="Min"/> and <see cref="Max"/> vectors. Every piece builds at least
/// <see cref="Min"/> vectors (fewer only when its error horizon covers the remaining time, a switch is found, or the Krylov space is
/// exhausted); beyond that it grows only while the horizon its error bound allows grows faster than the work of the basis: the
/// piece ends at the first check where its efficiency, horizon / <see cref="Cost"/>(k), has fallen below <see cref="Slack"/> times
/// the best efficiency of the piece so far. Why: early in a run (rough state, switches dense) a larger basis buys little horizon
/// and its dense work (orthogonalisation k²|Ω|, the k × k eigenproblems, the switch scan) dominates; late in a run (fast modes
/// decayed) the horizon grows much faster than k², and a basis several times larger makes pieces a hundred times longer. With
/// <see cref="Min"/> = <see cref="Max"/> every piece builds the same basis as the fixed-size flow. Also spaces the error-bound
/// checks geometrically beyond 8 × checkEvery vectors, so that a large basis does not pay a k × k eigenproblem every few vectors.
/// Deterministic (counts only, no clocks); not thread-safe.
/// </summary>
internal sealed class KrylovBasisSizer
{
    /// <summary>
    /// Work of a k-vector basis in units of one vector operation, k (<see cref="ProductCost"/> + k): each vector costs an operator
    /// product (and every other one a sweep pair) plus orthogonalisation against the earlier ones (about 2.5 vector operations per
    /// earlier vector, averaged over the basis).
    /// </summary>
    public static double Cost(int k) => k * (ProductCost + (double)k);

    /// <summary>
    /// The basis size at which a vector's orthogonalisation costs as much as its operator products, measured on the trained digits
    /// ResNet (7 186 free coordinates: product with M 0.15 ms, sweep pair 0.12 ms, orthogonalisation and projection of the i-th
    /// vector ≈ 5 i µs) and rounded down for the k × k eigenproblems, which the model leaves out.
    /// </summary>
    public const double ProductCost = 64;

    /// <summary>A piece keeps growing while its efficiency is at least this fraction of its best so far (tolerates plateaus of the horizon).</summary>
    public const double Slack = 0.8;

    private readonly bool[] _check;
    private double _best;

    /// <summary>Creates a sizer for bases of <paramref name="min"/> to <paramref name="max"/> vectors (2 ≤ min ≤ max), checked every <paramref name="checkEvery"/>.</summary>
    public KrylovBasisSizer(int min, int max, int checkEvery)
    {
        if (min < 2) throw new ArgumentException($"minimum basis size must be at least 2 (got {min})", nameof(min));
        if (max < min) throw new ArgumentException($"maximum basis size {max} must not be below the minimum {min}", nameof(max));
        if (checkEvery < 1) throw new ArgumentException($"checkEvery must be positive (got {checkEvery})", nameof(checkEvery));
        Min = min;
        Max = max;
        _check = new bool[max + 1];
        for (long k = checkEvery; k <= max; k += checkEvery * Math.Max(1, k / (4L * checkEvery))) _check[k] = true;
    }

    /// <summary>Smallest basis a piece builds before its efficiency is judged.</summary>
    public int Min { get; }

    /// <summary>Largest basis of a piece.</summary>
    public int Max { get; }

    /// <summary>A new piece: forget the last one's efficiencies.</summary>
    public void BeginPiece() => _best = 0;

    /// <summary>
    /// Whether the error bound is checked at <paramref name="k"/> vectors (besides <see cref="Max"/>): every checkEvery vectors up
    /// to 8 × checkEvery (so a basis of at most 64 vectors with the default 8 is checked exactly as before), then after
    /// checkEvery × ⌊k / (4 checkEvery)⌋ more, about a quarter of the basis.
    /// </summary>
    public bool IsCheck(int k) => k >= 0 && k < _check.Length && _check[k];

    /// <summary>
    /// Whether a piece whose error bound allows horizon <paramref name="horizon"/> on <paramref name="k"/> vectors should stop growing:
    /// never below <see cref="Min"/>, always at <see cref="Max"/>, else when its efficiency fell below <see cref="Slack"/> of its best.
    /// </summary>
    public bool Enough(int k, double horizon)
    {
        if (k >= Max) return true;
        if (k < Min) return false;
        double e = horizon / Cost(k);
        if (e > _best) _best = e;
        return e < Slack * _best;
    }
}

namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// A root finder for one switching function h(τ) = sign·(g* + Σ_k a_k e^{−λ_k τ}) of the current piece: the earliest τ ≤
/// <c>limit</c> where h rises to 0, or +∞. The exact flow calls <see cref="ExponentialSum.EarliestRise"/> directly; the Krylov flow
/// first tries a cheap safe-step exclusion.
/// </summary>
internal interface ISwitchRoots
{
    /// <summary>Earliest rise of h to 0 in [0, <paramref name="limit"/>], or +∞.</summary>
    double Earliest(double sign, double gStar, ReadOnlySpan<double> a, double limit);
}

/// <summary>
/// The search for the earliest switch of a piece, shared by the piecewise flows: the sign conventions that turn z_j and the surface
/// forces of a sliding unit into functions that rise to 0 at a switch, and the running earliest candidate.
/// </summary>
internal struct SwitchSearch
{
    private readonly double _horizon;

    /// <summary>Starts a search that only accepts switches at τ ≤ <paramref name="horizon"/> (+∞: none is cut).</summary>
    public SwitchSearch(double horizon)
    {
        _horizon = horizon;
        Time = double.PositiveInfinity;
        Unit = -1;
        Function = SwitchFunction.Crossing;
    }

    /// <summary>Earliest switch so far (+∞ while none).</summary>
    public double Time { readonly get; private set; }

    /// <summary>Its unit (−1 while none).</summary>
    public int Unit { readonly get; private set; }

    /// <summary>Its function.</summary>
    public SwitchFunction Function { readonly get; private set; }

    /// <summary>The bound a further root search needs to look up to: a later root cannot win.</summary>
    public readonly double Limit => Math.Min(Time, _horizon);

    /// <summary>
    /// h = sign·z_j rises to 0 when z_j crosses its surface: −z_j for an active unit (z_j ≥ 0 falling), +z_j for an inactive one.
    /// </summary>
    public static double CrossingSign(UnitMode mode) => mode == UnitMode.Active ? -1 : 1;

    /// <summary>Takes a root of <paramref name="unit"/>'s function when it is strictly earlier than the best (first one wins ties).</summary>
    public void Offer(double tau, int unit, SwitchFunction function)
    {
        if (tau < Time && tau <= _horizon) (Time, Unit, Function) = (tau, unit, function);
    }

    /// <summary>
    /// Both exit functions of sliding unit <paramref name="unit"/>, each with coefficients a_k = row_k · weight_k: w_j &gt; 0 must stay
    /// positive (h = −w_j) and w_j + a_j &lt; 0 must stay negative (h = w_j + a_j). <paramref name="a"/> is scratch of the rows' length.
    /// </summary>
    public void OfferSlidingExits<TRoots>(ref TRoots roots, int unit, ReadOnlySpan<double> inactiveRow, double inactiveConstant,
        ReadOnlySpan<double> activeRow, double activeConstant, ReadOnlySpan<double> weights, Span<double> a)
        where TRoots : struct, ISwitchRoots
    {
        for (int k = 0; k < a.Length; k++) a[k] = inactiveRow[k] * weights[k];
        Offer(roots.Earliest(-1, inactiveConstant, a, Limit), unit, SwitchFunction.InactiveForceZero);
        for (int k = 0; k < a.Length; k++) a[k] = activeRow[k] * weights[k];
        Offer(roots.Earliest(1, activeConstant, a, Limit), unit, SwitchFunction.ActiveForceZero);
    }
}

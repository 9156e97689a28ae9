namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// The closed-form flow of one mode set for <see cref="PiecewiseDriver"/>: c_F(τ) = c* + V e^{−Λτ} β with β = Vᵀ(c_F(0) − c*), from
/// the eigendecompositions cached by <see cref="ExactPiecewiseIntegrator"/>. Every piece is recorded in the run's
/// <see cref="ExactTrajectory"/>. Its switch search covers [0, ∞) whatever the end time, so "no switch" proves the limit.
/// </summary>
internal sealed class ExactPatternFlow : IPatternFlow
{
    private readonly ExactPiecewiseIntegrator _owner;
    private readonly ExactTrajectory _trajectory;
    private readonly double[] _work;
    private readonly double[] _a;
    private readonly double[] _decay;
    private ExactPiecewiseIntegrator.Segment? _seg;
    private UnitMode[] _modes = [];
    private double[] _beta = [];
    private double[] _start = [];

    public ExactPatternFlow(ExactPiecewiseIntegrator owner, ExactTrajectory trajectory, int freeDimension)
    {
        _owner = owner;
        _trajectory = trajectory;
        _work = new double[freeDimension];
        _a = new double[freeDimension];
        _decay = new double[freeDimension];
    }

    /// <summary>Eigendecompositions computed for this run (cache misses).</summary>
    public int Eigendecompositions { get; private set; }

    public bool SearchCutAtEndTime => false;

    public bool CapBeforeSwitch => true;

    public double StartDistance { get; private set; }

    // The exact flow needs no shortcuts: its search over [0, ∞) decides the limit.
    public bool Consistent => false;

    public bool CertifiedFinal => false;

    public bool AtRest => false;

    private ExactPiecewiseIntegrator.Segment Seg => _seg!;

    public double FastestRate => Seg.Lambda.Length > 0 ? Seg.Lambda[^1] : double.PositiveInfinity;

    public bool Prepare(UnitMode[] modes, double[] state)
    {
        _seg = _owner.SegmentFor(modes, out bool built);
        if (built) Eigendecompositions++;
        _modes = modes;
        return true;
    }

    public bool Start(double t, double[] state)
    {
        var seg = Seg;
        int m = seg.F.Length;
        var beta = new double[m];
        var work = _work;
        for (int i = 0; i < m; i++) work[i] = state[seg.F[i]] - seg.CStar[i];
        // β_k = Σ_i V[i,k] w_i, summed in increasing i from 0 as a dot product down column k would, but row by row of V
        // (contiguous): every β_k gets the same terms in the same order.
        var v = seg.V;
        for (int i = 0; i < m; i++)
        {
            double wi = work[i];
            int row = i * m;
            for (int k = 0; k < m; k++) beta[k] += v[row + k] * wi;
        }
        _beta = beta;
        // The null modes stay where they start: the distance to this piece's limit is that of the decaying modes alone.
        StartDistance = seg.NullModes == 0 ? Numerics.MaxAbs(work.AsSpan(0, m)) : DistanceAt(0);
        _start = state;
        _trajectory.Add(t, (double[])state.Clone(), seg, beta, (UnitMode[])_modes.Clone());
        return true;
    }

    public bool NextSwitch(double remaining, out double tau, out int unit, out SwitchFunction function)
    {
        var seg = Seg;
        var modes = _modes;
        int m = seg.F.Length;
        var beta = _beta;
        var a = _a.AsSpan(0, m);
        var roots = new Roots(seg.Lambda, seg.Groups, seg.NullModes);
        // Never cut at the end time: "no switch found" must mean none on [τ, ∞), so that Converged is a proof.
        var search = new SwitchSearch(double.PositiveInfinity);
        for (int u = 0; u < modes.Length && m > 0; u++)
        {
            if (modes[u] != UnitMode.Sliding)
            {
                int p = seg.Position[u];
                for (int k = 0; k < m; k++) a[k] = seg.V[p * m + k] * beta[k];
                double gStar = seg.CStar[p];
                // A unit on its surface (it just switched, or starts there) has z = 0 exactly and a side chosen from its forces, but
                // the closed form c* + Vβ rebuilds z(0) only to the rounding of ‖c − c*‖ (3.4e−11 on hunt-wide case 1813, three
                // times the search band), which can put it on the wrong side at once: a switch at τ = 0, undone at once, until the
                // event cap. The constant takes up that error so that the sum is 0 where the state is.
                if (_start[seg.F[p]] == 0) gStar -= ClosedFormAtStart(gStar, a);
                search.Offer(roots.Earliest(SwitchSearch.CrossingSign(modes[u]), gStar, a, search.Limit), u, SwitchFunction.Crossing);
            }
            else
            {
                var sl = seg.Sliding[u]!;
                search.OfferSlidingExits(ref roots, u, sl.U0, sl.F0, sl.U1, sl.F1, beta, a);
            }
        }
        (tau, unit, function) = (search.Time, search.Unit, search.Function);
        return true;
    }

    private static double ClosedFormAtStart(double gStar, ReadOnlySpan<double> a)
    {
        double z = gStar;
        foreach (double v in a) z += v;
        return z;
    }

    public void StateAt(double tau, double[] result)
    {
        var seg = Seg;
        _start.CopyTo(result, 0);
        if (tau == 0) return; // the piece's start, exactly
        int m = seg.F.Length;
        var w = _work;
        for (int k = 0; k < m; k++) w[k] = _beta[k] * Math.Exp(-seg.Lambda[k] * tau);
        for (int i = 0; i < m; i++)
        {
            double s = seg.CStar[i];
            for (int k = 0; k < m; k++) s += seg.V[i * m + k] * w[k];
            result[seg.F[i]] = s;
        }
    }

    public double DistanceAt(double tau)
    {
        var seg = Seg;
        int m = seg.F.Length;
        // β_k e^{−λ_k τ} once per mode rather than once per (coordinate, mode): the same products, m exponentials instead of m².
        var w = _decay;
        for (int k = seg.NullModes; k < m; k++) w[k] = _beta[k] * Math.Exp(-seg.Lambda[k] * tau);
        double d = 0;
        for (int i = 0; i < m; i++)
        {
            double s = 0;
            for (int k = seg.NullModes; k < m; k++) s += seg.V[i * m + k] * w[k];
            d = Math.Max(d, Math.Abs(s));
        }
        return d;
    }

    public double[] Limit()
    {
        var seg = Seg;
        var limit = (double[])_start.Clone();
        int m = seg.F.Length;
        for (int i = 0; i < m; i++)
        {
            double s = seg.CStar[i];
            for (int k = 0; k < seg.NullModes; k++) s += seg.V[i * m + k] * _beta[k];
            limit[seg.F[i]] = s;
        }
        return limit;
    }

    /// <summary>
    /// The exact switching functions are found by <see cref="ExponentialSum.EarliestRise"/> on the segment's spectrum; the terms of
    /// null modes (λ = 0, a group of their own at the front) are constants and join g*.
    /// </summary>
    private readonly struct Roots(double[] lambda, int[] groups, int nullModes) : ISwitchRoots
    {
        private readonly int[] _decaying = Decaying(groups, nullModes);

        public double Earliest(double sign, double gStar, ReadOnlySpan<double> a, double limit)
        {
            if (nullModes == 0) return ExponentialSum.EarliestRise(sign, gStar, a, lambda, groups, limit);
            for (int k = 0; k < nullModes; k++) gStar += a[k];
            // Nothing decays: the function is constant; as in EarliestRise, one above its band is an immediate event.
            if (nullModes == lambda.Length) return sign * gStar > 1e-12 * (1 + Math.Abs(gStar)) ? 0.0 : double.PositiveInfinity;
            return ExponentialSum.EarliestRise(sign, gStar, a[nullModes..], lambda.AsSpan(nullModes), _decaying, limit);
        }

        // The group starts of the decaying modes (the null modes are a group of their own, so z is a start).
        private static int[] Decaying(int[] groups, int z) => z == 0 ? groups : [.. groups.Where(g => g >= z).Select(g => g - z)];
    }
}

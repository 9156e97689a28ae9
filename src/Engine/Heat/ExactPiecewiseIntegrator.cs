using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;
using ResidualSheaf.Engine.Sheaves;

namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// The exact piecewise integrator (integration-notes §3). Inside one (pattern σ, sliding set S) the flow is linear:
/// c_F(τ) = c* + V e^{−Λτ} Vᵀ (c_F(0) − c*) with M = α L(σ)[F,F] = VΛVᵀ (F = Ω \ S) and c* = M⁻¹(α r_F). Switching functions
/// (z_j of non-sliding units; the surface forces w_j and w_j + a_j of sliding units) are exponential sums along a segment, so the
/// next switch is located to machine precision (Descartes' rule of signs, geometric bracketing, Brent). Eigendecompositions are
/// cached by (σ, S). Not thread-safe (the cache and the equation's workspaces are shared); use one instance per thread.
/// </summary>
public sealed class ExactPiecewiseIntegrator
{
    private readonly HeatEquation _eq;
    private readonly Dictionary<ModeKey, Segment> _cache = [];
    private readonly SharedPatternCache? _shared;

    /// <summary>
    /// Creates the integrator for a heat equation (its problem, α and soft pins); with <paramref name="shared"/>, the per-pattern
    /// work is taken from (and added to) that cache, shared with other equations of the same sheaf, pin layout and α.
    /// </summary>
    public ExactPiecewiseIntegrator(HeatEquation equation, SharedPatternCache? shared = null)
        : this(equation, shared, ownCopy: true)
    {
    }

    /// <summary>
    /// With <paramref name="ownCopy"/> false the integrator works in <paramref name="equation"/>'s own workspaces (a heat solve, which
    /// has the equation to itself during the call, saves the copy per input).
    /// </summary>
    internal ExactPiecewiseIntegrator(HeatEquation equation, SharedPatternCache? shared, bool ownCopy)
    {
        ArgumentNullException.ThrowIfNull(equation);
        _eq = ownCopy ? equation.Clone() : equation;
        shared?.CheckCompatible(equation);
        _shared = shared;
    }

    /// <summary>Patterns (σ, S) whose eigendecomposition is cached.</summary>
    public int CachedPatterns => _cache.Count;

    /// <summary>
    /// Integrates from <paramref name="initial"/> (free coordinates). States are returned at <paramref name="outputTimes"/>
    /// (finite, ≥ 0, non-decreasing). Stops at <paramref name="endTime"/> (+∞: run to the limit) or after <paramref name="maxEvents"/> events.
    /// </summary>
    public ExactResult Run(ReadOnlySpan<double> initial, IReadOnlyList<double>? outputTimes = null, double endTime = double.PositiveInfinity, int maxEvents = 10_000)
    {
        int n = _eq.FreeDimension;
        var times = PiecewiseDriver.Validate(initial, n, outputTimes, endTime, maxEvents);
        var trajectory = new ExactTrajectory(n);
        var flow = new ExactPatternFlow(this, trajectory, n);
        var driver = new PiecewiseDriver(_eq, flow, times);
        var end = driver.Run(initial.ToArray(), 0, endTime, stopDistance: 0, maxEvents, maxSteps: int.MaxValue, CancellationToken.None);
        var status = end.Status switch
        {
            PiecewiseStatus.Converged => ExactStatus.Converged,
            PiecewiseStatus.ReachedEnd => ExactStatus.ReachedEnd,
            PiecewiseStatus.EventLimit => ExactStatus.EventLimit,
            // No stop distance, step cap, cancellation or callbacks are passed, and the exact flow never fails (it throws).
            _ => throw new InvalidOperationException($"unexpected exact piecewise outcome {end.Status}"),
        };
        trajectory.ValidUntil = status == ExactStatus.EventLimit ? end.Time : double.PositiveInfinity;
        return new ExactResult(status, driver.OutputTimes, driver.OutputStates, driver.Events, driver.Prepares, flow.Eigendecompositions,
            end.Time, end.State, end.Limit, (UnitMode[])driver.Modes.Clone())
        {
            Trajectory = trajectory,
        };
    }

    /// <summary>The flow data of mode set (σ, S), from the cache or built (then <paramref name="built"/> is true).</summary>
    internal Segment SegmentFor(UnitMode[] modes, out bool built)
    {
        var key = ModeKey.Of(modes);
        built = !_cache.TryGetValue(key, out var seg);
        if (built)
        {
            seg = BuildSegment(modes);
            _cache[key] = seg;
        }
        return seg!;
    }

    private Segment BuildSegment(UnitMode[] modes)
    {
        if (_shared is not null)
        {
            var shape = _shared.ShapeFor(modes, _eq);
            return Instantiate(shape, _eq);
        }
        return Instantiate(BuildShape(_eq, modes), _eq);
    }

    /// <summary>
    /// The part of a segment that depends on the mode set, the sheaf, the pin layout and α but not on the pinned values: the
    /// eigendecomposition of α L(σ)[F,F], its Cholesky factor, δ_Ω(σ) restricted to F and the sliding units' rows of L.
    /// </summary>
    internal static PatternShape BuildShape(HeatEquation eq, UnitMode[] modes)
    {
        var problem = eq.Problem;
        var sheaf = problem.Sheaf;
        int nFree = eq.FreeDimension, units = modes.Length;
        double alpha = eq.Alpha;
        var masks = MaskPattern.From(sheaf, problem.PinnedCochain());
        for (int u = 0; u < units; u++) masks.Theta[eq.SwitchingCoordinates[u]] = modes[u] == UnitMode.Active ? 1.0 : 0.0;
        var d = DenseMatrix.OfMatrix(problem.FreeCoboundary(masks));
        var soft = new double[nFree];
        foreach (var s in eq.SoftPins) soft[problem.FreeIndex(s.Coordinate)] += s.Strength;
        var sliding = new bool[nFree];
        for (int u = 0; u < units; u++) if (modes[u] == UnitMode.Sliding) sliding[eq.SwitchingFreeIndices[u]] = true;
        var f = Enumerable.Range(0, nFree).Where(i => !sliding[i]).ToArray();
        int m = f.Length;
        var position = new int[units];
        var posOf = new int[nFree];
        Array.Fill(posOf, -1);
        for (int i = 0; i < m; i++) posOf[f[i]] = i;
        for (int u = 0; u < units; u++) position[u] = posOf[eq.SwitchingFreeIndices[u]];

        var dF = d.SubMatrixColumns(f);
        var lff = LinearAlgebra.Gram.TransposeTimesSelf(dF);
        for (int i = 0; i < m; i++) lff[i, i] += soft[f[i]];
        double[] lambda = [], v = [];
        int[] groups = [0];
        int nullModes = 0;
        LinearAlgebra.BandCholesky? chol = null;
        if (m > 0)
        {
            // A factor is kept only for a non-singular pattern (below); a singular one has no Cholesky factor at all. MathNet's
            // Cholesky bit for bit (null where it throws), at the band's cost.
            chol = LinearAlgebra.BandCholesky.TryCreate(lff.Values, m);
            var mm = lff * alpha;
            // MathNet's Evd(Symmetric), bit for bit, faster (one per visited pattern is most of an exact run's time).
            var (ev, vectors) = LinearAlgebra.SymmetricEvd.Of(mm);
            var order = Enumerable.Range(0, m).OrderBy(i => ev[i]).ToArray();
            lambda = order.Select(i => ev[i]).ToArray();
            double mergeTol = 64 * 2.220446049250313e-16 * Math.Abs(lambda[^1]);
            nullModes = NullModes(lambda, mergeTol, modes);
            if (nullModes > 0) chol = null;
            else if (chol is null) throw new InvalidOperationException($"L(σ)[F,F] is not positive definite for pattern {ModeKey.Describe(modes)}");
            v = new double[m * m];
            for (int i = 0; i < m; i++)
                for (int k = 0; k < m; k++) v[i * m + k] = vectors[order[k] * m + i];
            var g = new List<int> { 0 };
            // The null space is a group of its own, so that the switch search can set it apart (its terms are constants).
            for (int k = 1; k < m; k++) if (lambda[k] - lambda[k - 1] > mergeTol || k == nullModes) g.Add(k);
            g.Add(m);
            groups = g.ToArray();
        }

        var slidingShapes = new SlidingShape?[units];
        for (int u = 0; u < units; u++)
        {
            if (modes[u] != UnitMode.Sliding) continue;
            int q = eq.SwitchingFreeIndices[u];
            var thetaMasks = new MaskPattern[2];
            var dqs = new Vector<double>[2];
            var lrows = new Vector<double>[2];
            var rows = new double[2][];
            for (int th = 0; th < 2; th++)
            {
                MaskPattern mk = masks.Clone();
                mk.Theta[eq.SwitchingCoordinates[u]] = th;
                var dTh = th == 0 ? d : DenseMatrix.OfMatrix(problem.FreeCoboundary(mk));
                var dq = dTh.Column(q);
                var lrow = dTh.SubMatrixColumns(f).TransposeThisAndMultiply(dq); // L_θ[q, F]
                var row = new double[m];
                for (int k = 0; k < m; k++)
                {
                    double s = 0;
                    for (int i = 0; i < m; i++) s += lrow[i] * v[i * m + k];
                    row[k] = -alpha * s;
                }
                thetaMasks[th] = th == 0 ? masks : mk;
                dqs[th] = dq;
                lrows[th] = lrow;
                rows[th] = row;
            }
            slidingShapes[u] = new SlidingShape(q, thetaMasks, dqs, lrows, rows);
        }
        return new PatternShape(masks, f, position, dF, chol, v, lambda, groups, slidingShapes) { NullModes = nullModes };
    }

    /// <summary>
    /// The number of eigenvalues of α L(σ)[F,F] (ascending in <paramref name="lambda"/>) that are zero to rounding, |λ| ≤ 64 ε λ_max,
    /// set to exactly 0: the flow leaves those components where they are (a deep stack with large weights can make L(σ)[F,F] singular
    /// to machine precision, and its rounded eigenvalues then come out at ±1e−14). A clearly negative eigenvalue is a defect.
    /// </summary>
    internal static int NullModes(double[] lambda, double tolerance, UnitMode[] modes)
    {
        if (lambda[0] < -tolerance || !double.IsFinite(lambda[^1]))
            throw new InvalidOperationException($"α L(σ)[F,F] has a negative eigenvalue {lambda[0]} beyond rounding (λ_max {lambda[^1]}) for pattern {ModeKey.Describe(modes)}");
        int z = 0;
        while (z < lambda.Length && lambda[z] <= tolerance) lambda[z++] = 0;
        return z;
    }

    /// <summary>
    /// The segment of <paramref name="eq"/> (its pinned values and soft-pin targets) on a shape: b̃, r_F = δ_Fᵀ b̃, c* = L_FF⁻¹ r_F
    /// and the sliding units' constant surface forces — the same operations, in the same order, whether the shape was built for
    /// this equation or shared by many.
    /// </summary>
    internal static Segment Instantiate(PatternShape shape, HeatEquation eq)
    {
        var problem = eq.Problem;
        int nFree = eq.FreeDimension, units = shape.Position.Length;
        double alpha = eq.Alpha;
        var f = shape.F;
        int m = f.Length;
        var b = DenseVector.OfArray(problem.BoundaryTerm(shape.Masks));
        var softRhs = new double[nFree];
        foreach (var s in eq.SoftPins) softRhs[problem.FreeIndex(s.Coordinate)] += s.Strength * s.Target;
        var rF = shape.DF.TransposeThisAndMultiply(b);
        for (int i = 0; i < m; i++) rF[i] += softRhs[f[i]];
        double[] cStar = m == 0 ? [] : shape.NullModes == 0 ? shape.Cholesky!.Solve(rF.AsArray() ?? rF.ToArray()) : RangeSolve(shape, rF, alpha);
        var slidingData = new SlidingRows?[units];
        for (int u = 0; u < units; u++)
        {
            if (shape.Sliding[u] is not { } sl) continue;
            var consts = new double[2];
            for (int th = 0; th < 2; th++)
            {
                var bTh = th == 0 ? b : DenseVector.OfArray(problem.BoundaryTerm(sl.Masks[th]));
                double rq = sl.Dq[th].DotProduct(bTh) + softRhs[sl.Q];
                // f_θ(τ) = −α (L_θ[q,F] c_F(τ) − r_θ,q) with c_q = 0: constant part at c*, exponential part through V.
                consts[th] = -alpha * ((m == 0 ? 0 : sl.Lrow[th].DotProduct(DenseVector.OfArray(cStar))) - rq);
            }
            slidingData[u] = new SlidingRows(sl.Rows[0], consts[0], sl.Rows[1], consts[1]);
        }
        return new Segment(f, shape.Position, shape.V, shape.Lambda, cStar, shape.Groups, slidingData) { NullModes = shape.NullModes };
    }

    /// <summary>
    /// c* = L⁺ r_F on a singular pattern: V Λ⁺ Vᵀ (α r_F) over the non-null modes (r_F = δ_Fᵀ b̃ has no component in ker L, which is
    /// δ_F's kernel); the null components of a segment are its start's, so c* carries none.
    /// </summary>
    private static double[] RangeSolve(PatternShape shape, Vector<double> rF, double alpha)
    {
        int m = shape.F.Length;
        var v = shape.V;
        var c = new double[m];
        for (int k = shape.NullModes; k < m; k++)
        {
            double p = 0;
            for (int i = 0; i < m; i++) p += v[i * m + k] * rF[i];
            p *= alpha / shape.Lambda[k];
            for (int i = 0; i < m; i++) c[i] += v[i * m + k] * p;
        }
        return c;
    }

    /// <summary>A sliding unit's input-independent data: its free index, masks with θ = 0 and 1, δ_θ column q, L_θ[q, F], and the rows through V.</summary>
    internal sealed record SlidingShape(int Q, MaskPattern[] Masks, Vector<double>[] Dq, Vector<double>[] Lrow, double[][] Rows);

    /// <summary>The input-independent part of a segment (see <see cref="BuildShape"/>); read-only once built, so shareable across threads.</summary>
    internal sealed record PatternShape(MaskPattern Masks, int[] F, int[] Position, Matrix<double> DF,
        LinearAlgebra.BandCholesky? Cholesky, double[] V, double[] Lambda, int[] Groups, SlidingShape?[] Sliding)
    {
        /// <summary>Leading eigenvalues that are zero (see <see cref="NullModes"/>); a singular pattern has no Cholesky factor.</summary>
        public int NullModes { get; init; }
    }

    internal sealed record SlidingRows(double[] U0, double F0, double[] U1, double F1);

    internal sealed record Segment(int[] F, int[] Position, double[] V, double[] Lambda, double[] CStar, int[] Groups, SlidingRows?[] Sliding)
    {
        /// <summary>Leading modes with λ = 0: constant along the segment, not part of its distance to the limit.</summary>
        public int NullModes { get; init; }
    }

    /// <summary>Compact key of (σ, S): two bits per unit (active, sliding).</summary>
    internal sealed class ModeKey : IEquatable<ModeKey>
    {
        private readonly ulong[] _words;

        private ModeKey(ulong[] words) => _words = words;

        public static ModeKey Of(UnitMode[] modes)
        {
            var w = new ulong[(2 * modes.Length + 63) / 64];
            for (int u = 0; u < modes.Length; u++)
            {
                ulong bits = modes[u] switch { UnitMode.Active => 1UL, UnitMode.Sliding => 2UL, _ => 0UL };
                w[(2 * u) / 64] |= bits << ((2 * u) % 64);
            }
            return new ModeKey(w);
        }

        public static string Describe(UnitMode[] modes) =>
            string.Concat(modes.Select(m => m switch { UnitMode.Active => '1', UnitMode.Inactive => '0', _ => 's' }));

        public bool Equals(ModeKey? other) => other is not null && _words.AsSpan().SequenceEqual(other._words);

        public override bool Equals(object? obj) => Equals(obj as ModeKey);

        public override int GetHashCode()
        {
            var h = new HashCode();
            foreach (ulong w in _words) h.Add(w);
            return h.ToHashCode();
        }
    }
}

/// <summary>Column selection helper for MathNet matrices.</summary>
internal static class SubMatrixExtensions
{
    /// <summary>The columns <paramref name="columns"/> of <paramref name="m"/>, in that order.</summary>
    public static Matrix<double> SubMatrixColumns(this Matrix<double> m, int[] columns)
    {
        var r = DenseMatrix.Create(m.RowCount, columns.Length, 0.0);
        for (int k = 0; k < columns.Length; k++) r.SetColumn(k, m.Column(columns[k]));
        return r;
    }
}

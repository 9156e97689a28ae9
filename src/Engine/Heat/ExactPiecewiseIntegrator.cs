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

    /// <summary>Creates the integrator for a heat equation (its problem, α and soft pins).</summary>
    public ExactPiecewiseIntegrator(HeatEquation equation)
    {
        ArgumentNullException.ThrowIfNull(equation);
        _eq = equation.Clone();
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
        var problem = _eq.Problem;
        var sheaf = problem.Sheaf;
        int nFree = _eq.FreeDimension, units = modes.Length;
        double alpha = _eq.Alpha;
        var masks = MaskPattern.From(sheaf, problem.PinnedCochain());
        for (int u = 0; u < units; u++) masks.Theta[_eq.SwitchingCoordinates[u]] = modes[u] == UnitMode.Active ? 1.0 : 0.0;
        var d = DenseMatrix.OfMatrix(problem.FreeCoboundary(masks));
        var b = DenseVector.OfArray(problem.BoundaryTerm(masks));
        var soft = new double[nFree];
        var softRhs = new double[nFree];
        foreach (var s in _eq.SoftPins)
        {
            int p = problem.FreeIndex(s.Coordinate);
            soft[p] += s.Strength;
            softRhs[p] += s.Strength * s.Target;
        }
        var sliding = new bool[nFree];
        for (int u = 0; u < units; u++) if (modes[u] == UnitMode.Sliding) sliding[_eq.SwitchingFreeIndices[u]] = true;
        var f = Enumerable.Range(0, nFree).Where(i => !sliding[i]).ToArray();
        int m = f.Length;
        var position = new int[units];
        var posOf = new int[nFree];
        Array.Fill(posOf, -1);
        for (int i = 0; i < m; i++) posOf[f[i]] = i;
        for (int u = 0; u < units; u++) position[u] = posOf[_eq.SwitchingFreeIndices[u]];

        var dF = d.SubMatrixColumns(f);
        var lff = dF.TransposeThisAndMultiply(dF);
        var rF = dF.TransposeThisAndMultiply(b);
        for (int i = 0; i < m; i++)
        {
            lff[i, i] += soft[f[i]];
            rF[i] += softRhs[f[i]];
        }
        double[] cStar = [], lambda = [], v = [];
        int[] groups = [0];
        if (m > 0)
        {
            Vector<double> cs;
            try { cs = lff.Cholesky().Solve(rF); }
            catch (ArgumentException ex)
            {
                throw new InvalidOperationException($"L(σ)[F,F] is not positive definite for pattern {ModeKey.Describe(modes)}", ex);
            }
            cStar = cs.ToArray();
            var mm = lff * alpha;
            var evd = mm.Evd(Symmetricity.Symmetric);
            var ev = evd.EigenValues.Select(z => z.Real).ToArray();
            var order = Enumerable.Range(0, m).OrderBy(i => ev[i]).ToArray();
            lambda = order.Select(i => ev[i]).ToArray();
            if (!(lambda[0] > 0)) throw new InvalidOperationException($"α L(σ)[F,F] has a non-positive eigenvalue {lambda[0]} for pattern {ModeKey.Describe(modes)}");
            v = new double[m * m];
            for (int i = 0; i < m; i++)
                for (int k = 0; k < m; k++) v[i * m + k] = evd.EigenVectors[i, order[k]];
            var g = new List<int> { 0 };
            double mergeTol = 64 * 2.220446049250313e-16 * lambda[^1];
            for (int k = 1; k < m; k++) if (lambda[k] - lambda[k - 1] > mergeTol) g.Add(k);
            g.Add(m);
            groups = g.ToArray();
        }

        var slidingData = new SlidingRows?[units];
        for (int u = 0; u < units; u++)
        {
            if (modes[u] != UnitMode.Sliding) continue;
            int q = _eq.SwitchingFreeIndices[u];
            var rows = new double[2][];
            var consts = new double[2];
            for (int th = 0; th < 2; th++)
            {
                MaskPattern mk = masks.Clone();
                mk.Theta[_eq.SwitchingCoordinates[u]] = th;
                var dTh = th == 0 ? d : DenseMatrix.OfMatrix(problem.FreeCoboundary(mk));
                var bTh = th == 0 ? b : DenseVector.OfArray(problem.BoundaryTerm(mk));
                var dq = dTh.Column(q);
                var lrow = dTh.SubMatrixColumns(f).TransposeThisAndMultiply(dq); // L_θ[q, F]
                double rq = dq.DotProduct(bTh) + softRhs[q];
                // f_θ(τ) = −α (L_θ[q,F] c_F(τ) − r_θ,q) with c_q = 0: constant part at c*, exponential part through V.
                double fStar = -alpha * ((m == 0 ? 0 : lrow.DotProduct(DenseVector.OfArray(cStar))) - rq);
                var row = new double[m];
                for (int k = 0; k < m; k++)
                {
                    double s = 0;
                    for (int i = 0; i < m; i++) s += lrow[i] * v[i * m + k];
                    row[k] = -alpha * s;
                }
                rows[th] = row;
                consts[th] = fStar;
            }
            slidingData[u] = new SlidingRows(rows[0], consts[0], rows[1], consts[1]);
        }
        return new Segment(f, position, v, lambda, cStar, groups, slidingData);
    }

    internal sealed record SlidingRows(double[] U0, double F0, double[] U1, double F1);

    internal sealed record Segment(int[] F, int[] Position, double[] V, double[] Lambda, double[] CStar, int[] Groups, SlidingRows?[] Sliding);

    /// <summary>Compact key of (σ, S): two bits per unit (active, sliding).</summary>
    private sealed class ModeKey : IEquatable<ModeKey>
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

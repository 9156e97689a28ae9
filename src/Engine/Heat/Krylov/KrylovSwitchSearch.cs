using System.Numerics;
using ResidualSheaf.Engine.LinearAlgebra;

namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// The earliest switch of a Krylov model: every switching function is an exponential sum in the Ritz values, z_j(τ) = c*_j +
/// Σ_k a_k e^{−θ_k τ}, so units far from their surface are excluded by ‖ũ(τ)‖₂ ≤ β, the rest by rigorous safe steps and, near a
/// root, by <see cref="ExponentialSum.EarliestRise"/>. With a team of several threads the crossing units are searched in parallel
/// and the earliest is then chosen exactly as the serial scan chooses it (see <see cref="ParallelCrossings"/>). Allocation-free;
/// not thread-safe.
/// </summary>
internal sealed class KrylovSwitchSearch : ITeamJob
{
    /// <summary>Relative rounding band of the exclusions (the hysteresis of <see cref="ExponentialSum.EarliestRise"/>).</summary>
    private const double Band = 1e-12;

    private readonly int _units;
    private readonly int[] _pos;
    /// <summary>Units whose Ritz coefficients are formed together.</summary>
    private const int RowBlock = 4;

    private readonly double[] _a;
    private readonly double[] _rows;
    private readonly int[] _candidates;
    private readonly int[] _groups;
    private readonly KernelTeam _team;
    private readonly double[][] _partA;
    private readonly double[][] _partRows;
    private readonly double[] _times;
    private readonly double[] _limits;

    // The scan a parallel part works on (set before the team runs).
    private KrylovBasis? _basis;
    private int _k, _count;
    private double _horizon;
    private UnitMode[] _modes = [];
    private double[] _cstar = [];

    public KrylovSwitchSearch(HeatEquation equation, int kmax, KernelTeam team)
    {
        _units = equation.SwitchingCount;
        _pos = [.. equation.SwitchingFreeIndices];
        _a = new double[kmax];
        _rows = new double[RowBlock * kmax];
        _candidates = new int[_units];
        // Ritz values are never merged: each is its own group for the sign rule.
        _groups = Enumerable.Range(0, kmax + 1).ToArray();
        _team = team;
        _partA = new double[team.Threads][];
        _partRows = new double[team.Threads][];
        for (int p = 0; p < team.Threads; p++) (_partA[p], _partRows[p]) = (new double[kmax], new double[RowBlock * kmax]);
        _times = team.Threads > 1 ? new double[_units] : [];
        _limits = team.Threads > 1 ? new double[_units] : [];
    }

    /// <summary>No unit can change side: |z_j(τ) − c*_j| ≤ ‖u(τ)‖₂ ≤ ‖u(0)‖₂ = β, since exp(−τM) is a contraction.</summary>
    public bool Certified(ReadOnlySpan<double> cstar, double beta)
    {
        double margin = beta * (1 + 1e-12) + Band;
        for (int k = 0; k < _units; k++)
            if (Math.Abs(cstar[_pos[k]]) <= margin) return false;
        return true;
    }

    /// <summary>
    /// The earliest switching time in [0, horizon] over all units of the model fitted on k vectors of <paramref name="basis"/>
    /// (+∞ when none), non-sliding units first; <paramref name="sliding"/> supplies the exit functions of sliding units.
    /// </summary>
    public (double Time, int Unit, SwitchFunction Function) Scan(KrylovBasis basis, int k, double horizon, UnitMode[] modes,
        double[] cstar, KrylovSlidingForces sliding)
    {
        var w = basis.Weights(k);
        var q = basis.Q;
        double beta = 0;
        for (int j = 0; j < k; j++) beta += w[j] * w[j];
        beta = Math.Sqrt(beta);
        var a = _a.AsSpan(0, k);
        var roots = new Roots(basis.RitzValues, _groups, k);
        var search = new SwitchSearch(horizon);
        bool anySliding = false;
        // Units that can switch, in unit order (offers must come in that order: each search is cut at the earliest time so far).
        int count = 0;
        var candidates = _candidates;
        for (int u = 0; u < _units; u++)
        {
            if (modes[u] == UnitMode.Sliding) { anySliding = true; continue; }
            double gStar = cstar[_pos[u]];
            // |z(τ) − c*| ≤ ‖ũ(τ)‖₂ ≤ β: a unit that far on its own side never switches.
            double far = -SwitchSearch.CrossingSign(modes[u]) * gStar;
            if (far > beta * (1 + 1e-12) + Band * (1 + Math.Abs(gStar) + beta)) continue;
            candidates[count++] = u;
        }
        // Their exponential sums a = (row of V)·Q ∘ w, four units at a time.
        var rows = _rows.AsSpan(0, RowBlock * k);
        if (_team.Threads > 1 && (long)count * k * k >= 2L * _team.MinSplitWork)
            ParallelCrossings(basis, k, horizon, modes, cstar, count, ref search, roots);
        else
        {
            for (int b = 0; b < count; b += RowBlock)
            {
                int m = Math.Min(RowBlock, count - b);
                RitzRows(basis, candidates.AsSpan(b, m), k, q, rows);
                for (int r = 0; r < m; r++)
                {
                    int u = candidates[b + r];
                    var row = rows.Slice(r * k, k);
                    for (int j = 0; j < k; j++) a[j] = row[j] * w[j];
                    search.Offer(roots.Earliest(SwitchSearch.CrossingSign(modes[u]), cstar[_pos[u]], a, search.Limit), u, SwitchFunction.Crossing);
                }
            }
        }
        if (anySliding)
        {
            sliding.ExitRows(k, modes, cstar, q);
            for (int u = 0; u < _units; u++)
            {
                if (modes[u] != UnitMode.Sliding) continue;
                search.OfferSlidingExits(ref roots, u, sliding.ExitRow(u, false, k), sliding.ExitConstant(u, false),
                    sliding.ExitRow(u, true, k), sliding.ExitConstant(u, true), w, a);
            }
        }
        return (search.Time, search.Unit, search.Function);
    }

    /// <summary>
    /// The crossing part of <see cref="Scan"/> on the team, with the serial scan's result to the bit. The serial scan searches each
    /// unit up to the running limit (the earliest root so far, or the horizon); a search up to a limit L returns either +∞ or a
    /// root that every search up to a larger limit returns too (grids, safe steps and brackets do not depend on the limit, which
    /// only ends them). Each part scans its share of the units in order with its own running limit, recording each unit's limit
    /// and result; then, in unit order, a unit is searched again up to the true running limit, as the serial scan does, and offered
    /// only when its recorded root would be taken or its recorded limit was below the true one (otherwise the serial search, up to
    /// a limit no larger than the recorded one, could not have returned a root it takes).
    /// </summary>
    private void ParallelCrossings(KrylovBasis basis, int k, double horizon, UnitMode[] modes, double[] cstar, int count,
        ref SwitchSearch search, Roots roots)
    {
        (_basis, _k, _horizon, _modes, _cstar, _count) = (basis, k, horizon, modes, cstar, count);
        _team.Run(this);
        _basis = null;
        var w = basis.Weights(k);
        var a = _a.AsSpan(0, k);
        var row = _rows.AsSpan(0, k);
        for (int i = 0; i < count; i++)
        {
            double t = _times[i];
            if (!(t < search.Time && t <= horizon) && !(_limits[i] < search.Limit)) continue;
            int u = _candidates[i];
            RitzRows(basis, _candidates.AsSpan(i, 1), k, basis.Q, row);
            for (int j = 0; j < k; j++) a[j] = row[j] * w[j];
            search.Offer(roots.Earliest(SwitchSearch.CrossingSign(modes[u]), cstar[_pos[u]], a, search.Limit), u, SwitchFunction.Crossing);
        }
    }

    /// <summary>A contiguous share of the candidates, searched in order with the share's own running limit (<see cref="ParallelCrossings"/>).</summary>
    void ITeamJob.RunPart(int part, int parts)
    {
        var basis = _basis!;
        int k = _k;
        // Shares on whole blocks of four, so that each block's units are formed together as in the serial scan.
        int blocks = (_count + RowBlock - 1) / RowBlock;
        int lo = Math.Min(_count, blocks * part / parts * RowBlock), hi = Math.Min(_count, blocks * (part + 1) / parts * RowBlock);
        var w = basis.Weights(k);
        var a = _partA[part].AsSpan(0, k);
        var rows = _partRows[part].AsSpan(0, RowBlock * k);
        var roots = new Roots(basis.RitzValues, _groups, k);
        var local = new SwitchSearch(_horizon);
        for (int b = lo; b < hi; b += RowBlock)
        {
            int m = Math.Min(RowBlock, hi - b);
            RitzRows(basis, _candidates.AsSpan(b, m), k, basis.Q, rows);
            for (int r = 0; r < m; r++)
            {
                int u = _candidates[b + r];
                var row = rows.Slice(r * k, k);
                for (int j = 0; j < k; j++) a[j] = row[j] * w[j];
                double limit = local.Limit;
                double t = roots.Earliest(SwitchSearch.CrossingSign(_modes[u]), _cstar[_pos[u]], a, limit);
                (_times[b + r], _limits[b + r]) = (t, limit);
                local.Offer(t, u, SwitchFunction.Crossing);
            }
        }
    }

    /// <summary>
    /// out[r·k + j] = Σ_i V[units[r], i] Q[i, j] for up to <see cref="RowBlock"/> units, i ascending: per entry the same products
    /// and sums as one Axpy of Q's rows per basis vector (a zero entry of V, which that form skipped, adds an exact zero to a sum that
    /// is never −0), with the four units' sums sharing each load of Q.
    /// </summary>
    private static void RitzRows(KrylovBasis basis, ReadOnlySpan<int> units, int k, double[] q, Span<double> output)
    {
        int m = units.Length;
        ReadOnlySpan<double> r0 = basis.Row(units[0], k);
        ReadOnlySpan<double> r1 = m > 1 ? basis.Row(units[1], k) : r0;
        ReadOnlySpan<double> r2 = m > 2 ? basis.Row(units[2], k) : r0;
        ReadOnlySpan<double> r3 = m > 3 ? basis.Row(units[3], k) : r0;
        int vw = Vector<double>.Count;
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // Two vectors of columns per pass: eight independent sums keep the adders busy (four wait on each other's latency),
            // and with the four broadcasts and two loads they still fit the sixteen vector registers.
            for (; j + 2 * vw <= k; j += 2 * vw)
            {
                Vector<double> a0 = Vector<double>.Zero, a1 = Vector<double>.Zero, a2 = Vector<double>.Zero, a3 = Vector<double>.Zero;
                Vector<double> b0 = Vector<double>.Zero, b1 = Vector<double>.Zero, b2 = Vector<double>.Zero, b3 = Vector<double>.Zero;
                for (int i = 0; i < k; i++)
                {
                    var qa = new Vector<double>(q, i * k + j);
                    var qb = new Vector<double>(q, i * k + j + vw);
                    var x0 = new Vector<double>(r0[i]);
                    var x1 = new Vector<double>(r1[i]);
                    var x2 = new Vector<double>(r2[i]);
                    var x3 = new Vector<double>(r3[i]);
                    a0 += x0 * qa; b0 += x0 * qb;
                    a1 += x1 * qa; b1 += x1 * qb;
                    a2 += x2 * qa; b2 += x2 * qb;
                    a3 += x3 * qa; b3 += x3 * qb;
                }
                a0.CopyTo(output.Slice(j, vw)); b0.CopyTo(output.Slice(j + vw, vw));
                if (m > 1) { a1.CopyTo(output.Slice(k + j, vw)); b1.CopyTo(output.Slice(k + j + vw, vw)); }
                if (m > 2) { a2.CopyTo(output.Slice(2 * k + j, vw)); b2.CopyTo(output.Slice(2 * k + j + vw, vw)); }
                if (m > 3) { a3.CopyTo(output.Slice(3 * k + j, vw)); b3.CopyTo(output.Slice(3 * k + j + vw, vw)); }
            }
            for (; j + vw <= k; j += vw)
            {
                Vector<double> a0 = Vector<double>.Zero, a1 = Vector<double>.Zero, a2 = Vector<double>.Zero, a3 = Vector<double>.Zero;
                for (int i = 0; i < k; i++)
                {
                    var qv = new Vector<double>(q, i * k + j);
                    a0 += new Vector<double>(r0[i]) * qv;
                    a1 += new Vector<double>(r1[i]) * qv;
                    a2 += new Vector<double>(r2[i]) * qv;
                    a3 += new Vector<double>(r3[i]) * qv;
                }
                a0.CopyTo(output.Slice(j, vw));
                if (m > 1) a1.CopyTo(output.Slice(k + j, vw));
                if (m > 2) a2.CopyTo(output.Slice(2 * k + j, vw));
                if (m > 3) a3.CopyTo(output.Slice(3 * k + j, vw));
            }
        }
        for (; j < k; j++)
        {
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (int i = 0; i < k; i++)
            {
                double qij = q[i * k + j];
                s0 += r0[i] * qij;
                s1 += r1[i] * qij;
                s2 += r2[i] * qij;
                s3 += r3[i] * qij;
            }
            output[j] = s0;
            if (m > 1) output[k + j] = s1;
            if (m > 2) output[2 * k + j] = s2;
            if (m > 3) output[3 * k + j] = s3;
        }
    }

    /// <summary>The Krylov switching functions: safe-step exclusion first, <see cref="ExponentialSum.EarliestRise"/> near a root.</summary>
    private readonly struct Roots(double[] theta, int[] groups, int k) : ISwitchRoots
    {
        public double Earliest(double sign, double gStar, ReadOnlySpan<double> a, double limit) =>
            EarliestSwitch(sign, gStar, a, theta.AsSpan(0, k), groups.AsSpan(0, k + 1), limit);
    }

    /// <summary>
    /// Earliest τ ≤ <paramref name="horizon"/> where h = sign·(g* + Σ a_j e^{−θ_j τ}) reaches 0 from below, or +∞. Safe steps
    /// τ ← τ + (−h)/D(τ), with D(τ) = Σ|a_j θ_j| e^{−θ_j τ} ≥ |h'| on [τ, ∞), exclude roots rigorously and cheaply; a unit that
    /// starts in the hysteresis band or creeps towards 0 is handed to <see cref="ExponentialSum.EarliestRise"/>.
    /// </summary>
    private static double EarliestSwitch(double sign, double gStar, ReadOnlySpan<double> a, ReadOnlySpan<double> theta, ReadOnlySpan<int> groups, double horizon)
    {
        double sumAbs = 0;
        foreach (double v in a) sumAbs += Math.Abs(v);
        double band = Band * (1 + Math.Abs(gStar) + sumAbs);
        double far = -sign * gStar;
        if (far - sumAbs > band) return double.PositiveInfinity;
        double m = -ExponentialSum.Evaluate(sign, gStar, a, theta, 0);
        double tau = 0;
        if (m <= 100 * band && m >= -band)
        {
            // Just switched (h(0) ≈ 0): if h' (0) < 0, h ≤ h(0) + h'(0)τ + ½D₂τ² (D₂ = Σ|a_j|θ_j²) keeps h below −|h'(0)|²/(2D₂) + band
            // on (0, τ₁], τ₁ = |h'(0)|/D₂: no root there (the hysteresis of EarliestRise allows the same), so safe steps start at τ₁.
            double d1 = 0, d2 = 0;
            for (int j = 0; j < a.Length; j++)
            {
                d1 -= sign * a[j] * theta[j];
                d2 += Math.Abs(a[j]) * theta[j] * theta[j];
            }
            if (d1 < 0 && d2 > 0)
            {
                double t1 = -d1 / d2;
                double m1 = -ExponentialSum.Evaluate(sign, gStar, a, theta, t1);
                if (m1 > 100 * band && -d1 * -d1 / (2 * d2) > 2 * band) { tau = t1; m = m1; }
            }
        }
        if (m > 100 * band)
        {
            for (int it = 0; it < 48; it++)
            {
                double d = 0, tail = 0;
                for (int j = 0; j < a.Length; j++)
                {
                    double e = Math.Abs(a[j]) * Math.Exp(-theta[j] * tau);
                    tail += e;
                    d += e * theta[j];
                }
                if (far - tail > band || d == 0) return double.PositiveInfinity;
                double next = tau + m / d;
                if (next > horizon) return double.PositiveInfinity;
                double mn = -ExponentialSum.Evaluate(sign, gStar, a, theta, next);
                tau = next;
                m = mn;
                if (m <= 100 * band) break;
            }
        }
        return ExponentialSum.EarliestRise(sign, gStar, a, theta, groups, horizon);
    }
}

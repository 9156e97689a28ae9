using MathNet.Numerics.LinearAlgebra;
using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Sheaves;

namespace ResidualSheaf.Engine.Spectra;

/// <summary>
/// A proven lower bound on λ_♯ = min over fractional masks Θ ∈ [0, 1]^units of λ_min(L_free(Θ)), with no enumeration of patterns,
/// for problems whose δ_Ω is square and block unitriangular (<see cref="ForwardSubstitutionPlan"/>: MLP and junction sheaves with
/// only the input pinned). In definition order δ_Ω(Θ) = I − N(Θ) with N strictly lower triangular, so δ_Ω(Θ)⁻¹ = Σ_k N(Θ)^k and,
/// block by block, forward substitution of δ_Ω(Θ)u = v gives ‖u_g‖ ≤ ‖v_g‖ + Σ_h M_gh ‖u_h‖ whenever M_gh ≥ sup_Θ ‖N_gh(Θ)‖₂.
/// Hence the vector of block norms is at most X b with X = (I − M)⁻¹ ≥ 0 and b the block norms of v, so ‖δ_Ω(Θ)⁻¹‖₂ ≤ ‖X‖₂ for
/// every Θ and λ_min(L_free(Θ)) = σ_min(δ_Ω(Θ))² ≥ 1/‖X‖₂². ‖X‖₂² = ρ(XᵀX) is bounded from above by Collatz–Wielandt
/// (ρ(B) ≤ max_i (Bv)_i / v_i for B ≥ 0 and v > 0) after power iterations, so the bound stays rigorous however few iterations
/// run. Two partitions are tried — one block per edge (M_gh = the 2-norm of the block; a switching map's block is diagonal with
/// entries affine in θ, so its sup is at θ ∈ {0, 1}) and one block per coordinate (M = |N| entrywise) — and the better bound kept.
/// Sliding motion uses a principal submatrix of L_free, whose λ_min is no smaller (Cauchy interlacing), so E(t) ≤ E(0)e^{−2αλt}
/// holds with λ = <see cref="LowerBound"/> from every start.
/// </summary>
/// <param name="LowerBound">The certified λ (≤ λ_♯ ≤ λ_*).</param>
/// <param name="InverseNormBound">The bound on sup_Θ ‖δ_Ω(Θ)⁻¹‖₂ it comes from (LowerBound = 1/InverseNormBound² up to a rounding margin).</param>
/// <param name="Partition">Which partition gave it: <c>edge-blocks</c> or <c>entrywise</c>.</param>
public sealed record RateCertificate(double LowerBound, double InverseNormBound, string Partition)
{
    /// <summary>Relative margin taken off the bound for floating-point rounding in the norm computations (no cancellation occurs: every quantity is ≥ 0).</summary>
    public const double RoundingMargin = 1e-9;

    private const int PowerIterations = 60;

    /// <summary>The certificate, or null with the reason it does not apply (δ_Ω not square and unitriangular: chord, pinned output).</summary>
    public static RateCertificate? TryCompute(DirichletProblem problem, out string reason)
    {
        if (ForwardSubstitutionPlan.TryCreate(problem, out reason) is null) return null;
        var sheaf = problem.Sheaf;
        var edges = sheaf.Edges;
        // Definition order: the k-th free coordinate defined by the edges in order gets position k; it belongs to its edge's block.
        var pos = new int[sheaf.TotalDimension];
        Array.Fill(pos, -1);
        var block = new int[problem.FreeCoordinates.Count];
        int next = 0;
        for (int e = 0; e < edges.Count; e++)
        {
            var head = sheaf.Vertices[edges[e].Head];
            foreach (int s in edges[e].HeadMap.SelectedColumns!)
            {
                block[next] = e;
                pos[head.Offset + s] = next++;
            }
        }
        var one = new MaskPattern(sheaf.TotalDimension);
        var zero = new MaskPattern(sheaf.TotalDimension);
        zero.Theta.Clear();
        // |N| entrywise, max over θ ∈ {0, 1} (each entry is affine in one θ), and the edge-block norms.
        var entry = new Dictionary<(int Row, int Col), double>();
        var blockNorm = new Dictionary<(int G, int H), double>();
        for (int e = 0; e < edges.Count; e++)
        {
            var edge = edges[e];
            var tail = sheaf.Vertices[edge.Tail];
            var head = sheaf.Vertices[edge.Head];
            var sel = edge.HeadMap.SelectedColumns!;
            var sub = new Dictionary<int, Dictionary<(int, int), double>>(); // by source block: local (row, col) → |value| max
            foreach (var masks in new[] { one, zero })
                foreach (var (r, c, v) in edge.TailMap.Entries(masks))
                {
                    int j = tail.Offset + c;
                    if (problem.FreeIndex(j) < 0 || v == 0) continue;
                    int i = pos[head.Offset + sel[r]], k = pos[j];
                    var key = (i, k);
                    entry[key] = Math.Max(entry.GetValueOrDefault(key), Math.Abs(v));
                    if (!sub.TryGetValue(block[k], out var local)) sub[block[k]] = local = [];
                    local[(i, k)] = Math.Max(local.GetValueOrDefault((i, k)), Math.Abs(v));
                }
            foreach (var (h, local) in sub)
                blockNorm[(e, h)] = edge.TailMap is SwitchingMap ? SwitchingBlockNorm(local) : ConstantBlockNorm(edge, masks: one, local, pos, head, tail, sel);
        }
        double kEntry = InverseNormUpperBound(next, entry.Select(p => (p.Key.Row, p.Key.Col, p.Value)));
        double kBlock = InverseNormUpperBound(edges.Count, blockNorm.Select(p => (p.Key.G, p.Key.H, p.Value)));
        bool blocks = kBlock <= kEntry;
        double k2 = blocks ? kBlock : kEntry;
        return new RateCertificate((1 - RoundingMargin) / (k2 * k2), k2, blocks ? "edge-blocks" : "entrywise");
    }

    /// <summary>sup_θ of a diagonal switching block's 2-norm: its largest |entry| (rows and columns each hold at most one entry), else the Frobenius norm of the entrywise maxima.</summary>
    private static double SwitchingBlockNorm(Dictionary<(int, int), double> local)
    {
        bool diagonal = local.Keys.Select(k => k.Item1).Distinct().Count() == local.Count && local.Keys.Select(k => k.Item2).Distinct().Count() == local.Count;
        return diagonal ? local.Values.Max() : Math.Sqrt(local.Values.Sum(v => v * v));
    }

    /// <summary>The 2-norm of a constant block (signed entries), from its SVD with a relative margin for the SVD's rounding.</summary>
    private static double ConstantBlockNorm(Edge edge, MaskPattern masks, Dictionary<(int, int), double> local, int[] pos, Vertex head, Vertex tail, int[] sel)
    {
        var rows = local.Keys.Select(k => k.Item1).Distinct().Order().ToArray();
        var cols = local.Keys.Select(k => k.Item2).Distinct().Order().ToArray();
        var ri = rows.Select((r, i) => (r, i)).ToDictionary(p => p.r, p => p.i);
        var ci = cols.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
        var m = Matrix<double>.Build.Dense(rows.Length, cols.Length);
        foreach (var (r, c, v) in edge.TailMap.Entries(masks))
        {
            int i = pos[head.Offset + sel[r]], k = pos[tail.Offset + c];
            if (ri.TryGetValue(i, out int a) && ci.TryGetValue(k, out int b)) m[a, b] = v;
        }
        double frob = m.FrobeniusNorm();
        double two = m.RowCount * m.ColumnCount == 1 ? Math.Abs(m[0, 0]) : m.L2Norm();
        return Math.Min(frob, two * (1 + 1e-12) + 1e-300);
    }

    /// <summary>
    /// An upper bound on ‖(I − M)⁻¹‖₂ for a strictly lower-triangular M ≥ 0 (given as (row, col, value) with col &lt; row):
    /// power iterations on B = XᵀX with X = (I − M)⁻¹ (triangular solves), then Collatz–Wielandt max_i (Bv)_i / v_i ≥ ρ(B).
    /// </summary>
    public static double InverseNormUpperBound(int n, IEnumerable<(int Row, int Col, double Value)> strictlyLower)
    {
        var rows = new List<(int Col, double Value)>[n];
        for (int i = 0; i < n; i++) rows[i] = [];
        foreach (var (r, c, v) in strictlyLower)
        {
            if (c >= r) throw new ArgumentException($"entry ({r}, {c}) is not strictly lower triangular");
            if (v < 0) throw new ArgumentException("entries must be ≥ 0");
            rows[r].Add((c, v));
        }
        var v0 = new double[n];
        Array.Fill(v0, 1.0);
        var x = new double[n];
        var y = new double[n];
        double bound = double.PositiveInfinity;
        for (int it = 0; it < PowerIterations; it++)
        {
            // x = X v (forward substitution), y = Xᵀ x (backward substitution on the transpose).
            for (int i = 0; i < n; i++)
            {
                double s = v0[i];
                foreach (var (c, a) in rows[i]) s += a * x[c];
                x[i] = s;
            }
            Array.Copy(x, y, n);
            for (int i = n - 1; i >= 0; i--)
                foreach (var (c, a) in rows[i]) y[c] += a * y[i];
            double ratio = 0, norm = 0;
            for (int i = 0; i < n; i++)
            {
                ratio = Math.Max(ratio, y[i] / v0[i]);
                norm = Math.Max(norm, y[i]);
            }
            bound = Math.Min(bound, ratio);
            for (int i = 0; i < n; i++) v0[i] = y[i] / norm;
        }
        return Math.Sqrt(bound);
    }
}

using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;
using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Sheaves;

namespace ResidualSheaf.Engine.Stationary;

/// <summary>
/// Every stationary point of the heat flow ċ_Ω = −α∇E(c) with masks from the state, found by enumeration: for every binary
/// pattern σ of the free mask coordinates, the least-squares point of δ_Ω(σ)c_Ω = b̃(σ), kept when the masks recomputed from it
/// are σ; and for every sliding set S with a pattern on the rest, the least-squares point with c_S = 0, kept when the rest is
/// self-consistent and each j ∈ S satisfies the Filippov condition (0 between ż_j at θ_j = 0 and at θ_j = 1). For a unitriangular
/// sheaf with only the input pinned this returns the forward pass alone; for the chord sheaf, or any sheaf with a pinned output,
/// it can return several points.
/// </summary>
public static class StationaryPoints
{
    /// <summary>Binary patterns are enumerated up to this many free mask coordinates (2¹⁴ least-squares solves).</summary>
    public const int MaxPatternUnits = 14;

    /// <summary>Sliding sets are enumerated up to this many free mask coordinates (3⁹ least-squares solves).</summary>
    public const int MaxSlidingUnits = 9;

    /// <summary>True when <paramref name="problem"/> has at most <paramref name="maxPatternUnits"/> free mask coordinates.</summary>
    public static bool CanEnumerate(DirichletProblem problem, int maxPatternUnits = MaxPatternUnits) =>
        FreeMaskCoordinates(problem).Length <= Math.Min(maxPatternUnits, MaxPatternUnits);

    /// <summary>
    /// A flow's end state has reached a stationary point when their max-norm distance is at most this times (1 + ‖c‖∞):
    /// loose enough for an adaptive integrator's tolerance, far below the spacing of distinct points.
    /// </summary>
    public const double ReachedTolerance = 1e-4;

    /// <summary>True when <paramref name="distance"/> from an end state with max-norm <paramref name="scale"/> counts as reached.</summary>
    public static bool Reached(double distance, double scale) => distance <= ReachedTolerance * (1 + scale);

    /// <summary>
    /// Enumerates the stationary points; refuses (InvalidOperationException) above <see cref="MaxPatternUnits"/> units. Sliding
    /// sets are tried up to <paramref name="maxSlidingUnits"/> units (at most <see cref="MaxSlidingUnits"/>); above, the set
    /// holds the pattern points only and says so.
    /// </summary>
    public static StationarySet Enumerate(DirichletProblem problem, int maxSlidingUnits = MaxSlidingUnits)
    {
        var sheaf = problem.Sheaf;
        var units = FreeMaskCoordinates(problem);
        int n = units.Length;
        if (n > MaxPatternUnits)
            throw new InvalidOperationException($"stationary points need 2^{n} patterns; enumeration is limited to {MaxPatternUnits} free mask coordinates");
        bool sliding = n <= Math.Min(maxSlidingUnits, MaxSlidingUnits);
        var pinnedMasks = MaskPattern.From(sheaf, problem.PinnedCochain());
        var found = new List<(double[] C, double E, string Bits, int[] S)>();
        var state = new int[n]; // 0 inactive, 1 active, 2 sliding
        long solved = 0;
        int radix = sliding ? 3 : 2;
        long total = 1;
        for (int k = 0; k < n; k++) total *= radix;
        var work = new Workspace(sheaf);
        for (long code = 0; code < total; code++)
        {
            long rest = code;
            for (int k = 0; k < n; k++) { state[k] = (int)(rest % radix); rest /= radix; }
            solved++;
            var candidate = Solve(problem, units, state, pinnedMasks, work);
            if (candidate is null) continue;
            var (c, energy, slidingSet) = candidate.Value;
            if (found.Any(f => Same(f.C, c))) continue;
            found.Add((c, energy, Bits(sheaf, units, state, c), slidingSet));
        }
        var ordered = found.OrderBy(f => f.E).ThenBy(f => f.Bits, StringComparer.Ordinal).ToArray();
        var points = ordered.Select((f, i) => new StationaryPoint(f.C, f.E, f.Bits,
            f.S.Length == 0 ? StationaryKind.Pattern : StationaryKind.Sliding, f.S, i + 1)).ToArray();
        return new StationarySet(points, n, solved, sliding);
    }

    /// <summary>The free mask coordinates (units) of the problem, in global order.</summary>
    public static int[] FreeMaskCoordinates(DirichletProblem problem) =>
        problem.Sheaf.MaskCoordinates.Where(j => problem.FreeIndex(j) >= 0).ToArray();

    private sealed class Workspace(CellularSheaf sheaf)
    {
        public readonly double[] Residual = new double[sheaf.EdgeDimension];
        public readonly double[] Gradient = new double[sheaf.TotalDimension];
    }

    private static (double[] C, double E, int[] S)? Solve(DirichletProblem problem, int[] units, int[] state, MaskPattern pinnedMasks, Workspace work)
    {
        var sheaf = problem.Sheaf;
        var masks = pinnedMasks.Clone();
        var slidingSet = new List<int>();
        for (int k = 0; k < units.Length; k++)
        {
            masks.Theta[units[k]] = state[k] == 0 ? 0.0 : 1.0;
            if (state[k] == 2) slidingSet.Add(units[k]);
        }
        var a = problem.FreeCoboundary(masks).ToDenseMatrix();
        var b = DenseVector.OfArray(problem.BoundaryTerm(masks));
        // Columns kept: every free coordinate except the sliding ones, which are held at 0.
        var keep = new List<int>(a.ColumnCount);
        var drop = new HashSet<int>(slidingSet.Select(problem.FreeIndex));
        for (int col = 0; col < a.ColumnCount; col++) if (!drop.Contains(col)) keep.Add(col);
        var free = new double[a.ColumnCount];
        if (keep.Count > 0)
        {
            var sub = DenseMatrix.Create(a.RowCount, keep.Count, 0.0);
            for (int col = 0; col < keep.Count; col++) sub.SetColumn(col, a.Column(keep[col]));
            var x = LeastSquares(sub, b);
            for (int col = 0; col < keep.Count; col++) free[keep[col]] = x[col];
        }
        var c = problem.Embed(free);
        foreach (int j in slidingSet) c[j] = 0.0;
        double scale = 1 + Numerics.MaxAbs(c);
        // Self-consistency of the binary units: the masks recomputed from the point are the pattern used.
        for (int k = 0; k < units.Length; k++)
        {
            if (state[k] == 2) continue;
            if ((c[units[k]] >= 0 ? 1 : 0) != state[k]) return null;
        }
        double energy = Energy(sheaf, c, masks, work);
        if (slidingSet.Count > 0)
        {
            // Filippov condition per sliding unit: ż_j is affine in θ_j alone (θ_j multiplies c_j = 0 everywhere else).
            var g0 = Velocity(sheaf, c, masks, slidingSet, 0.0, work);
            var g1 = Velocity(sheaf, c, masks, slidingSet, 1.0, work);
            double tol = 1e-9 * scale;
            for (int i = 0; i < slidingSet.Count; i++)
                if (Math.Min(g0[i], g1[i]) > tol || Math.Max(g0[i], g1[i]) < -tol) return null;
        }
        return (c, energy, slidingSet.ToArray());
    }

    private static Vector<double> LeastSquares(Matrix<double> a, Vector<double> b)
    {
        var svd = a.Svd(computeVectors: false);
        double tol = Math.Max(a.RowCount, a.ColumnCount) * svd.S[0] * 4e-15;
        bool fullRank = svd.S.Count(s => s > tol) == a.ColumnCount;
        return fullRank ? a.QR(MathNet.Numerics.LinearAlgebra.Factorization.QRMethod.Thin).Solve(b) : a.PseudoInverse() * b;
    }

    private static double Energy(CellularSheaf sheaf, double[] c, MaskPattern masks, Workspace work)
    {
        Coboundary.Apply(sheaf, c, masks, work.Residual);
        return 0.5 * Numerics.Dot(work.Residual, work.Residual);
    }

    /// <summary>ż_j = −(δᵀδc)_j at the sliding coordinates with every sliding θ set to <paramref name="theta"/>.</summary>
    private static double[] Velocity(CellularSheaf sheaf, double[] c, MaskPattern masks, List<int> slidingSet, double theta, Workspace work)
    {
        var m = masks.Clone();
        foreach (int j in slidingSet) m.Theta[j] = theta;
        Coboundary.Apply(sheaf, c, m, work.Residual);
        Array.Clear(work.Gradient);
        Coboundary.TransposeMultiplyAdd(sheaf, work.Residual, m, work.Gradient);
        return slidingSet.Select(j => -work.Gradient[j]).ToArray();
    }

    private static bool Same(double[] a, double[] b) =>
        Numerics.MaxAbsDifference(a, b) <= 1e-9 * (1 + Math.Max(Numerics.MaxAbs(a), Numerics.MaxAbs(b)));

    private static string Bits(CellularSheaf sheaf, int[] units, int[] state, double[] c)
    {
        var masks = MaskPattern.From(sheaf, c);
        for (int k = 0; k < units.Length; k++) if (state[k] == 2) masks.Theta[units[k]] = 0.5;
        return masks.ToBitString(sheaf);
    }
}

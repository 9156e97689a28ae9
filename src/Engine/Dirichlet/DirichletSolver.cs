using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;
using ResidualSheaf.Engine.Sheaves;

namespace ResidualSheaf.Engine.Dirichlet;

/// <summary>
/// Solves the pinned Dirichlet problem: forward substitution when δ_Ω is square and unitriangular, least squares (QR, or SVD
/// when rank deficient) otherwise. Masks are those of the solution itself unless a fixed pattern is given.
/// </summary>
public static class DirichletSolver
{
    /// <summary>Largest number of least-squares solves in the mask fixed-point iteration.</summary>
    public const int MaxMaskIterations = 64;

    /// <summary>
    /// Solves the problem. <paramref name="fixedMasks"/> freezes the ReLU masks; otherwise they are made consistent with the
    /// solution (exactly by forward substitution, or by a fixed-point iteration for least squares starting from
    /// <paramref name="initialMasks"/>, all-active if null).
    /// </summary>
    public static DirichletSolution Solve(DirichletProblem problem, MaskPattern? fixedMasks = null, MaskPattern? initialMasks = null)
    {
        var plan = ForwardSubstitutionPlan.TryCreate(problem, out string reason);
        if (plan is not null)
        {
            var (c, masks) = plan.Solve(fixedMasks);
            return Finish(problem, c, masks, DirichletMethod.ForwardSubstitution, 1, reason);
        }
        var sheaf = problem.Sheaf;
        foreach (var e in sheaf.SmoothEdges)
            if (problem.FreeIndex(sheaf.Vertices[e.Head].Offset) < 0)
                throw new NotSupportedException($"least squares with the head of the smooth edge '{e.Name}' pinned is not supported (the problem is nonlinear)");
        var current = (fixedMasks ?? initialMasks)?.Clone() ?? new MaskPattern(sheaf.TotalDimension);
        double[] cochain = [];
        DirichletMethod method = DirichletMethod.LeastSquaresQr;
        int iterations = 0;
        var seen = new List<MaskPattern>();
        while (iterations < MaxMaskIterations)
        {
            iterations++;
            (cochain, method) = LeastSquares(problem, current);
            SmoothSubstitution.Apply(sheaf, cochain);
            if (fixedMasks is not null) break;
            var next = MaskPattern.From(sheaf, cochain);
            if (next.SameAs(current, sheaf)) break;
            // A cycle means no consistent pattern is reachable from here: stop and report the inconsistency.
            if (seen.Any(p => p.SameAs(next, sheaf))) break;
            seen.Add(current);
            current = next;
        }
        return Finish(problem, cochain, current, method, iterations, reason);
    }

    private static (double[] Cochain, DirichletMethod Method) LeastSquares(DirichletProblem problem, MaskPattern masks)
    {
        var a = problem.FreeCoboundary(masks).ToDenseMatrix();
        var b = DenseVector.OfArray(problem.BoundaryTerm(masks));
        if (a.ColumnCount == 0) return (problem.PinnedCochain(), DirichletMethod.LeastSquaresQr);
        // Fewer rows than columns: never full column rank.
        var qr = a.RowCount >= a.ColumnCount ? a.QR(MathNet.Numerics.LinearAlgebra.Factorization.QRMethod.Thin) : null;
        bool fullRank = qr is not null && WellConditioned(a, qr.R);
        if (!fullRank && qr is not null)
        {
            var svd = a.Svd(computeVectors: false);
            double tol = Math.Max(a.RowCount, a.ColumnCount) * svd.S[0] * 1e-15 * 4;
            fullRank = svd.S.Count(s => s > tol) == a.ColumnCount;
        }
        var x = fullRank ? qr!.Solve(b) : a.PseudoInverse() * b;
        return (problem.Embed(x.AsArray() ?? x.ToArray()), fullRank ? DirichletMethod.LeastSquaresQr : DirichletMethod.LeastSquaresSvd);
    }

    /// <summary>
    /// Whether κ(A) ≤ <see cref="RankProofCondition"/> follows from A = QR: σ_max ≤ ‖A‖_F and σ_min(A) = σ_min(R) ≥ 1/‖R⁻¹‖_F. Then
    /// every singular value is far above the rank tolerance (max(m, n)·σ_max·4e−15, more than a million times smaller, and the
    /// SVD's and QR's rounding, about n·ε·σ_max, smaller still), so the SVD would find full rank: it need not be computed.
    /// </summary>
    internal static bool WellConditioned(Matrix<double> a, Matrix<double> r)
    {
        int n = r.ColumnCount;
        double normA = a.FrobeniusNorm();
        if (!double.IsFinite(normA) || normA == 0) return false;
        var rr = r.ToColumnMajorArray();
        // ‖R⁻¹‖_F² column by column: R x = e_k by back substitution (x_i = 0 below row k).
        var x = new double[n];
        double sum = 0, limit = RankProofCondition / normA;
        limit *= limit;
        for (int k = 0; k < n; k++)
        {
            for (int i = k; i >= 0; i--)
            {
                double v = i == k ? 1.0 : 0.0;
                for (int j = i + 1; j <= k; j++) v -= rr[(j * n) + i] * x[j];
                double d = rr[(i * n) + i];
                if (d == 0) return false;
                x[i] = v / d;
                sum += x[i] * x[i];
            }
            if (!(sum <= limit)) return false;
        }
        return true;
    }

    /// <summary>The condition number below which a QR factor proves full rank without an SVD (<see cref="WellConditioned"/>).</summary>
    internal const double RankProofCondition = 1e8;

    private static DirichletSolution Finish(DirichletProblem problem, double[] c, MaskPattern masks, DirichletMethod method, int iterations, string note)
    {
        var sheaf = problem.Sheaf;
        var r = new double[sheaf.EdgeDimension];
        Coboundary.Apply(sheaf, c, masks, r);
        double smooth = SmoothResidual.Energy(sheaf, c);
        bool consistent = MaskPattern.From(sheaf, c).SameAs(masks, sheaf);
        return new DirichletSolution(c, method, smooth == 0 ? Numerics.Norm2(r) : Math.Sqrt(Numerics.Dot(r, r) + 2 * smooth), masks, consistent, iterations, note);
    }
}

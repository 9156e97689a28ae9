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
        var svd = a.Svd(computeVectors: false);
        double tol = Math.Max(a.RowCount, a.ColumnCount) * svd.S[0] * 1e-15 * 4;
        int rank = svd.S.Count(s => s > tol);
        Vector<double> x;
        DirichletMethod method;
        if (rank == a.ColumnCount)
        {
            x = a.QR(MathNet.Numerics.LinearAlgebra.Factorization.QRMethod.Thin).Solve(b);
            method = DirichletMethod.LeastSquaresQr;
        }
        else
        {
            x = a.PseudoInverse() * b;
            method = DirichletMethod.LeastSquaresSvd;
        }
        return (problem.Embed(x.AsArray() ?? x.ToArray()), method);
    }

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

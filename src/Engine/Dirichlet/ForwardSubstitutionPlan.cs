using ResidualSheaf.Engine.Sheaves;

namespace ResidualSheaf.Engine.Dirichlet;

/// <summary>
/// Checks, from structure alone, that δ_Ω is square and block unitriangular in the sheaf's edge order: every edge's head map
/// selects free head coordinates not defined before, every tail (and mask) coordinate is pinned or defined by an earlier edge,
/// and the edges define each free coordinate exactly once. Then δ_Ω c = b̃ is solved edge by edge with no matrix at all.
/// </summary>
public sealed class ForwardSubstitutionPlan
{
    private readonly DirichletProblem _problem;

    private ForwardSubstitutionPlan(DirichletProblem problem) => _problem = problem;

    /// <summary>The plan, or null with the reason forward substitution does not apply.</summary>
    public static ForwardSubstitutionPlan? TryCreate(DirichletProblem problem, out string reason)
    {
        var sheaf = problem.Sheaf;
        int rows = sheaf.EdgeDimension + SmoothResidual.Dimension(sheaf), cols = problem.FreeCoordinates.Count;
        if (rows != cols)
        {
            reason = $"δ_Ω is {rows}×{cols}, not square";
            return null;
        }
        var defined = new bool[sheaf.TotalDimension];
        foreach (var (j, _) in problem.Pins.Values) defined[j] = true;
        foreach (var e in sheaf.Edges)
        {
            var tail = sheaf.Vertices[e.Tail];
            var head = sheaf.Vertices[e.Head];
            for (int i = 0; i < tail.Dimension; i++)
                if (!defined[tail.Offset + i])
                {
                    reason = $"edge '{e.Name}' reads {sheaf.CoordinateName(tail.Offset + i)} before any earlier edge defines it";
                    return null;
                }
            if (e.TailMap is SwitchingMap rm)
                for (int i = 0; i < rm.Rows; i++)
                    if (!defined[rm.MaskOffset + i])
                    {
                        reason = $"edge '{e.Name}' needs the mask of {sheaf.CoordinateName(rm.MaskOffset + i)} before it is defined";
                        return null;
                    }
            var sel = e.HeadMap.SelectedColumns;
            if (sel is null)
            {
                reason = $"edge '{e.Name}' has a head map that is not a coordinate selection";
                return null;
            }
            foreach (int s in sel)
            {
                int j = head.Offset + s;
                if (problem.FreeIndex(j) < 0)
                {
                    reason = $"edge '{e.Name}' constrains pinned coordinate {sheaf.CoordinateName(j)}";
                    return null;
                }
                if (defined[j])
                {
                    reason = $"edge '{e.Name}' defines {sheaf.CoordinateName(j)} a second time";
                    return null;
                }
                defined[j] = true;
            }
        }
        // A smooth edge a = φ(z) (an output head) is one more unitriangular block row: z is defined before it, a by it.
        foreach (var e in sheaf.SmoothEdges)
        {
            var tail = sheaf.Vertices[e.Tail];
            var head = sheaf.Vertices[e.Head];
            for (int i = 0; i < tail.Dimension; i++)
                if (!defined[tail.Offset + i])
                {
                    reason = $"edge '{e.Name}' reads {sheaf.CoordinateName(tail.Offset + i)} before any earlier edge defines it";
                    return null;
                }
            for (int i = 0; i < head.Dimension; i++)
            {
                int j = head.Offset + i;
                if (problem.FreeIndex(j) < 0 || defined[j])
                {
                    reason = $"edge '{e.Name}' constrains {(defined[j] && problem.FreeIndex(j) >= 0 ? "an already defined" : "pinned")} coordinate {sheaf.CoordinateName(j)}";
                    return null;
                }
                defined[j] = true;
            }
        }
        reason = "δ_Ω is square and block unitriangular in topological order (det = 1)";
        return new ForwardSubstitutionPlan(problem);
    }

    /// <summary>
    /// Solves in edge order, smooth edges last (a = φ(z), forward substitution through the nonlinear edge). With <paramref name="fixedMasks"/> null the masks are recomputed from the values as they are
    /// defined (the network's forward pass); otherwise the given pattern is used throughout. Returns the cochain and the masks used.
    /// </summary>
    public (double[] Cochain, MaskPattern Masks) Solve(MaskPattern? fixedMasks)
    {
        var sheaf = _problem.Sheaf;
        var c = _problem.PinnedCochain();
        var masks = fixedMasks?.Clone() ?? new MaskPattern(sheaf.TotalDimension);
        int maxDim = sheaf.Edges.Count == 0 ? 0 : sheaf.Edges.Max(e => e.Dimension);
        var rhs = new double[maxDim];
        foreach (var e in sheaf.Edges)
        {
            var tail = sheaf.Vertices[e.Tail];
            var head = sheaf.Vertices[e.Head];
            if (fixedMasks is null && e.TailMap is SwitchingMap rm)
                for (int i = 0; i < rm.Rows; i++)
                {
                    int j = rm.MaskOffset + i;
                    masks.Theta[j] = c[j] >= 0 ? 1.0 : 0.0;
                }
            var r = rhs.AsSpan(0, e.Dimension);
            if (e.Affine is null) r.Clear(); else e.Affine.CopyTo(r);
            e.TailMap.MultiplyAdd(c.AsSpan(tail.Offset, tail.Dimension), r, 1.0, masks);
            var sel = e.HeadMap.SelectedColumns!;
            for (int i = 0; i < sel.Length; i++) c[head.Offset + sel[i]] = r[i];
        }
        SmoothSubstitution.Apply(sheaf, c);
        return (c, masks);
    }
}

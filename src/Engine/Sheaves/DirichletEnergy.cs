namespace ResidualSheaf.Engine.Sheaves;

/// <summary>
/// Dirichlet energy E(c) = ½ Σ_e ‖(δc)_e‖² and per-edge discord d_e = ‖(δc)_e‖² (so Σ d_e = 2E); smooth edges (output heads)
/// contribute ½‖a − φ(z)‖².
/// </summary>
public static class DirichletEnergy
{
    /// <summary>E(c) under the given masks.</summary>
    public static double Evaluate(CellularSheaf sheaf, ReadOnlySpan<double> cochain, MaskPattern masks)
    {
        var r = new double[sheaf.EdgeDimension];
        Coboundary.Apply(sheaf, cochain, masks, r);
        return 0.5 * Numerics.Dot(r, r) + SmoothResidual.Energy(sheaf, cochain);
    }

    /// <summary>E(c) with masks recomputed from c itself.</summary>
    public static double Evaluate(CellularSheaf sheaf, ReadOnlySpan<double> cochain) =>
        Evaluate(sheaf, cochain, MaskPattern.From(sheaf, cochain));

    /// <summary>Per-edge discord and its sums by edge kind and by layer.</summary>
    public static DiscordReport Discord(CellularSheaf sheaf, ReadOnlySpan<double> cochain, MaskPattern masks)
    {
        var r = new double[sheaf.EdgeDimension];
        Coboundary.Apply(sheaf, cochain, masks, r);
        var perEdge = new double[sheaf.Edges.Count];
        var byKind = new SortedDictionary<EdgeKind, double>();
        var byLayer = new SortedDictionary<int, double>();
        foreach (var e in sheaf.Edges)
        {
            var re = r.AsSpan(e.Offset, e.Dimension);
            double d = Numerics.Dot(re, re);
            perEdge[e.Id] = d;
            byKind[e.Kind] = byKind.GetValueOrDefault(e.Kind) + d;
            byLayer[e.Layer] = byLayer.GetValueOrDefault(e.Layer) + d;
        }
        double[] perSmooth = [];
        if (sheaf.HasSmoothEdges)
        {
            var rs = new double[SmoothResidual.Dimension(sheaf)];
            SmoothResidual.Apply(sheaf, cochain, rs);
            perSmooth = new double[sheaf.SmoothEdges.Count];
            int at = 0;
            foreach (var e in sheaf.SmoothEdges)
            {
                int n = sheaf.Vertices[e.Head].Dimension;
                var re = rs.AsSpan(at, n);
                double d = Numerics.Dot(re, re);
                perSmooth[e.Id] = d;
                byKind[EdgeKind.Head] = byKind.GetValueOrDefault(EdgeKind.Head) + d;
                byLayer[e.Layer] = byLayer.GetValueOrDefault(e.Layer) + d;
                at += n;
            }
        }
        return new DiscordReport(perEdge, byKind, byLayer) { PerSmoothEdge = perSmooth };
    }
}

/// <summary>Discord d_e = ‖(δc)_e‖² per edge (indexed by edge id), summed by kind and by layer.</summary>
/// <param name="PerEdge">d_e by edge id.</param>
/// <param name="ByKind">Σ d_e over edges of each kind.</param>
/// <param name="ByLayer">Σ d_e over edges of each layer.</param>
public sealed record DiscordReport(double[] PerEdge, IReadOnlyDictionary<EdgeKind, double> ByKind, IReadOnlyDictionary<int, double> ByLayer)
{
    /// <summary>d_e of the smooth edges (output heads) by smooth-edge id; empty without any.</summary>
    public double[] PerSmoothEdge { get; init; } = [];

    /// <summary>Σ_e d_e = 2E (smooth edges included).</summary>
    public double Total => PerEdge.Sum() + PerSmoothEdge.Sum();
}

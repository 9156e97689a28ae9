namespace ResidualSheaf.Engine.Sheaves;

/// <summary>The discrepancies a − φ(z) of a sheaf's <see cref="SmoothEdge"/>s (the nonlinear part of the coboundary).</summary>
public static class SmoothResidual
{
    /// <summary>Σ over smooth edges of their stalk dimension: the length of <see cref="Apply"/>'s result.</summary>
    public static int Dimension(CellularSheaf sheaf) => sheaf.SmoothEdges.Sum(e => sheaf.Vertices[e.Head].Dimension);

    /// <summary>Writes a − φ(z) of every smooth edge, in order, into <paramref name="result"/> (length <see cref="Dimension"/>).</summary>
    public static void Apply(CellularSheaf sheaf, ReadOnlySpan<double> cochain, Span<double> result)
    {
        int at = 0;
        foreach (var e in sheaf.SmoothEdges)
        {
            var t = sheaf.Vertices[e.Tail];
            var h = sheaf.Vertices[e.Head];
            var r = result.Slice(at, h.Dimension);
            e.Function.Evaluate(cochain.Slice(t.Offset, t.Dimension), r);
            for (int i = 0; i < r.Length; i++) r[i] = cochain[h.Offset + i] - r[i];
            at += h.Dimension;
        }
    }

    /// <summary>½ Σ ‖a − φ(z)‖² over the smooth edges (0 without any).</summary>
    public static double Energy(CellularSheaf sheaf, ReadOnlySpan<double> cochain)
    {
        if (!sheaf.HasSmoothEdges) return 0;
        var r = new double[Dimension(sheaf)];
        Apply(sheaf, cochain, r);
        return 0.5 * Numerics.Dot(r, r);
    }
}

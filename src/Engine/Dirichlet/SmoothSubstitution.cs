using ResidualSheaf.Engine.Sheaves;

namespace ResidualSheaf.Engine.Dirichlet;

/// <summary>
/// Sets the head of every smooth edge to φ(tail), in order. The head of a smooth edge (a_out) appears in no linear edge, so this
/// zeroes the smooth part of E without changing the linear part: after any solve of the linear part it gives the minimiser of E.
/// </summary>
internal static class SmoothSubstitution
{
    public static void Apply(CellularSheaf sheaf, Span<double> cochain)
    {
        foreach (var e in sheaf.SmoothEdges)
        {
            var t = sheaf.Vertices[e.Tail];
            var h = sheaf.Vertices[e.Head];
            var phi = new double[h.Dimension];
            e.Function.Evaluate(cochain.Slice(t.Offset, t.Dimension), phi);
            phi.CopyTo(cochain.Slice(h.Offset, h.Dimension));
        }
    }
}

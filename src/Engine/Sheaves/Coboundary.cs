using MathNet.Numerics.LinearAlgebra.Double;

namespace ResidualSheaf.Engine.Sheaves;

/// <summary>The affine coboundary (δc)_e = F_head c_head − F_tail c_tail − β_e and its adjoint, evaluated edge by edge.</summary>
public static class Coboundary
{
    /// <summary>Writes δc into <paramref name="result"/> (length EdgeDimension); the affine term is subtracted when <paramref name="includeAffine"/>.</summary>
    public static void Apply(CellularSheaf sheaf, ReadOnlySpan<double> cochain, MaskPattern masks, Span<double> result, bool includeAffine = true)
    {
        if (cochain.Length != sheaf.TotalDimension) throw new ArgumentException("cochain length differs from the sheaf's total dimension");
        if (result.Length != sheaf.EdgeDimension) throw new ArgumentException("result length differs from the sheaf's edge dimension");
        var vertices = sheaf.Vertices;
        foreach (var e in sheaf.Edges)
        {
            var r = result.Slice(e.Offset, e.Dimension);
            if (includeAffine && e.Affine is not null)
                for (int i = 0; i < r.Length; i++) r[i] = -e.Affine[i];
            else
                r.Clear();
            var h = vertices[e.Head];
            var t = vertices[e.Tail];
            e.HeadMap.MultiplyAdd(cochain.Slice(h.Offset, h.Dimension), r, 1.0, masks);
            e.TailMap.MultiplyAdd(cochain.Slice(t.Offset, t.Dimension), r, -1.0, masks);
        }
    }

    /// <summary>Adds scale · δᵀ r to <paramref name="cochain"/>: each edge adds F_headᵀ r_e to its head and −F_tailᵀ r_e to its tail.</summary>
    public static void TransposeMultiplyAdd(CellularSheaf sheaf, ReadOnlySpan<double> edgeValues, MaskPattern masks, Span<double> cochain, double scale = 1.0)
    {
        var vertices = sheaf.Vertices;
        foreach (var e in sheaf.Edges)
        {
            var r = edgeValues.Slice(e.Offset, e.Dimension);
            var h = vertices[e.Head];
            var t = vertices[e.Tail];
            e.HeadMap.TransposeMultiplyAdd(r, cochain.Slice(h.Offset, h.Dimension), scale, masks);
            e.TailMap.TransposeMultiplyAdd(r, cochain.Slice(t.Offset, t.Dimension), -scale, masks);
        }
    }

    /// <summary>The linear part of δ (EdgeDimension × TotalDimension) as a sparse matrix under the given masks.</summary>
    public static SparseMatrix Assemble(CellularSheaf sheaf, MaskPattern masks)
    {
        var entries = new List<Tuple<int, int, double>>();
        foreach (var e in sheaf.Edges)
        {
            var h = sheaf.Vertices[e.Head];
            var t = sheaf.Vertices[e.Tail];
            foreach (var (i, j, v) in e.HeadMap.Entries(masks)) entries.Add(Tuple.Create(e.Offset + i, h.Offset + j, v));
            foreach (var (i, j, v) in e.TailMap.Entries(masks)) entries.Add(Tuple.Create(e.Offset + i, t.Offset + j, -v));
        }
        // OfIndexed sums duplicates, which is right for self-loops and repeated entries.
        return SparseMatrix.OfIndexed(sheaf.EdgeDimension, sheaf.TotalDimension, entries);
    }
}

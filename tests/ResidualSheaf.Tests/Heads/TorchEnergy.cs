using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Sheaves;
using TorchSharp;
using static TorchSharp.torch;

namespace ResidualSheaf.Tests.Heads;

/// <summary>
/// An independent E and ∇E by TorchSharp autograd: the linear edges' restriction maps as dense float64 tensors (masks from the
/// state, held constant as in the flow), the head edge written with torch.sigmoid / torch.softmax. Uses none of the engine's force,
/// residual or head code.
/// </summary>
internal static class TorchEnergy
{
    /// <summary>∇E on the free coordinates at the full cochain <paramref name="c"/>; the head edge is included when <paramref name="head"/>.</summary>
    public static double[] Gradient(DirichletProblem p, double[] c, bool head = true)
    {
        using var scope = NewDisposeScope();
        var sheaf = p.Sheaf;
        var masks = MaskPattern.From(sheaf, c);
        var ct = tensor(c, dtype: ScalarType.Float64).requires_grad_(true);
        var e = zeros(1, dtype: ScalarType.Float64);
        foreach (var edge in sheaf.Edges)
        {
            var t = sheaf.Vertices[edge.Tail];
            var h = sheaf.Vertices[edge.Head];
            var r = mv(Dense(edge.HeadMap, masks), ct.narrow(0, h.Offset, h.Dimension))
                    - mv(Dense(edge.TailMap, masks), ct.narrow(0, t.Offset, t.Dimension));
            if (edge.Affine is not null) r = r - tensor(edge.Affine, dtype: ScalarType.Float64);
            e = e + 0.5 * (r * r).sum();
        }
        if (head)
            foreach (var s in sheaf.SmoothEdges)
            {
                var t = sheaf.Vertices[s.Tail];
                var h = sheaf.Vertices[s.Head];
                var z = ct.narrow(0, t.Offset, t.Dimension);
                var phi = s.Function.Name == "sigmoid" ? sigmoid(z) : softmax(z, 0);
                var r = ct.narrow(0, h.Offset, h.Dimension) - phi;
                e = e + 0.5 * (r * r).sum();
            }
        e.backward();
        var g = ct.grad!.data<double>().ToArray();
        return p.Restrict(g);
    }

    /// <summary>φ of a head by torch.</summary>
    public static double[] Phi(SmoothFunction f, double[] z)
    {
        using var scope = NewDisposeScope();
        var zt = tensor(z, dtype: ScalarType.Float64);
        return (f.Name == "sigmoid" ? sigmoid(zt) : softmax(zt, 0)).data<double>().ToArray();
    }

    private static Tensor Dense(RestrictionMap map, MaskPattern masks)
    {
        var m = new double[map.Rows * map.Columns];
        foreach (var (i, j, v) in map.Entries(masks)) m[i * map.Columns + j] += v;
        return tensor(m, dtype: ScalarType.Float64).reshape(map.Rows, map.Columns);
    }
}

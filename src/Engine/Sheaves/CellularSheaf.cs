namespace ResidualSheaf.Engine.Sheaves;

/// <summary>
/// A cellular sheaf on a directed graph: vertex stalks, edge stalks, restriction maps and affine terms. Immutable; build one
/// with <see cref="SheafBuilder"/>. Vertices and edges keep their insertion order, which builders make topological.
/// </summary>
public sealed class CellularSheaf
{
    internal CellularSheaf(IReadOnlyList<Vertex> vertices, IReadOnlyList<Edge> edges, IReadOnlyList<SmoothEdge>? smoothEdges = null)
    {
        Vertices = vertices;
        Edges = edges;
        SmoothEdges = smoothEdges ?? [];
        TotalDimension = vertices.Count == 0 ? 0 : vertices[^1].Offset + vertices[^1].Dimension;
        EdgeDimension = edges.Count == 0 ? 0 : edges[^1].Offset + edges[^1].Dimension;
        var masks = new SortedSet<int>();
        foreach (var e in edges)
            foreach (var map in new[] { e.TailMap, e.HeadMap })
                if (map is SwitchingMap r)
                    for (int i = 0; i < r.Rows; i++) masks.Add(r.MaskOffset + i);
        MaskCoordinates = masks.ToArray();
    }

    /// <summary>Vertices in insertion (topological) order.</summary>
    public IReadOnlyList<Vertex> Vertices { get; }

    /// <summary>Edges in insertion (topological) order.</summary>
    public IReadOnlyList<Edge> Edges { get; }

    /// <summary>
    /// Nonlinear edges with a smooth tail map (output heads), after the linear edges in topological order; empty for a
    /// piecewise-linear sheaf. <see cref="Edges"/>, <see cref="EdgeDimension"/> and <see cref="Coboundary"/> cover the linear part only.
    /// </summary>
    public IReadOnlyList<SmoothEdge> SmoothEdges { get; }

    /// <summary>True when the sheaf has a smooth (non-piecewise-linear) edge.</summary>
    public bool HasSmoothEdges => SmoothEdges.Count > 0;

    /// <summary>Σ_v dim F(v): length of a 0-cochain.</summary>
    public int TotalDimension { get; }

    /// <summary>Σ_e dim F(e): length of a 1-cochain.</summary>
    public int EdgeDimension { get; }

    /// <summary>
    /// Global coordinates whose sign selects the piece of a piecewise-linear map (<see cref="SwitchingMap"/>, e.g. a ReLU mask): the
    /// switching coordinates of the heat equation, in increasing order.
    /// </summary>
    public IReadOnlyList<int> MaskCoordinates { get; }

    /// <summary>The vertex with the given name.</summary>
    public Vertex Vertex(string name) =>
        Vertices.FirstOrDefault(v => v.Name == name) ?? throw new KeyNotFoundException($"no vertex named '{name}'");

    /// <summary>The stalk of a vertex inside a global cochain.</summary>
    public Span<double> Stalk(Span<double> cochain, Vertex v) => cochain.Slice(v.Offset, v.Dimension);

    /// <summary>The stalk of a vertex inside a global cochain (read-only).</summary>
    public ReadOnlySpan<double> Stalk(ReadOnlySpan<double> cochain, Vertex v) => cochain.Slice(v.Offset, v.Dimension);

    /// <summary>A readable name for global coordinate j, e.g. "z1[2]".</summary>
    public string CoordinateName(int j)
    {
        foreach (var v in Vertices)
            if (j >= v.Offset && j < v.Offset + v.Dimension) return $"{v.Name}[{j - v.Offset}]";
        throw new ArgumentOutOfRangeException(nameof(j));
    }
}

namespace ResidualSheaf.Engine.Sheaves;

/// <summary>Builds a <see cref="CellularSheaf"/>, checking every dimension as it goes.</summary>
public sealed class SheafBuilder
{
    private readonly List<Vertex> _vertices = [];
    private readonly List<Edge> _edges = [];
    private readonly List<SmoothEdge> _smooth = [];
    private int _vertexOffset;
    private int _edgeOffset;

    /// <summary>Adds a vertex with stalk R^dimension and returns it.</summary>
    public Vertex AddVertex(string name, int dimension, int layer = 0)
    {
        if (dimension <= 0) throw new ArgumentOutOfRangeException(nameof(dimension), $"vertex '{name}': stalk dimension must be positive");
        if (_vertices.Any(v => v.Name == name)) throw new ArgumentException($"duplicate vertex name '{name}'", nameof(name));
        var v = new Vertex(_vertices.Count, name, dimension, _vertexOffset, layer);
        _vertices.Add(v);
        _vertexOffset += dimension;
        return v;
    }

    /// <summary>Adds the edge tail → head with the given restriction maps and affine term.</summary>
    public Edge AddEdge(string name, Vertex tail, Vertex head, RestrictionMap tailMap, RestrictionMap headMap,
        double[]? affine = null, EdgeKind kind = EdgeKind.Other, int layer = 0, string? parameter = null)
    {
        if (_smooth.Count > 0) throw new InvalidOperationException($"edge '{name}': linear edges must come before the smooth edges");
        if (tailMap.Columns != tail.Dimension)
            throw new ArgumentException($"edge '{name}': tail map has {tailMap.Columns} columns but vertex '{tail.Name}' has dimension {tail.Dimension}");
        if (headMap.Columns != head.Dimension)
            throw new ArgumentException($"edge '{name}': head map has {headMap.Columns} columns but vertex '{head.Name}' has dimension {head.Dimension}");
        if (tailMap.Rows != headMap.Rows)
            throw new ArgumentException($"edge '{name}': tail map has {tailMap.Rows} rows, head map {headMap.Rows}");
        if (affine is not null && affine.Length != headMap.Rows)
            throw new ArgumentException($"edge '{name}': affine term has length {affine.Length}, edge stalk {headMap.Rows}");
        if (tailMap is SwitchingMap rt && rt.MaskOffset != tail.Offset && !IsVertexOffset(rt.MaskOffset, rt.Rows))
            throw new ArgumentException($"edge '{name}': switching map's mask does not point at a vertex stalk");
        var e = new Edge(_edges.Count, name, tail.Id, head.Id, tailMap, headMap, affine?.ToArray(), kind, layer, _edgeOffset) { Parameter = parameter };
        _edges.Add(e);
        _edgeOffset += e.Dimension;
        return e;
    }

    /// <summary>
    /// Adds the smooth edge tail → head with discrepancy head − φ(tail); both stalks must have the same dimension, at least
    /// φ's <see cref="SmoothFunction.MinimumDimension"/>. Smooth edges come after every linear edge.
    /// </summary>
    public SmoothEdge AddSmoothEdge(string name, Vertex tail, Vertex head, SmoothFunction function, OutputEdgeMode mode, int layer = 0)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (tail.Dimension != head.Dimension)
            throw new ArgumentException($"edge '{name}': tail '{tail.Name}' has dimension {tail.Dimension}, head '{head.Name}' {head.Dimension}");
        if (tail.Dimension < function.MinimumDimension)
            throw new ArgumentException($"edge '{name}': {function.Name} needs at least {function.MinimumDimension} coordinates, '{tail.Name}' has {tail.Dimension}");
        var e = new SmoothEdge(_smooth.Count, name, tail.Id, head.Id, function, mode, layer);
        _smooth.Add(e);
        return e;
    }

    private bool IsVertexOffset(int offset, int dim) => _vertices.Any(v => v.Offset == offset && v.Dimension == dim);

    /// <summary>The finished sheaf.</summary>
    public CellularSheaf Build() => new(_vertices.ToArray(), _edges.ToArray(), _smooth.ToArray());
}

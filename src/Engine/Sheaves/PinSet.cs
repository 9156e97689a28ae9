namespace ResidualSheaf.Engine.Sheaves;

/// <summary>Hard pins: a set of global coordinates (the boundary U) held at fixed values.</summary>
public sealed class PinSet
{
    private readonly SortedDictionary<int, double> _values = [];

    /// <summary>Pins every coordinate of a vertex to the given values.</summary>
    public PinSet PinVertex(Vertex v, ReadOnlySpan<double> values)
    {
        if (values.Length != v.Dimension)
            throw new ArgumentException($"pin of '{v.Name}': {values.Length} values for a stalk of dimension {v.Dimension}");
        for (int i = 0; i < v.Dimension; i++) Pin(v.Offset + i, values[i]);
        return this;
    }

    /// <summary>Pins one global coordinate.</summary>
    public PinSet Pin(int coordinate, double value)
    {
        if (!double.IsFinite(value)) throw new ArgumentException($"pin of coordinate {coordinate}: value {value} is not finite");
        _values[coordinate] = value;
        return this;
    }

    /// <summary>Pinned coordinates in increasing order with their values.</summary>
    public IReadOnlyDictionary<int, double> Values => _values;

    /// <summary>True if the coordinate is pinned.</summary>
    public bool IsPinned(int coordinate) => _values.ContainsKey(coordinate);

    /// <summary>Writes the pinned values into a global cochain.</summary>
    public void Apply(Span<double> cochain)
    {
        foreach (var (j, v) in _values) cochain[j] = v;
    }
}

namespace ResidualSheaf.Engine.Sheaves;

/// <summary>A directed edge tail → head with stalk R^Dimension; its coboundary is F_head c_head − F_tail c_tail − β.</summary>
/// <param name="Id">Index of the edge in the sheaf.</param>
/// <param name="Name">Human-readable name.</param>
/// <param name="Tail">Tail vertex id.</param>
/// <param name="Head">Head vertex id.</param>
/// <param name="TailMap">Restriction map F_{tail◁e}.</param>
/// <param name="HeadMap">Restriction map F_{head◁e}.</param>
/// <param name="Affine">Affine term β_e (length Dimension), or null for zero.</param>
/// <param name="Kind">Role of the edge.</param>
/// <param name="Layer">Network layer (or block) index.</param>
/// <param name="Offset">First coordinate of the edge stalk in the global edge space.</param>
public sealed record Edge(
    int Id,
    string Name,
    int Tail,
    int Head,
    RestrictionMap TailMap,
    RestrictionMap HeadMap,
    double[]? Affine,
    EdgeKind Kind,
    int Layer,
    int Offset)
{
    /// <summary>Dimension of the edge stalk.</summary>
    public int Dimension => HeadMap.Rows;

    /// <summary>
    /// The network parameter (state_dict prefix, e.g. "fc1" or "blocks.0.proj") whose weight is this edge's dense tail map and
    /// whose bias (if any) is its affine term; null for edges without a trainable map. Sheaf-based training moves exactly these.
    /// </summary>
    public string? Parameter { get; init; }
}

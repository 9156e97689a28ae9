namespace ResidualSheaf.Engine.Sheaves;

/// <summary>A vertex of the sheaf's graph with stalk R^Dimension, stored at <see cref="Offset"/> in the global cochain.</summary>
/// <param name="Id">Index of the vertex in the sheaf.</param>
/// <param name="Name">Human-readable name (z1, a1, p, ...).</param>
/// <param name="Dimension">Stalk dimension.</param>
/// <param name="Offset">First global coordinate of the stalk.</param>
/// <param name="Layer">Network layer (or block) the vertex belongs to; used to group diagnostics.</param>
public sealed record Vertex(int Id, string Name, int Dimension, int Offset, int Layer);

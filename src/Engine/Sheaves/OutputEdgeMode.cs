namespace ResidualSheaf.Engine.Sheaves;

/// <summary>
/// The force a <see cref="SmoothEdge"/> puts on its tail z (heads-and-training.md §1). The edge energy ½‖a − φ(z)‖² and the
/// force −(a − φ(z)) on the head a are the same in both modes.
/// </summary>
public enum OutputEdgeMode
{
    /// <summary>f_z = −J_φ(z)ᵀ (φ(z) − a): the exact gradient of the edge energy, so the heat flow stays the gradient flow of E.</summary>
    Jacobian,

    /// <summary>
    /// f_z = −(φ(z) − a) (cross-entropy-like, the reference library's other mode). Not the gradient of any edge energy: the flow is
    /// no longer a gradient flow of E, and E may rise.
    /// </summary>
    Identity,
}

namespace ResidualSheaf.Engine.Sheaves;

/// <summary>
/// A nonlinear edge tail → head whose tail map is a smooth function φ and whose head map is the identity: discrepancy
/// a − φ(z), edge energy ½‖a − φ(z)‖² (an output head, paper Theorem 4.2). Kept apart from the linear <see cref="Edge"/>s, so every
/// linear tool (δ_Ω, L_free, exact and Krylov flows) sees only the linear part and must refuse or handle these explicitly.
/// </summary>
/// <param name="Id">Index among the sheaf's smooth edges.</param>
/// <param name="Name">Human-readable name.</param>
/// <param name="Tail">Tail vertex id (z).</param>
/// <param name="Head">Head vertex id (a), same dimension as the tail.</param>
/// <param name="Function">φ.</param>
/// <param name="Mode">The force on the tail (<see cref="OutputEdgeMode"/>).</param>
/// <param name="Layer">Network layer index.</param>
public sealed record SmoothEdge(int Id, string Name, int Tail, int Head, SmoothFunction Function, OutputEdgeMode Mode, int Layer);

namespace ResidualSheaf.Engine.Heat;

/// <summary>A soft pin: adds ½γ(c_v − t)² to the energy for global coordinate v.</summary>
/// <param name="Coordinate">Global cochain coordinate v (must be free).</param>
/// <param name="Target">Target value t.</param>
/// <param name="Strength">Strength γ &gt; 0.</param>
public sealed record SoftPin(int Coordinate, double Target, double Strength);

namespace ResidualSheaf.Engine.Stationary;

/// <summary>How a stationary point of the heat flow rests.</summary>
public enum StationaryKind
{
    /// <summary>The least-squares point of one activation pattern whose masks, recomputed from the point, are that pattern.</summary>
    Pattern,

    /// <summary>
    /// A sliding (Filippov) equilibrium: some mask coordinates sit on their switching surface z_j = 0 and, for each of them, the
    /// two one-sided values of ż_j (θ_j = 0 and θ_j = 1) have opposite signs, so a fraction θ_j ∈ [0, 1] makes ż_j = 0; every
    /// other free coordinate has zero gradient.
    /// </summary>
    Sliding,
}

/// <summary>One stationary point of the gradient flow of the Dirichlet energy with state-dependent masks.</summary>
/// <param name="Cochain">The full cochain (pins included).</param>
/// <param name="Energy">E = ½‖δc‖² at the point (independent of θ on the sliding coordinates, where z_j = 0).</param>
/// <param name="Pattern">Bit string over the sheaf's mask coordinates: '1' active, '0' inactive, '~' sliding.</param>
/// <param name="Kind">Pattern point or sliding equilibrium.</param>
/// <param name="SlidingCoordinates">Global coordinates held on their switching surface (empty for a pattern point).</param>
/// <param name="Rank">1-based rank by energy among the points of its set (1 = lowest energy).</param>
public sealed record StationaryPoint(double[] Cochain, double Energy, string Pattern, StationaryKind Kind, IReadOnlyList<int> SlidingCoordinates, int Rank);

using System.Globalization;
using System.Text.Json.Nodes;
using ResidualSheaf.Engine;
using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Stationary;

namespace ResidualSheaf.Runner.Jobs;

/// <summary>
/// Which stationary point of the pinned problem a flow's end state is at: the enumerated set (<see cref="StationaryPoints"/>),
/// the nearest point, its rank by energy and whether the end state is within <see cref="StationaryPoints.ReachedTolerance"/> of it.
/// </summary>
/// <param name="Set">Every stationary point, lowest energy first.</param>
/// <param name="Nearest">The point nearest to the end state (null when the set is empty).</param>
/// <param name="Distance">Max-norm distance from the end state to <paramref name="Nearest"/>.</param>
/// <param name="Reached">True when the end state is at <paramref name="Nearest"/>.</param>
public sealed record StationaryReach(StationarySet Set, StationaryPoint? Nearest, double Distance, bool Reached)
{
    /// <summary>
    /// Enumerates the stationary points of <paramref name="problem"/> and locates <paramref name="finalCochain"/> (full cochain)
    /// among them; null when the problem has too many switching units to enumerate or soft pins change the energy.
    /// </summary>
    public static StationaryReach? Locate(DirichletProblem problem, ReadOnlySpan<double> finalCochain, bool softPins)
    {
        if (softPins || !StationaryPoints.CanEnumerate(problem)) return null;
        var set = StationaryPoints.Enumerate(problem);
        var near = set.Nearest(finalCochain);
        if (near is not { } n) return new StationaryReach(set, null, double.PositiveInfinity, false);
        return new StationaryReach(set, n.Point, n.Distance, StationaryPoints.Reached(n.Distance, Numerics.MaxAbs(finalCochain)));
    }

    /// <summary>The point reached as "k of m" (rank by energy of m points), or null when none was reached.</summary>
    public string? RankOf => Reached && Nearest is { } p ? $"{p.Rank} of {Set.Points.Count}" : null;

    /// <summary>The heat summary's <c>stationary_points</c> object.</summary>
    public JsonObject ToJson() => new()
    {
        ["enumerated"] = true,
        ["sliding_enumerated"] = Set.SlidingEnumerated,
        ["count"] = Set.Points.Count,
        ["pattern_points"] = Set.PatternPoints,
        ["sliding_equilibria"] = Set.SlidingPoints,
        ["lowest_energy"] = Set.Points.Count > 0 ? Set.Points[0].Energy : null,
        ["points"] = new JsonArray(Set.Points.Select(p => (JsonNode?)new JsonObject
        {
            ["rank"] = p.Rank,
            ["kind"] = p.Kind == StationaryKind.Pattern ? "pattern" : "sliding",
            ["pattern"] = p.Pattern,
            ["energy"] = p.Energy,
        }).ToArray()),
        ["reached"] = Reached,
        ["reached_rank"] = Reached ? Nearest!.Rank : null,
        ["reached_kind"] = Reached ? (Nearest!.Kind == StationaryKind.Pattern ? "pattern" : "sliding") : null,
        ["nearest_rank"] = Nearest?.Rank,
        ["nearest_distance"] = double.IsFinite(Distance) ? Distance : null,
        ["tolerance"] = $"reached when ‖c − point‖∞ ≤ {StationaryPoints.ReachedTolerance.ToString("G", CultureInfo.InvariantCulture)}·(1 + ‖c‖∞)",
    };

    /// <summary>The <c>stationary_points</c> object when nothing was enumerated.</summary>
    public static JsonObject NotEnumerated(bool softPins) => new()
    {
        ["enumerated"] = false,
        ["why"] = softPins ? "soft pins change the energy: its stationary points are not those of the pinned problem"
            : $"more than {StationaryPoints.MaxPatternUnits} free mask coordinates: patterns not enumerated",
    };
}

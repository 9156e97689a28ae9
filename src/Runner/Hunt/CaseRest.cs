using ResidualSheaf.Engine;
using ResidualSheaf.Engine.Stationary;
using ResidualSheaf.Models.Construction;

namespace ResidualSheaf.Runner.Hunt;

/// <summary>
/// Where a hunt flow came to rest among the stationary points of its pinned problem: the <c>rested_at</c> column and its rank.
/// A junction sheaf with only the input pinned has one stationary point, the forward pass (δ_Ω(Θ) is unitriangular for every
/// fractional mask Θ, so a zero gradient means a zero residual); otherwise the points are enumerated when the case has at most
/// <see cref="MaxUnits"/> switching units.
/// </summary>
/// <param name="Points">Number of stationary points m (null when not enumerated).</param>
/// <param name="SlidingPoints">How many of them are sliding equilibria (null when not enumerated or sliding sets were not tried).</param>
/// <param name="RestedAt">forward-pass | lowest-stationary-point | other-stationary-point | sliding-equilibrium | not-at-rest |
/// limit (the static solve's point, others not enumerated) | at-rest-unranked (a plateau, points not enumerated).</param>
/// <param name="Rank">Rank k by energy of the point reached (1 = lowest), or null.</param>
/// <param name="Energy">Energy of the point reached, or null.</param>
/// <param name="LowestEnergy">The lowest energy over all stationary points, or null.</param>
public sealed record CaseRest(int? Points, int? SlidingPoints, string RestedAt, int? Rank, double? Energy, double? LowestEnergy)
{
    /// <summary>Hunt cases enumerate stationary points up to this many switching units (2¹⁰ least-squares solves).</summary>
    public const int MaxUnits = 10;

    /// <summary>Sliding sets are tried up to this many switching units (3⁶ solves).</summary>
    public const int MaxSlidingUnits = 6;

    /// <summary>The enumerated set of a case (null when not enumerated or when the theorem gives the forward pass alone).</summary>
    public static StationarySet? Enumerate(CaseSetup s) =>
        IsJunctionInputOnly(s) || !StationaryPoints.CanEnumerate(s.Problem, MaxUnits) ? null : StationaryPoints.Enumerate(s.Problem, MaxSlidingUnits);

    /// <summary>Locates the end state <paramref name="finalFree"/> (free coordinates) of a run.</summary>
    public static CaseRest Locate(CaseSetup s, StationarySet? set, ReadOnlySpan<double> finalFree, bool converged, bool plateau)
    {
        if (IsJunctionInputOnly(s))
        {
            double d = Numerics.MaxAbsDifference(finalFree, s.Target);
            bool at = converged || StationaryPoints.Reached(d, Numerics.MaxAbs(finalFree));
            return new CaseRest(1, 0, at ? "forward-pass" : "not-at-rest", at ? 1 : null, at ? 0.0 : null, 0.0);
        }
        if (set is null)
            return new CaseRest(null, null, converged ? "limit" : plateau ? "at-rest-unranked" : "not-at-rest", null, null, null);
        var full = s.Problem.Embed(finalFree);
        var near = set.Nearest(full);
        int? sliding = set.SlidingEnumerated ? set.SlidingPoints : null;
        double? lowest = set.Points.Count > 0 ? set.Points[0].Energy : null;
        if (near is not { } n || !StationaryPoints.Reached(n.Distance, Numerics.MaxAbs(full)))
            return new CaseRest(set.Points.Count, sliding, "not-at-rest", null, null, lowest);
        var p = n.Point;
        bool forward = s.Case.Construction == SkipConstruction.Junction && p.Energy <= 1e-20 * (1 + Numerics.MaxAbs(full));
        string at2 = forward ? "forward-pass" : p.Kind == StationaryKind.Sliding ? "sliding-equilibrium"
            : p.Rank == 1 ? "lowest-stationary-point" : "other-stationary-point";
        return new CaseRest(set.Points.Count, sliding, at2, p.Rank, p.Energy, lowest);
    }

    private static bool IsJunctionInputOnly(CaseSetup s) => s.Case.Construction == SkipConstruction.Junction && s.OutputPin is null;
}

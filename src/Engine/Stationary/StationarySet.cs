namespace ResidualSheaf.Engine.Stationary;

/// <summary>Every stationary point found by enumeration, in increasing energy, and what was enumerated.</summary>
/// <param name="Points">The distinct stationary points, lowest energy first (<see cref="StationaryPoint.Rank"/> = index + 1).</param>
/// <param name="FreeMaskCoordinates">Number of free mask coordinates (units) n.</param>
/// <param name="PatternsSolved">Least-squares systems solved: 2ⁿ patterns, plus 3ⁿ − 2ⁿ (pattern, sliding set) pairs when sliding was enumerated.</param>
/// <param name="SlidingEnumerated">True when every sliding set was tried; false when only binary patterns were (3ⁿ above the limit).</param>
public sealed record StationarySet(IReadOnlyList<StationaryPoint> Points, int FreeMaskCoordinates, long PatternsSolved, bool SlidingEnumerated)
{
    /// <summary>Number of pattern (non-sliding) stationary points.</summary>
    public int PatternPoints => Points.Count(p => p.Kind == StationaryKind.Pattern);

    /// <summary>Number of sliding equilibria.</summary>
    public int SlidingPoints => Points.Count(p => p.Kind == StationaryKind.Sliding);

    /// <summary>
    /// The stationary point nearest to <paramref name="cochain"/> in max-norm, and that distance; null when the set is empty.
    /// A flow has reached a point when the distance is within its own tolerance (see <see cref="StationaryPoints.Reached"/>).
    /// </summary>
    public (StationaryPoint Point, double Distance)? Nearest(ReadOnlySpan<double> cochain)
    {
        StationaryPoint? best = null;
        double bestD = double.PositiveInfinity;
        foreach (var p in Points)
        {
            double d = Numerics.MaxAbsDifference(p.Cochain, cochain);
            if (d < bestD) { bestD = d; best = p; }
        }
        return best is null ? null : (best, bestD);
    }
}

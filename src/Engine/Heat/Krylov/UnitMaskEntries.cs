using ResidualSheaf.Engine.Sheaves;

namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// Where each switching unit's mask sits in δ: its single entry −θ_j (row of its ReLU edge, column of the masked tail coordinate) and
/// the head coordinate of that row, for rank-one updates of L⁻¹ when one mask flips and for the active surface force of a sliding
/// unit without a second evaluation. Row −1 (full recomputation) when a mask is used by several edges or not at all.
/// </summary>
internal sealed class UnitMaskEntries
{
    public UnitMaskEntries(HeatEquation equation)
    {
        int units = equation.SwitchingCount;
        var switchCoords = equation.SwitchingCoordinates;
        Row = Enumerable.Repeat(-1, units).ToArray();
        Column = Enumerable.Repeat(-1, units).ToArray();
        var uses = new int[units];
        Head = Enumerable.Repeat(-2, units).ToArray();
        var unitOf = new Dictionary<int, int>();
        for (int u = 0; u < units; u++) unitOf[switchCoords[u]] = u;
        var sheaf = equation.Sheaf;
        foreach (var e in sheaf.Edges)
        {
            // Any switching map at a head defeats the single-entry bookkeeping (full recomputation); the entry itself is the ReLU
            // form −θ_j of the map, so only a ReluMaskMap at the tail gives one (another piecewise-linear map would need its own).
            if (e.HeadMap is SwitchingMap) foreach (var u in unitOf.Values) uses[u] += 2;
            if (e.TailMap is not ReluMaskMap rm) continue;
            var tail = sheaf.Vertices[e.Tail];
            for (int i = 0; i < rm.Rows; i++)
                if (unitOf.TryGetValue(rm.MaskOffset + i, out int u))
                {
                    uses[u]++;
                    Row[u] = e.Offset + i;
                    Column[u] = equation.Problem.FreeIndex(tail.Offset + i);
                    var sel = e.HeadMap.SelectedColumns;
                    Head[u] = sel is null ? -2 : equation.Problem.FreeIndex(sheaf.Vertices[e.Head].Offset + sel[i]);
                }
        }
        for (int u = 0; u < units; u++) if (uses[u] != 1) Row[u] = -1;
        HeadsKnown = Enumerable.Range(0, units).All(u => Row[u] >= 0 && Head[u] != -2);
    }

    /// <summary>Edge row of each unit's single mask entry, −1 when it has none.</summary>
    public int[] Row { get; }

    /// <summary>Free column of that entry (the masked tail coordinate), −1 when none.</summary>
    public int[] Column { get; }

    /// <summary>Free index of the head coordinate of that row (−1 when pinned, −2 when unknown).</summary>
    public int[] Head { get; }

    /// <summary>True when every unit has a single mask entry with a known head.</summary>
    public bool HeadsKnown { get; }
}

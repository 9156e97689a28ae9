using ResidualSheaf.Engine.Sheaves;

namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// The exact Jacobian of the frozen-mode force, J = −α (L_free(σ) + Γ_soft) with the rows and columns of sliding units zeroed
/// (a sliding z_j is read as 0 and its force is 0). The force is affine inside a pattern, so J is constant there: one dense
/// matrix per visited pattern is assembled from δ_Ω(σ) and cached; a cache hit copies it without allocating.
/// </summary>
internal sealed class FrozenJacobian
{
    private readonly HeatEquation _eq;
    private readonly Dictionary<ulong, Entry> _cache = [];

    public FrozenJacobian(HeatEquation equation) => _eq = equation;

    /// <summary>Patterns assembled so far.</summary>
    public int Assembled { get; private set; }

    /// <summary>
    /// Writes the Jacobian of the force under <paramref name="modes"/> at <paramref name="state"/> into <paramref name="jacobian"/>:
    /// the cached piecewise-constant linear part plus, with a smooth output head, its state-dependent block.
    /// </summary>
    public void Fill(ReadOnlySpan<UnitMode> modes, ReadOnlySpan<double> state, double[,] jacobian)
    {
        Fill(modes, jacobian);
        if (_eq.HasSmoothHead) _eq.AddSmoothJacobian(state, jacobian);
    }

    /// <summary>Writes the Jacobian of the linear (piecewise-affine) part of the force under <paramref name="modes"/>.</summary>
    public void Fill(ReadOnlySpan<UnitMode> modes, double[,] jacobian)
    {
        // The id is a hash beyond 64 units and does not tell sliding from inactive below: the stored modes confirm a hit.
        ulong id = HeatPattern.Id(modes);
        if (!_cache.TryGetValue(id, out var entry) || !Same(modes, entry.Modes))
        {
            entry = new Entry(modes.ToArray(), Assemble(modes));
            _cache[id] = entry;
            Assembled++;
        }
        Array.Copy(entry.J, jacobian, entry.J.Length);
    }

    private static bool Same(ReadOnlySpan<UnitMode> a, UnitMode[] b)
    {
        for (int k = 0; k < a.Length; k++)
            if (a[k] != b[k]) return false;
        return true;
    }

    private double[,] Assemble(ReadOnlySpan<UnitMode> modes)
    {
        var problem = _eq.Problem;
        int n = _eq.FreeDimension;
        var masks = MaskPattern.From(problem.Sheaf, problem.PinnedCochain());
        for (int u = 0; u < modes.Length; u++) masks.Theta[_eq.SwitchingCoordinates[u]] = modes[u] == UnitMode.Active ? 1.0 : 0.0;
        var l = problem.FreeLaplacian(masks);
        foreach (var s in _eq.SoftPins)
        {
            int p = problem.FreeIndex(s.Coordinate);
            l[p, p] += s.Strength;
        }
        var sliding = new bool[n];
        for (int u = 0; u < modes.Length; u++) if (modes[u] == UnitMode.Sliding) sliding[_eq.SwitchingFreeIndices[u]] = true;
        var j = new double[n, n];
        double a = -_eq.Alpha;
        // The same products as through l's indexer, read from its column-major storage (not n² virtual indexer calls per pattern).
        var values = l.AsColumnMajorArray() ?? l.ToColumnMajorArray();
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
                j[r, c] = sliding[r] || sliding[c] ? 0.0 : a * values[(c * n) + r];
        return j;
    }

    private sealed record Entry(UnitMode[] Modes, double[,] J);
}

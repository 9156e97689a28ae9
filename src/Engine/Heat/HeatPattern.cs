namespace ResidualSheaf.Engine.Heat;

/// <summary>Compact identifiers of activation patterns, as reported to <see cref="IHeatObserver.OnSample"/>.</summary>
public static class HeatPattern
{
    private const ulong FnvOffset = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;

    /// <summary>
    /// For ≤ 64 units: bit k set iff unit k is Active (a sliding unit's bit is clear, as for an inactive one). For more units: the
    /// 64-bit FNV-1a hash of the mode bytes (0 Active, 1 Inactive, 2 Sliding), which also tells sliding from inactive.
    /// </summary>
    public static ulong Id(ReadOnlySpan<UnitMode> modes)
    {
        if (modes.Length <= 64)
        {
            ulong bits = 0;
            for (int k = 0; k < modes.Length; k++)
                if (modes[k] == UnitMode.Active) bits |= 1UL << k;
            return bits;
        }
        ulong h = FnvOffset;
        foreach (var m in modes)
        {
            h ^= (byte)m;
            h *= FnvPrime;
        }
        return h;
    }
}

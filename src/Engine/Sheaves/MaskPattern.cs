namespace ResidualSheaf.Engine.Sheaves;

/// <summary>
/// Mask values θ ∈ [0, 1] of the switching maps (<see cref="SwitchingMap"/>; a ReLU's R(z) = diag(θ)) indexed by global cochain
/// coordinate (only mask-carrying coordinates are read). 1 = active (c_j ≥ 0), 0 = inactive, fractions are Filippov convex
/// combinations on a switching surface.
/// </summary>
public sealed class MaskPattern
{
    private readonly double[] _theta;

    /// <summary>Creates a pattern over <paramref name="totalDimension"/> coordinates, all active.</summary>
    public MaskPattern(int totalDimension)
    {
        _theta = new double[totalDimension];
        Array.Fill(_theta, 1.0);
    }

    /// <summary>The mask values by global coordinate.</summary>
    public Span<double> Theta => _theta;

    /// <summary>Sets θ_j = 1[c_j ≥ 0] at every mask-carrying coordinate (z = 0 counts as active, as in the authors' code).</summary>
    public void UpdateFrom(CellularSheaf sheaf, ReadOnlySpan<double> cochain)
    {
        foreach (int j in sheaf.MaskCoordinates) _theta[j] = cochain[j] >= 0 ? 1.0 : 0.0;
    }

    /// <summary>The pattern recomputed from a cochain.</summary>
    public static MaskPattern From(CellularSheaf sheaf, ReadOnlySpan<double> cochain)
    {
        var m = new MaskPattern(sheaf.TotalDimension);
        m.UpdateFrom(sheaf, cochain);
        return m;
    }

    /// <summary>A copy of this pattern.</summary>
    public MaskPattern Clone()
    {
        var m = new MaskPattern(_theta.Length);
        _theta.CopyTo(m._theta, 0);
        return m;
    }

    /// <summary>True when both patterns agree at every mask-carrying coordinate of the sheaf.</summary>
    public bool SameAs(MaskPattern other, CellularSheaf sheaf)
    {
        foreach (int j in sheaf.MaskCoordinates)
            if (_theta[j] != other._theta[j]) return false;
        return true;
    }

    /// <summary>The binary pattern as a string of 0/1 over the sheaf's mask coordinates (fractions shown as '~').</summary>
    public string ToBitString(CellularSheaf sheaf) =>
        string.Concat(sheaf.MaskCoordinates.Select(j => _theta[j] switch { 1.0 => '1', 0.0 => '0', _ => '~' }));
}

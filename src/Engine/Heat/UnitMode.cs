namespace ResidualSheaf.Engine.Heat;

/// <summary>Frozen mode of one switching (mask-carrying) unit, used by event-driven integrators.</summary>
public enum UnitMode
{
    /// <summary>θ_j = 1 (z_j ≥ 0).</summary>
    Active,
    /// <summary>θ_j = 0 (z_j &lt; 0).</summary>
    Inactive,
    /// <summary>Filippov sliding on z_j = 0: the coordinate is read as 0 and its force component is zeroed.</summary>
    Sliding,
}

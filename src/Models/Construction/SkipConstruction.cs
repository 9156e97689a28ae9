namespace ResidualSheaf.Models.Construction;

/// <summary>How a skip connection becomes part of the sheaf.</summary>
public enum SkipConstruction
{
    /// <summary>Exact: a junction vertex holds both addends, one copy edge per addend and a sum edge (sheaf-math §3.2).</summary>
    Junction,
    /// <summary>The book's chord: branch and skip both land on the post-addition vertex, each demanding equality (§3.1).</summary>
    Chord,
}

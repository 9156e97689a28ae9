namespace ResidualSheaf.Engine.Sheaves;

/// <summary>The role an edge plays in the network's computation; used to group discord.</summary>
public enum EdgeKind
{
    /// <summary>Affine layer: F_tail = W, F_head = I (or a junction projection), β = bias.</summary>
    Weight,
    /// <summary>ReLU: F_tail = R(z), the mask of the tail's current value.</summary>
    Relu,
    /// <summary>Skip edge into a junction vertex (copy of an addend, F_tail = I or P).</summary>
    Skip,
    /// <summary>Sum edge out of a junction vertex (F_tail = [I … I]).</summary>
    Sum,
    /// <summary>The book's identity–identity chord: demands equality rather than addition.</summary>
    Chord,
    /// <summary>Any other edge.</summary>
    Other,
    /// <summary>A smooth output head z → a_out (<see cref="SmoothEdge"/>): discrepancy a_out − φ(z).</summary>
    Head,
}

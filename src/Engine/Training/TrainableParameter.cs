namespace ResidualSheaf.Engine.Training;

/// <summary>
/// One trained network parameter: the dense tail map W (rows × columns, row-major) of a sheaf edge and, when the edge has an
/// affine term, its bias b; both live in the parameter block of the joint state at the given offsets.
/// </summary>
/// <param name="Name">The state_dict prefix ("fc1", "blocks.0.proj").</param>
/// <param name="Edge">Index of the edge in the sheaf.</param>
/// <param name="Rows">Output width (rows of W).</param>
/// <param name="Columns">Input width (columns of W).</param>
/// <param name="WeightOffset">Offset of W in the parameter block.</param>
/// <param name="BiasOffset">Offset of b in the parameter block, or −1 when the edge has no bias.</param>
public sealed record TrainableParameter(string Name, int Edge, int Rows, int Columns, int WeightOffset, int BiasOffset)
{
    /// <summary>Whether the parameter has a bias.</summary>
    public bool HasBias => BiasOffset >= 0;

    /// <summary>Number of scalars (weight and bias) it occupies.</summary>
    public int Length => Rows * Columns + (HasBias ? Rows : 0);
}

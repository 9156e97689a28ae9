namespace ResidualSheaf.Models.Weights;

/// <summary>A named tensor's shape and row-major float64 values (a state_dict entry without TorchSharp).</summary>
/// <param name="Shape">Tensor shape.</param>
/// <param name="Values">Row-major values.</param>
public sealed record NamedArray(long[] Shape, double[] Values);

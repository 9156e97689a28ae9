namespace ResidualSheaf.Models.Onnx;

/// <summary>
/// An ONNX file the product cannot turn into a sheaf: not an ONNX model, an unsupported operator, a shape that does not resolve,
/// a missing initializer. <see cref="Node"/> names the graph node at fault (or is null when the file itself is).
/// </summary>
public sealed class OnnxModelException(string? node, string problem)
    : Exception(node is null ? problem : $"ONNX node '{node}': {problem}")
{
    /// <summary>Name of the offending node (its ONNX name, or op type and output when it has none), or null.</summary>
    public string? Node { get; } = node;

    /// <summary>What is wrong.</summary>
    public string Problem { get; } = problem;
}

using Onnx;
using ResidualSheaf.Models.Graph;
using ResidualSheaf.Models.Networks;

namespace ResidualSheaf.Models.Onnx;

/// <summary>
/// A ReLU network read from an ONNX file: its <see cref="LayerGraph"/> (architecture from the graph, weights from the
/// initializers in float64), ready for <see cref="Construction.SheafConstructor"/>. Vertices are named by the ONNX tensors
/// holding their values and edges by the ONNX nodes computing them.
/// </summary>
public sealed class OnnxNetwork : INetwork
{
    private OnnxNetwork(string source, LayerGraph graph, IReadOnlyList<LinearLayer> layers, bool isFloat32, int nodeCount)
    {
        Source = source;
        Graph = graph;
        Layers = layers;
        IsFloat32 = isFloat32;
        NodeCount = nodeCount;
    }

    /// <summary>The file (or name) the model was read from.</summary>
    public string Source { get; }

    /// <inheritdoc/>
    public LayerGraph Graph { get; }

    /// <inheritdoc/>
    public IReadOnlyList<LinearLayer> Layers { get; }

    /// <summary>True when the model computes in float32 (its input and weights); its weights are widened exactly to float64.</summary>
    public bool IsFloat32 { get; }

    /// <summary>Number of ONNX nodes in the file's graph.</summary>
    public int NodeCount { get; }

    /// <inheritdoc/>
    public int InputDimension => Graph.Input.Width;

    /// <inheritdoc/>
    public int OutputDimension => Graph.Output.Width;

    /// <summary>Reads an .onnx file.</summary>
    /// <exception cref="OnnxModelException">The file is not an ONNX model or holds something that is not a ReLU network we map.</exception>
    public static OnnxNetwork Load(string path) => FromBytes(File.ReadAllBytes(path), path);

    /// <summary>Reads the bytes of an .onnx file; <paramref name="source"/> names it.</summary>
    public static OnnxNetwork FromBytes(byte[] bytes, string source) => FromModel(OnnxGraphReader.Parse(bytes, source), source);

    /// <summary>Reads a parsed ONNX model.</summary>
    public static OnnxNetwork FromModel(ModelProto model, string source)
    {
        var reader = OnnxGraphReader.Read(model);
        var (graph, layers) = OnnxLayerGraph.Build(reader.Ops, reader.Output);
        return new OnnxNetwork(source, graph, layers, reader.IsFloat32, model.Graph.Node.Count);
    }

    /// <inheritdoc/>
    public double[] Forward(ReadOnlySpan<double> x) => Graph.Forward(x);

    /// <inheritdoc/>
    public string Describe()
    {
        int relus = Graph.Nodes.Count(n => n.Kind == LayerKind.Relu), adds = Graph.Nodes.Count(n => n.Kind == LayerKind.Add);
        return $"ONNX model {Path.GetFileName(Source)} ({(IsFloat32 ? "float32" : "float64")}): {InputDimension} → {OutputDimension}, " +
            $"{Layers.Count} affine layer(s), {relus} ReLU(s), {adds} addition(s)";
    }
}

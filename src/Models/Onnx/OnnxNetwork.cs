using Onnx;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Graph;
using ResidualSheaf.Models.Networks;

namespace ResidualSheaf.Models.Onnx;

/// <summary>
/// A ReLU network (with an optional sigmoid or softmax output head) read from an ONNX file: its <see cref="LayerGraph"/> (architecture from the graph, weights from the
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

    /// <summary>
    /// Reads an .onnx file. A final Sigmoid, or Softmax over the last axis, becomes the Output node's head, its output edge in
    /// <paramref name="headMode"/> (which the file cannot say).
    /// </summary>
    /// <exception cref="OnnxModelException">The file is not an ONNX model or holds something that is not a ReLU network we map.</exception>
    public static OnnxNetwork Load(string path, OutputEdgeMode headMode = OutputEdgeMode.Jacobian) => FromBytes(File.ReadAllBytes(path), path, headMode);

    /// <summary>Reads the bytes of an .onnx file; <paramref name="source"/> names it.</summary>
    public static OnnxNetwork FromBytes(byte[] bytes, string source, OutputEdgeMode headMode = OutputEdgeMode.Jacobian) =>
        FromModel(OnnxGraphReader.Parse(bytes, source), source, headMode);

    /// <summary>Reads a parsed ONNX model.</summary>
    public static OnnxNetwork FromModel(ModelProto model, string source, OutputEdgeMode headMode = OutputEdgeMode.Jacobian)
    {
        var reader = OnnxGraphReader.Read(model);
        var (graph, layers) = OnnxLayerGraph.Build(reader.Ops, reader.Output, headMode);
        return new OnnxNetwork(source, graph, layers, reader.IsFloat32, model.Graph.Node.Count);
    }

    /// <inheritdoc/>
    public double[] Forward(ReadOnlySpan<double> x) => Graph.Forward(x);

    /// <inheritdoc/>
    public string Describe()
    {
        int relus = Graph.Nodes.Count(n => n.Kind == LayerKind.Relu), adds = Graph.Nodes.Count(n => n.Kind == LayerKind.Add);
        return $"ONNX model {Path.GetFileName(Source)} ({(IsFloat32 ? "float32" : "float64")}): {InputDimension} → {OutputDimension}, " +
            $"{Layers.Count} affine layer(s), {relus} ReLU(s), {adds} addition(s){OutputHeads.Describe(Graph.Output)}";
    }
}

using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Graph;
using ResidualSheaf.Models.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace ResidualSheaf.Models.Torch;

/// <summary>
/// A TorchSharp forward pass of any <see cref="LayerGraph"/> node by node with torch's own kernels (linear, conv2d, avg_pool2d,
/// relu, +, softmax / sigmoid), the graph's weights copied in: the float64 reference for graphs read from ONNX, where ONNX Runtime's
/// CPU provider has no double Conv. It shares the graph's parameters but none of the sheaf's arithmetic (the convolution is
/// torch's, not <see cref="Conv2dMap"/>'s).
/// </summary>
public sealed class TorchGraphModule : IDisposable
{
    private readonly LayerGraph _graph;
    private readonly Tensor[][] _parameters;
    private readonly ScalarType _dtype;

    /// <summary>Copies the graph's parameters into tensors of <paramref name="dtype"/> (with gradients when asked).</summary>
    /// <exception cref="NotSupportedException">A node kind or map torch cannot express here (asymmetric conv pads).</exception>
    public TorchGraphModule(LayerGraph graph, ScalarType dtype = ScalarType.Float64, bool requiresGrad = false)
    {
        TorchRuntime.EnsureLoaded();
        _graph = graph;
        _dtype = dtype;
        _parameters = graph.Nodes.Select(n => Parameters(n, dtype, requiresGrad)).ToArray();
    }

    /// <summary>Every parameter tensor (weights and biases, node order).</summary>
    public IEnumerable<Tensor> ParameterTensors => _parameters.SelectMany(p => p);

    /// <summary>The output for one input (widened to float64).</summary>
    public double[] Forward(double[] x)
    {
        using var scope = NewDisposeScope();
        using var t = tensor(x, [1, x.Length], ScalarType.Float64).to_type(_dtype);
        return Forward(t).to_type(ScalarType.Float64).data<double>().ToArray();
    }

    /// <summary>The output tensor [1, n_out] for an input tensor [1, n0] (autograd flows through it).</summary>
    public Tensor Forward(Tensor x)
    {
        var values = new Tensor[_graph.Nodes.Count];
        values[0] = x;
        for (int k = 1; k < values.Length; k++) values[k] = Apply(_graph.Nodes[k], values, _parameters[k]);
        return values[^1];
    }

    private static Tensor[] Parameters(LayerNode node, ScalarType dtype, bool grad)
    {
        Tensor P(double[] v, long[] shape) => tensor(v, shape, ScalarType.Float64).to_type(dtype).requires_grad_(grad);
        Tensor[] Linear(LinearLayer l) => l.Bias is null ? [P(l.Weight, [l.Out, l.In])] : [P(l.Weight, [l.Out, l.In]), P(l.Bias, [l.Out])];
        switch (node)
        {
            case LinearNode l:
                return Linear(l.Linear);
            case OperatorNode { Map: Conv2dMap conv } o:
                {
                    var g = conv.Geometry;
                    if (g.PadTop != g.PadBottom || g.PadLeft != g.PadRight)
                        throw new NotSupportedException($"node '{node.Name}': asymmetric pads (torch's conv2d pads both sides alike)");
                    int ohw = g.OutHeight * g.OutWidth;
                    var w = P(conv.Kernel.ToArray(), [g.OutChannels, g.InChannels, g.KernelHeight, g.KernelWidth]);
                    // The node's bias is per output pixel (the channel's bias repeated); conv2d takes it per channel.
                    return o.Bias is null ? [w] : [w, P(Enumerable.Range(0, g.OutChannels).Select(ch => o.Bias[ch * ohw]).ToArray(), [g.OutChannels])];
                }
            case OperatorNode { Map: AveragePool2dMap pool }:
                {
                    var g = pool.Geometry;
                    if (g.PadTop != g.PadBottom || g.PadLeft != g.PadRight)
                        throw new NotSupportedException($"node '{node.Name}': asymmetric pads (torch's avg_pool2d pads both sides alike)");
                    return [];
                }
            case OperatorNode o:
                throw new NotSupportedException($"node '{node.Name}': no torch operator for {o.Map.GetType().Name}");
            case AddNode a:
                return [.. a.Projections.SelectMany(p => p is null ? [] : Linear(p))];
            case InputNode or ReluNode or OutputNode:
                return [];
            default:
                throw new NotSupportedException($"node '{node.Name}': kind {node.Kind}");
        }
    }

    private static Tensor Apply(LayerNode node, Tensor[] values, Tensor[] p)
    {
        var input = values[node.Inputs[0].Id];
        switch (node)
        {
            case LinearNode:
                return nn.functional.linear(input, p[0], p.Length > 1 ? p[1] : null);
            case OperatorNode { Map: Conv2dMap conv }:
                {
                    var g = conv.Geometry;
                    var xi = input.reshape(1, g.InChannels, g.Height, g.Width);
                    return nn.functional.conv2d(xi, p[0], p.Length > 1 ? p[1] : null, [g.StrideH, g.StrideW], [g.PadTop, g.PadLeft],
                        [g.DilationH, g.DilationW]).reshape(1, -1);
                }
            case OperatorNode { Map: AveragePool2dMap pool }:
                {
                    var g = pool.Geometry;
                    var xi = input.reshape(1, g.InChannels, g.Height, g.Width);
                    return nn.functional.avg_pool2d(xi, [g.KernelHeight, g.KernelWidth], [g.StrideH, g.StrideW], [g.PadTop, g.PadLeft],
                        ceil_mode: false, count_include_pad: pool.CountIncludePad).reshape(1, -1);
                }
            case ReluNode:
                return nn.functional.relu(input);
            case AddNode a:
                {
                    Tensor? sum = null;
                    int used = 0;
                    for (int i = 0; i < node.Inputs.Count; i++)
                    {
                        var term = values[node.Inputs[i].Id];
                        if (a.Projections[i] is { } proj)
                        {
                            term = nn.functional.linear(term, p[used], proj.Bias is null ? null : p[used + 1]);
                            used += proj.Bias is null ? 1 : 2;
                        }
                        sum = sum is null ? term : sum + term;
                    }
                    return sum!;
                }
            case OutputNode o:
                return TorchReference.ApplyHead(o.Head, input);
            default:
                throw new NotSupportedException($"node '{node.Name}': kind {node.Kind}");
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var t in ParameterTensors) t.Dispose();
    }
}

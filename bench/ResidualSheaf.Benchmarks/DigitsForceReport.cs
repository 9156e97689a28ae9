using System.Diagnostics;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Graph;
using ResidualSheaf.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace ResidualSheaf.Benchmarks;

/// <summary>
/// The heat force (−∇E over the free coordinates, one pass over every edge) against a TorchSharp float64 forward + backward of the
/// same network on the same one image (loss ½‖output‖², gradients for every weight, bias and the input), both on one thread.
/// </summary>
internal static class DigitsForceReport
{
    public static void Run(DigitsCase c)
    {
        var eq = c.Equation;
        var f = new double[eq.FreeDimension];
        double ours = Time(() => eq.Force(c.C0, f), 2000);
        TorchRuntime.EnsureLoaded();
        torch.set_num_threads(1);
        var graph = c.Network.Graph;
        var parameters = new Dictionary<int, Tensor[]>();
        foreach (var node in graph.Nodes) parameters[node.Id] = Parameters(node);
        using var x = tensor(c.X, [1, c.X.Length], ScalarType.Float64).requires_grad_(true);
        using var half = tensor(0.5, ScalarType.Float64);
        double[] output = [];
        void ForwardBackward()
        {
            using var scope = NewDisposeScope();
            var values = new Tensor[graph.Nodes.Count];
            values[0] = x;
            for (int k = 1; k < graph.Nodes.Count; k++) values[k] = Apply(graph.Nodes[k], values, parameters[graph.Nodes[k].Id]);
            var loss = values[^1].square().sum().mul(half);
            loss.backward();
            output = values[^1].detach().data<double>().ToArray();
            foreach (var p in parameters.Values.SelectMany(t => t).Append(x)) p.grad?.zero_();
        }
        double torchTime = Time(ForwardBackward, 500);
        double mismatch = graph.Forward(c.X).Zip(output, (a, b) => Math.Abs(a - b)).Max();
        Console.WriteLine($"force (−∇E, {eq.FreeDimension} free coordinates): {ours:F1} µs; TorchSharp float64 forward + backward (1 thread, batch 1): " +
                          $"{torchTime:F1} µs; ratio {ours / torchTime:F2}; |graph forward − TorchSharp forward| = {mismatch:e2}");
    }

    private static double Time(Action a, int reps)
    {
        for (int i = 0; i < reps / 10; i++) a();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < reps; i++) a();
        return sw.Elapsed.TotalMilliseconds * 1000 / reps;
    }

    private static Tensor[] Parameters(LayerNode node)
    {
        Tensor P(double[] v, long[] shape) => tensor(v, shape, ScalarType.Float64).requires_grad_(true);
        switch (node)
        {
            case LinearNode l:
                return l.Linear.Bias is null ? [P(l.Linear.Weight, [l.Linear.Out, l.Linear.In])]
                    : [P(l.Linear.Weight, [l.Linear.Out, l.Linear.In]), P(l.Linear.Bias, [l.Linear.Out])];
            case OperatorNode { Map: Conv2dMap conv } o:
                {
                    var g = conv.Geometry;
                    int ohw = g.OutHeight * g.OutWidth;
                    var w = P(conv.Kernel.ToArray(), [g.OutChannels, g.InChannels, g.KernelHeight, g.KernelWidth]);
                    // The node's bias is per output pixel (the channel's bias repeated); conv2d takes it per channel.
                    return o.Bias is null ? [w] : [w, P(Enumerable.Range(0, g.OutChannels).Select(ch => o.Bias[ch * ohw]).ToArray(), [g.OutChannels])];
                }
            case AddNode a when a.Projections.Any(p => p is not null):
                throw new NotSupportedException("projection skips are not in the digits models");
            default:
                return [];
        }
    }

    private static Tensor Apply(LayerNode node, Tensor[] values, Tensor[] p)
    {
        var input = values[node.Inputs[0].Id];
        switch (node)
        {
            case LinearNode:
                return nn.functional.linear(input.reshape(1, -1), p[0], p.Length > 1 ? p[1] : null);
            case OperatorNode { Map: Conv2dMap conv }:
                {
                    var g = conv.Geometry;
                    if (g.PadTop != g.PadBottom || g.PadLeft != g.PadRight) throw new NotSupportedException("asymmetric pads");
                    var xi = input.reshape(1, g.InChannels, g.Height, g.Width);
                    return nn.functional.conv2d(xi, p[0], p.Length > 1 ? p[1] : null, [g.StrideH, g.StrideW], [g.PadTop, g.PadLeft], [g.DilationH, g.DilationW]).reshape(1, -1);
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
            case AddNode:
                {
                    var sum = input;
                    for (int i = 1; i < node.Inputs.Count; i++) sum = sum + values[node.Inputs[i].Id];
                    return sum;
                }
            case OutputNode o:
                return o.Head switch
                {
                    OutputHead.Softmax => nn.functional.softmax(input, 1),
                    OutputHead.Sigmoid => nn.functional.sigmoid(input),
                    _ => input,
                };
            default:
                throw new NotSupportedException($"node kind {node.Kind}");
        }
    }
}

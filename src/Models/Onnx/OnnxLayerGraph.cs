using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Graph;
using ResidualSheaf.Models.Networks;

namespace ResidualSheaf.Models.Onnx;

/// <summary>
/// Turns the operations read from an ONNX graph into a <see cref="LayerGraph"/>. A bias-free affine map whose only use is an
/// addition and whose input is also used elsewhere is that addend's projection (the skip path of a block with a projection), as
/// in the declared residual stacks; every other affine map is a Linear node. Layer numbers: without additions the number of
/// affine maps on the way (an MLP's ℓ); with them, one plus the additions upstream, a ReLU of a sum sharing the sum's.
/// </summary>
internal static class OnnxLayerGraph
{
    public static (LayerGraph Graph, IReadOnlyList<LinearLayer> Layers) Build(IReadOnlyList<OnnxOp> ops, OnnxOp output, OutputEdgeMode mode)
    {
        var consumers = ops.ToDictionary(o => o, _ => new List<OnnxOp>());
        foreach (var op in ops)
            foreach (var s in op.Sources) consumers[s].Add(op);
        consumers[output].Add(output); // the graph output is a use: it must keep its vertex

        bool IsProjection(OnnxOp op) => op is OnnxAffineOp { Bias: null } a && consumers[a].Count == 1 && consumers[a][0] is OnnxSumOp
            && consumers[a.Source].Count >= 2;

        var layer = Layers(ops);
        var node = new Dictionary<OnnxOp, LayerNode>();
        var layers = new List<LinearLayer>();
        var input = (OnnxInputOp)ops[0];
        var g = new LayerGraphBuilder(input.Name, input.Width);
        node[input] = g.Input;
        int sums = ops.Count(o => o is OnnxSumOp), sumIndex = 0;
        foreach (var op in ops.Skip(1))
        {
            switch (op)
            {
                case OnnxAffineOp a when IsProjection(a):
                    continue; // emitted by the addition that uses it
                case OnnxAffineOp a:
                    var linear = Linear(a);
                    layers.Add(linear);
                    node[a] = g.Linear(node[a.Source], linear, a.Name, a.Node, layer[a]);
                    break;
                case OnnxConvOp c:
                    node[c] = g.Operator(node[c.Source], new Conv2dMap(c.Geometry, c.Kernel), c.Bias, c.Name, c.Node, layer[c]);
                    break;
                case OnnxPoolOp p:
                    node[p] = g.Operator(node[p.Source], p.Map, null, p.Name, p.Node, layer[p]);
                    break;
                case OnnxReluOp r:
                    node[r] = g.Relu(node[r.Source], r.Name, r.Node, layer[r]);
                    break;
                case OnnxSumOp s:
                    sumIndex++;
                    var addends = new List<LayerNode>();
                    var projections = new List<LinearLayer?>();
                    foreach (var t in s.Addends)
                    {
                        if (IsProjection(t))
                        {
                            var p = (OnnxAffineOp)t;
                            var proj = Linear(p);
                            layers.Add(proj);
                            addends.Add(node[p.Source]);
                            projections.Add(proj);
                        }
                        else
                        {
                            addends.Add(node[t]);
                            projections.Add(null);
                        }
                    }
                    // One addition: unsuffixed cells (p, sum) as in the lab's block; several: numbered in order (p_1, p_2, …).
                    node[s] = g.Add(addends, s.Name, sums == 1 ? "" : $"_{sumIndex}", layer[s], projections);
                    break;
                case OnnxHeadOp:
                    continue; // the reader made sure it is the output: it becomes the Output node's head below
                default:
                    throw new InvalidOperationException($"unexpected operation {op.GetType().Name}");
            }
        }
        return (output is OnnxHeadOp h ? g.Output(node[h.Source], h.Head, mode) : g.Output(node[output]), layers);
    }

    private static LinearLayer Linear(OnnxAffineOp a) => new(a.Source.Width, a.Width, a.Weight, a.Bias, a.Parameter);

    private static Dictionary<OnnxOp, int> Layers(IReadOnlyList<OnnxOp> ops)
    {
        var layer = new Dictionary<OnnxOp, int>();
        bool anySum = ops.Any(o => o is OnnxSumOp);
        // Without additions: affine maps on the longest path (z_ℓ, a_ℓ of an MLP). With them: 1 + sums upstream (a block's number).
        var count = new Dictionary<OnnxOp, int>();
        foreach (var op in ops)
        {
            int upstream = op.Sources.Select(s => count[s]).DefaultIfEmpty(0).Max();
            bool counts = anySum ? op is OnnxSumOp : op is OnnxAffineOp or OnnxConvOp or OnnxPoolOp;
            count[op] = upstream + (counts ? 1 : 0);
            layer[op] = anySum
                ? op switch
                {
                    OnnxSumOp => count[op],
                    OnnxReluOp { Source: OnnxSumOp s } => layer[s],
                    _ => upstream + 1,
                }
                : Math.Max(1, count[op]);
        }
        return layer;
    }
}

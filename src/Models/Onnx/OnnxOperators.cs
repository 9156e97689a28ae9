using Onnx;
using ResidualSheaf.Models.Graph;

namespace ResidualSheaf.Models.Onnx;

/// <summary>The supported operators, one method each (the node list is topological, so every input is known when a node is read).</summary>
internal sealed partial class OnnxGraphReader
{
    private void ReadConstant(NodeProto n, string name)
    {
        var a = n.Attribute.FirstOrDefault() ?? throw new OnnxModelException(name, "Constant without a value attribute");
        OnnxTensor t = a.Name switch
        {
            "value" => OnnxTensor.From(a.T, name),
            "value_float" => new OnnxTensor([], [a.F]),
            "value_floats" => new OnnxTensor([a.Floats.Count], a.Floats.Select(v => (double)v).ToArray()),
            "value_int" => new OnnxTensor([], [a.I]),
            "value_ints" => new OnnxTensor([a.Ints.Count], a.Ints.Select(v => (double)v).ToArray()),
            _ => throw new OnnxModelException(name, $"Constant attribute '{a.Name}' is not supported"),
        };
        if (n.Output.Count != 1) throw new OnnxModelException(name, "Constant with other than one output");
        _constants[n.Output[0]] = t;
    }

    /// <summary>Y = α A' B' + β C with A' = transA ? Aᵀ : A, B' likewise; one of A, B is the (row or column) vector value.</summary>
    private void Gemm(NodeProto n, string name)
    {
        bool transA = IntAttribute(n, "transA", 0) != 0, transB = IntAttribute(n, "transB", 0) != 0;
        double alpha = FloatAttribute(n, "alpha", 1.0), beta = FloatAttribute(n, "beta", 1.0);
        if (n.Input.Count < 2) throw new OnnxModelException(name, "Gemm needs inputs A and B");
        bool vectorIsA = !IsConstant(n, 0);
        if (vectorIsA == !IsConstant(n, 1))
            throw new OnnxModelException(name, vectorIsA
                ? "Gemm of two computed values (a bilinear map) is not a layer; one of A, B must be a weight initializer"
                : "Gemm of two constants computes nothing from the input");
        var x = Activation(n, vectorIsA ? 0 : 1, name);
        var w = Constant(n, vectorIsA ? 1 : 0, name);
        if (x.Dims.Length != 2 || w.Dims.Length != 2)
            throw new OnnxModelException(name, $"Gemm needs rank-2 operands; got value {x.ShapeText} and weight {w.ShapeText}");
        int width = x.Op.Width;
        bool trans = vectorIsA ? transA : transB;
        // The vector as the Gemm reads it: a row [1, n] in slot A, a column [n, 1] in slot B (after its transpose flag).
        long[] expected = vectorIsA ^ trans ? [1, width] : [width, 1];
        if (!x.Dims.SequenceEqual(expected) && width != 1)
            throw new OnnxModelException(name, $"value '{n.Input[vectorIsA ? 0 : 1]}' has shape {x.ShapeText}; with trans{(vectorIsA ? "A" : "B")} = {(trans ? 1 : 0)} it must be [{string.Join(", ", expected)}]");
        bool wTrans = vectorIsA ? transB : transA;
        // Weight as used: slot B gives B' = [n, k] (W_ours = α B'ᵀ); slot A gives A' = [k, n] (W_ours = α A').
        long rows = wTrans ? w.Dims[1] : w.Dims[0], cols = wTrans ? w.Dims[0] : w.Dims[1];
        long inner = vectorIsA ? rows : cols, k = vectorIsA ? cols : rows;
        if (inner != width)
            throw new OnnxModelException(name, $"inconsistent shapes: the value has {width} entries but weight '{n.Input[vectorIsA ? 1 : 0]}' {w.ShapeText} (trans{(vectorIsA ? "B" : "A")} = {(wTrans ? 1 : 0)}) expects {inner}");
        var weight = new double[k * width];
        for (int j = 0; j < k; j++)
            for (int i = 0; i < width; i++)
            {
                // Entry of the used weight that multiplies x_i into y_j.
                long r = vectorIsA ? i : j, c = vectorIsA ? j : i;
                weight[j * width + i] = alpha * (wTrans ? w.Values[c * w.Dims[1] + r] : w.Values[r * w.Dims[1] + c]);
            }
        long[] outDims = vectorIsA ? [1, k] : [k, 1];
        var op = new OnnxAffineOp(n.Output[0], name, ParameterName(n.Input[vectorIsA ? 1 : 0], name), x.Op, (int)k, weight);
        if (n.Input.Count > 2 && n.Input[2].Length > 0)
        {
            var c = Broadcast(Constant(n, 2, name), outDims, name, "C");
            op.Bias = c.Select(v => beta * v).ToArray();
        }
        _ops.Add(op);
        Bind(n, op, outDims);
    }

    /// <summary>x W (x a vector, W [n, k]) or W x (W [k, n], x [n] or [n, 1]).</summary>
    private void MatMul(NodeProto n, string name)
    {
        if (n.Input.Count != 2) throw new OnnxModelException(name, "MatMul needs two inputs");
        bool vectorFirst = !IsConstant(n, 0);
        if (vectorFirst == !IsConstant(n, 1))
            throw new OnnxModelException(name, vectorFirst ? "MatMul of two computed values is not a layer" : "MatMul of two constants computes nothing from the input");
        var x = Activation(n, vectorFirst ? 0 : 1, name);
        var w = Constant(n, vectorFirst ? 1 : 0, name);
        int width = x.Op.Width;
        if (w.Dims.Length != 2) throw new OnnxModelException(name, $"weight '{n.Input[vectorFirst ? 1 : 0]}' has shape {w.ShapeText}; a matrix is needed");
        long inner = vectorFirst ? w.Dims[0] : w.Dims[1], k = vectorFirst ? w.Dims[1] : w.Dims[0];
        bool shapeOk = vectorFirst ? x.Dims[^1] == width : x.Dims.Length == 1 || (x.Dims.Length == 2 && x.Dims[0] == width && x.Dims[1] == 1);
        if (!shapeOk || inner != width)
            throw new OnnxModelException(name, $"inconsistent shapes: value {x.ShapeText} and weight {w.ShapeText}");
        var weight = new double[k * width];
        for (int j = 0; j < k; j++)
            for (int i = 0; i < width; i++)
                weight[j * width + i] = vectorFirst ? w.Values[i * k + j] : w.Values[j * width + i];
        long[] outDims = vectorFirst ? [.. x.Dims[..^1], k] : x.Dims.Length == 1 ? [k] : [k, 1];
        var op = new OnnxAffineOp(n.Output[0], name, ParameterName(n.Input[vectorFirst ? 1 : 0], name), x.Op, (int)k, weight);
        _ops.Add(op);
        Bind(n, op, outDims);
    }

    /// <summary>Value + constant (a bias, folded into the affine node before it when that is its only use) or value + value (a join).</summary>
    private void Add(NodeProto n, string name)
    {
        if (n.Input.Count != 2) throw new OnnxModelException(name, "Add needs two inputs");
        bool c0 = IsConstant(n, 0), c1 = IsConstant(n, 1);
        if (c0 && c1) throw new OnnxModelException(name, "Add of two constants computes nothing from the input");
        if (c0 || c1)
        {
            int vi = c0 ? 1 : 0;
            var x = Activation(n, vi, name);
            var b = Broadcast(Constant(n, 1 - vi, name), x.Dims, name, "the constant addend");
            if (x.Op is OnnxAffineOp { Bias: null } affine && affine.Name == n.Input[vi] && Uses(n.Input[vi]) == 1)
            {
                affine.Bias = b;
                affine.Name = n.Output[0];
                Bind(n, affine, x.Dims);
                return;
            }
            var identity = new double[x.Op.Width * x.Op.Width];
            for (int i = 0; i < x.Op.Width; i++) identity[i * x.Op.Width + i] = 1.0;
            var shift = new OnnxAffineOp(n.Output[0], name, name, x.Op, x.Op.Width, identity) { Bias = b };
            _ops.Add(shift);
            Bind(n, shift, x.Dims);
            return;
        }
        var a = Activation(n, 0, name);
        var s = Activation(n, 1, name);
        if (a.Op.Width != s.Op.Width)
            throw new OnnxModelException(name,
                $"Add of different shapes {a.ShapeText} ('{n.Input[0]}') and {s.ShapeText} ('{n.Input[1]}') without a projection; put a Gemm or MatMul on one path");
        long[] dims = a.Dims.Length >= s.Dims.Length ? a.Dims : s.Dims;
        var shorter = a.Dims.Length >= s.Dims.Length ? s.Dims : a.Dims;
        if (shorter.Length == dims.Length && !shorter.SequenceEqual(dims))
            throw new OnnxModelException(name, $"Add of shapes {a.ShapeText} and {s.ShapeText} broadcasts to a matrix, not a vector");
        var sum = new OnnxSumOp(n.Output[0], name, [a.Op, s.Op]);
        _ops.Add(sum);
        Bind(n, sum, dims);
    }

    private void Relu(NodeProto n, string name)
    {
        var x = Activation(n, 0, name);
        var op = new OnnxReluOp(n.Output[0], name, x.Op);
        _ops.Add(op);
        Bind(n, op, x.Dims);
    }

    /// <summary>
    /// Sigmoid (elementwise) or Softmax over the axis the vector lies along, which must be the last one; whether it is the
    /// graph's last node is checked once the whole graph is read.
    /// </summary>
    private void Head(NodeProto n, string name, OutputHead head)
    {
        var x = Activation(n, 0, name);
        if (head == OutputHead.Softmax)
        {
            int rank = x.Dims.Length;
            long axis = IntAttribute(n, "axis", _opset >= 13 ? -1 : 1);
            long resolved = axis < 0 ? axis + rank : axis;
            if (resolved != rank - 1 || (x.Op.Width > 1 && x.Dims[^1] != x.Op.Width))
                throw new OnnxModelException(name,
                    $"Softmax over axis {axis} of shape {x.ShapeText}; only a softmax over the last axis, along which the vector lies, is an output head");
            if (x.Op.Width < 2)
                throw new OnnxModelException(name, "Softmax over one output is the constant 1; a softmax head needs at least 2 outputs");
        }
        var op = new OnnxHeadOp(n.Output[0], name, head, x.Op);
        _ops.Add(op);
        Bind(n, op, x.Dims);
    }

    private void Flatten(NodeProto n, string name)
    {
        var x = Activation(n, 0, name);
        long axis = IntAttribute(n, "axis", 1);
        if (axis < 0) axis += x.Dims.Length;
        if (axis < 0 || axis > x.Dims.Length) throw new OnnxModelException(name, $"Flatten axis {axis} out of range for shape {x.ShapeText}");
        long head = x.Dims[..(int)axis].Aggregate(1L, (p, d) => p * d), tail = x.Dims[(int)axis..].Aggregate(1L, (p, d) => p * d);
        Alias(n, name, [head, tail]);
    }

    private void Reshape(NodeProto n, string name)
    {
        var x = Activation(n, 0, name);
        var shape = Constant(n, 1, name).Values.Select(v => (long)v).ToArray();
        bool allowZero = IntAttribute(n, "allowzero", 0) != 0;
        for (int a = 0; a < shape.Length; a++)
            if (shape[a] == 0 && !allowZero)
            {
                if (a >= x.Dims.Length) throw new OnnxModelException(name, $"Reshape copies dimension {a}, which the input {x.ShapeText} lacks");
                shape[a] = x.Dims[a];
            }
        int inferred = Array.IndexOf(shape, -1L);
        long known = shape.Where(d => d != -1).Aggregate(1L, (p, d) => p * d);
        if (inferred >= 0)
        {
            if (known == 0 || x.Op.Width % known != 0) throw new OnnxModelException(name, $"Reshape of {x.ShapeText} to [{string.Join(", ", shape)}] does not resolve");
            shape[inferred] = x.Op.Width / known;
        }
        if (shape.Any(d => d < 0) || shape.Aggregate(1L, (p, d) => p * d) != x.Op.Width)
            throw new OnnxModelException(name, $"Reshape of {x.ShapeText} ({x.Op.Width} entries) to [{string.Join(", ", shape)}] changes the number of entries");
        Alias(n, name, shape);
    }

    /// <summary>A node that passes its value on unchanged (Identity, Flatten or Reshape of a vector).</summary>
    private void Alias(NodeProto n, string name, long[] dims)
    {
        var x = Activation(n, 0, name);
        if (dims.Count(d => d != 1) > 1)
            throw new OnnxModelException(name, $"{n.OpType} gives shape [{string.Join(", ", dims)}], which is not a vector");
        Bind(n, x.Op, dims);
    }

    /// <summary>A constant broadcast (ONNX rules) to the vector shape <paramref name="dims"/>, as one entry per vector coordinate.</summary>
    private static double[] Broadcast(OnnxTensor c, long[] dims, string name, string what)
    {
        if (c.Dims.Length > dims.Length && c.Dims[..^dims.Length].Any(d => d != 1))
            throw new OnnxModelException(name, $"{what} has shape {c.ShapeText}, which does not broadcast to [{string.Join(", ", dims)}]");
        int width = (int)dims.Aggregate(1L, (p, d) => p * d);
        var cd = c.Dims.Length > dims.Length ? c.Dims[^dims.Length..] : c.Dims;
        bool full = false;
        for (int a = 0; a < cd.Length; a++)
        {
            long target = dims[dims.Length - cd.Length + a];
            if (cd[a] == target && target != 1) full = true;
            else if (cd[a] != 1) throw new OnnxModelException(name, $"{what} has shape {c.ShapeText}, which does not broadcast to [{string.Join(", ", dims)}]");
        }
        return full ? (double[])c.Values.Clone() : Enumerable.Repeat(c.Values[0], width).ToArray();
    }

    /// <summary>"fc1" for the initializer "fc1.weight" (PyTorch's names); the node name for anything else.</summary>
    private static string ParameterName(string initializer, string node) =>
        initializer.EndsWith(".weight", StringComparison.Ordinal) ? initializer[..^".weight".Length] : node;
}

using ResidualSheaf.Engine.Sheaves;

namespace ResidualSheaf.Engine.Training;

/// <summary>
/// The joint flow of sheaf-based training (heads-and-training §2) for any network sheaf: per sample the stalks move as in the heat
/// equation (input pinned) plus the output-edge force −α(φ(z) − y) on the output stalk, and every trainable edge's weight and bias
/// move by −β ∂E/∂W = β Σ_batch r xᵀ, −β ∂E/∂b = β Σ_batch r, with r = F_head c_head − W c_tail − b (batch sums, not means).
/// The state is the samples' cochains one after another (each of the sheaf's total dimension) followed by the parameter block.
/// Masks come from the state itself, so the right-hand side is a pure function of the state; it allocates nothing.
/// Not thread-safe (one scratch set per instance).
/// </summary>
public sealed class JointFlow
{
    private readonly Edge[] _edges;
    private readonly int[] _tailOffset, _tailDim, _headOffset, _headDim, _param;
    private readonly int[][] _inEdges;
    private readonly int[] _frozen, _maskCoordinates;
    private readonly double[] _inputs, _targets, _r, _phi;
    private readonly MaskPattern _masks;
    private readonly TrainableParameter[] _parameters;

    private JointFlow(CellularSheaf sheaf, Vertex input, Vertex output, IReadOnlyCollection<Vertex> excluded, TrainingHead head,
        double[] inputs, double[] targets, double alpha, double beta)
    {
        Sheaf = sheaf;
        Input = input;
        Output = output;
        Head = head;
        Alpha = alpha;
        Beta = beta;
        StalkDimension = sheaf.TotalDimension;
        Samples = inputs.Length / input.Dimension;
        if (Samples * input.Dimension != inputs.Length || Samples == 0)
            throw new ArgumentException($"inputs: {inputs.Length} values are not a positive multiple of the input width {input.Dimension}");
        if (targets.Length != Samples * output.Dimension)
            throw new ArgumentException($"targets: {targets.Length} values; {Samples} samples × {output.Dimension} outputs expected");
        _inputs = inputs;
        _targets = targets;
        _edges = [.. sheaf.Edges];
        int m = _edges.Length;
        _tailOffset = new int[m];
        _tailDim = new int[m];
        _headOffset = new int[m];
        _headDim = new int[m];
        _param = new int[m];
        var parameters = new List<TrainableParameter>();
        int offset = 0, maxDim = 1;
        for (int i = 0; i < m; i++)
        {
            var e = _edges[i];
            var (t, h) = (sheaf.Vertices[e.Tail], sheaf.Vertices[e.Head]);
            (_tailOffset[i], _tailDim[i], _headOffset[i], _headDim[i]) = (t.Offset, t.Dimension, h.Offset, h.Dimension);
            maxDim = Math.Max(maxDim, e.Dimension);
            _param[i] = -1;
            if (e.Parameter is null || e.TailMap is not DenseMap w) continue;
            int bias = e.Affine is null ? -1 : offset + w.Rows * w.Columns;
            var p = new TrainableParameter(e.Parameter, i, w.Rows, w.Columns, offset, bias);
            _param[i] = parameters.Count;
            parameters.Add(p);
            offset += p.Length;
        }
        _parameters = [.. parameters];
        ParameterLength = offset;
        _inEdges = sheaf.Vertices.Select(v => Enumerable.Range(0, m).Where(i => _edges[i].Head == v.Id).ToArray()).ToArray();
        _frozen = excluded.Append(input).SelectMany(v => Enumerable.Range(v.Offset, v.Dimension)).Distinct().Order().ToArray();
        _r = new double[maxDim];
        _phi = new double[output.Dimension];
        _masks = new MaskPattern(StalkDimension);
        _maskCoordinates = [.. sheaf.MaskCoordinates];
    }

    // The masks R(z) = 𝟙[z ≥ 0] of a cochain (as MaskPattern.UpdateFrom, over an array: no enumerator is allocated).
    private void UpdateMasks(ReadOnlySpan<double> c)
    {
        var theta = _masks.Theta;
        foreach (int j in _maskCoordinates) theta[j] = c[j] >= 0 ? 1.0 : 0.0;
    }

    /// <summary>
    /// The flow of <paramref name="sheaf"/> with <paramref name="input"/> pinned to the rows of <paramref name="inputs"/> (samples ×
    /// n0) and the output edge on <paramref name="output"/> pulling towards the rows of <paramref name="targets"/>.
    /// <paramref name="excluded"/> vertices (an a_out vertex of a head) neither move nor take part.
    /// </summary>
    public static JointFlow Create(CellularSheaf sheaf, Vertex input, Vertex output, TrainingHead head, double[] inputs, double[] targets,
        double alpha, double beta, IReadOnlyCollection<Vertex>? excluded = null) =>
        new(sheaf, input, output, excluded ?? [], head, inputs, targets, alpha, beta);

    /// <summary>The sheaf whose edges are trained.</summary>
    public CellularSheaf Sheaf { get; }

    /// <summary>The pinned input vertex.</summary>
    public Vertex Input { get; }

    /// <summary>The vertex the output edge acts on (the output pre-activation).</summary>
    public Vertex Output { get; }

    /// <summary>The output edge's φ.</summary>
    public TrainingHead Head { get; }

    /// <summary>Stalk rate α.</summary>
    public double Alpha { get; }

    /// <summary>Weight rate β.</summary>
    public double Beta { get; }

    /// <summary>Number of samples in the batch.</summary>
    public int Samples { get; }

    /// <summary>Length of one sample's cochain (the sheaf's total dimension).</summary>
    public int StalkDimension { get; }

    /// <summary>Length of the parameter block.</summary>
    public int ParameterLength { get; }

    /// <summary>Length of the joint state: samples × stalk dimension + parameters.</summary>
    public int StateLength => Samples * StalkDimension + ParameterLength;

    /// <summary>Offset of the parameter block in the state.</summary>
    public int ParameterOffset => Samples * StalkDimension;

    /// <summary>The trained parameters in edge order.</summary>
    public IReadOnlyList<TrainableParameter> Parameters => _parameters;

    /// <summary>The training targets (samples × outputs).</summary>
    public ReadOnlySpan<double> Targets => _targets;

    /// <summary>A parameter block holding the sheaf's own weights and biases (its restriction maps as built).</summary>
    public double[] InitialParameters()
    {
        var block = new double[ParameterLength];
        foreach (var p in _parameters)
        {
            var e = _edges[p.Edge];
            ((DenseMap)e.TailMap).Data.CopyTo(block.AsSpan(p.WeightOffset));
            if (p.HasBias) e.Affine.CopyTo(block.AsSpan(p.BiasOffset));
        }
        return block;
    }

    /// <summary>Sample s's cochain in a state.</summary>
    public Span<double> Stalks(Span<double> state, int s) => state.Slice(s * StalkDimension, StalkDimension);

    /// <summary>Writes the pinned inputs into every sample's input stalk (and zeros into excluded vertices).</summary>
    public void ApplyPins(Span<double> state)
    {
        for (int s = 0; s < Samples; s++)
        {
            var c = Stalks(state, s);
            foreach (int j in _frozen) c[j] = 0;
            _inputs.AsSpan(s * Input.Dimension, Input.Dimension).CopyTo(c.Slice(Input.Offset, Input.Dimension));
        }
    }

    /// <summary>The right-hand side of the joint ODE at <paramref name="state"/>; allocation-free.</summary>
    public void Derivative(ReadOnlySpan<double> state, Span<double> derivative)
    {
        derivative.Clear();
        var theta = state.Slice(ParameterOffset, ParameterLength);
        var dtheta = derivative.Slice(ParameterOffset, ParameterLength);
        int nOut = Output.Dimension;
        for (int s = 0; s < Samples; s++)
        {
            var c = state.Slice(s * StalkDimension, StalkDimension);
            var f = derivative.Slice(s * StalkDimension, StalkDimension);
            UpdateMasks(c);
            for (int i = 0; i < _edges.Length; i++)
            {
                var r = Residual(i, c, theta);
                var e = _edges[i];
                e.HeadMap.TransposeMultiplyAdd(r, f.Slice(_headOffset[i], _headDim[i]), -Alpha, _masks);
                var tail = c.Slice(_tailOffset[i], _tailDim[i]);
                var ft = f.Slice(_tailOffset[i], _tailDim[i]);
                if (_param[i] < 0)
                {
                    e.TailMap.TransposeMultiplyAdd(r, ft, Alpha, _masks);
                    continue;
                }
                var p = _parameters[_param[i]];
                var w = theta.Slice(p.WeightOffset, p.Rows * p.Columns);
                var dw = dtheta.Slice(p.WeightOffset, p.Rows * p.Columns);
                // Plain loops: the layers are narrow (a 30×2 first layer), where the vector kernels' call overhead dominates.
                int cols = p.Columns;
                for (int k = 0; k < p.Rows; k++)
                {
                    double ar = Alpha * r[k], br = Beta * r[k];
                    var wk = w.Slice(k * cols, cols);
                    var dwk = dw.Slice(k * cols, cols);
                    for (int j = 0; j < cols; j++)
                    {
                        ft[j] += ar * wk[j];
                        dwk[j] += br * tail[j];
                    }
                }
                if (p.HasBias) Numerics.Axpy(Beta, r, dtheta.Slice(p.BiasOffset, p.Rows));
            }
            var z = c.Slice(Output.Offset, nOut);
            Head.Apply(z, _phi);
            var fz = f.Slice(Output.Offset, nOut);
            var y = _targets.AsSpan(s * nOut, nOut);
            for (int k = 0; k < nOut; k++) fz[k] -= Alpha * (_phi[k] - y[k]);
            foreach (int j in _frozen) f[j] = 0;
        }
    }

    /// <summary>
    /// The potential whose negative gradient the flow follows (at fixed masks): Σ_samples Σ_edges ½‖r_e‖² plus the output term
    /// ½‖z − y‖² (identity), Σ softplus(z) − y z (sigmoid: binary cross-entropy) or logsumexp(z) − yᵀz (softmax with one-hot y).
    /// </summary>
    public double Energy(ReadOnlySpan<double> state)
    {
        var theta = state.Slice(ParameterOffset, ParameterLength);
        int nOut = Output.Dimension;
        double energy = 0;
        for (int s = 0; s < Samples; s++)
        {
            var c = state.Slice(s * StalkDimension, StalkDimension);
            UpdateMasks(c);
            for (int i = 0; i < _edges.Length; i++)
            {
                var r = Residual(i, c, theta);
                energy += 0.5 * Numerics.Dot(r, r);
            }
            energy += Head.Potential(c.Slice(Output.Offset, nOut), _targets.AsSpan(s * nOut, nOut));
        }
        return energy;
    }

    /// <summary>
    /// Sum over samples of each edge's discord ‖r_e‖² added into <paramref name="byKind"/> (indexed by <see cref="EdgeKind"/>),
    /// and the output edge's ‖φ(z) − y‖² returned.
    /// </summary>
    public double Discord(ReadOnlySpan<double> state, Span<double> byKind)
    {
        var theta = state.Slice(ParameterOffset, ParameterLength);
        int nOut = Output.Dimension;
        double output = 0;
        for (int s = 0; s < Samples; s++)
        {
            var c = state.Slice(s * StalkDimension, StalkDimension);
            UpdateMasks(c);
            for (int i = 0; i < _edges.Length; i++)
            {
                var r = Residual(i, c, theta);
                byKind[(int)_edges[i].Kind] += Numerics.Dot(r, r);
            }
            Head.Apply(c.Slice(Output.Offset, nOut), _phi);
            for (int k = 0; k < nOut; k++)
            {
                double d = _phi[k] - _targets[s * nOut + k];
                output += d * d;
            }
        }
        return output;
    }

    /// <summary>
    /// The forward pass of the network under parameters <paramref name="theta"/> at input <paramref name="x"/>, as a cochain:
    /// vertices in sheaf (topological) order, each the sum over its in-edges of F_headᵀ(F_tail c_tail + b), masks from the
    /// pre-activations already computed. For junction sheaves this is the harmonic extension; for chord sheaves it is the network's
    /// own forward pass (the addends summed), not the chord sheaf's least-squares solution.
    /// </summary>
    public void Forward(ReadOnlySpan<double> theta, ReadOnlySpan<double> x, Span<double> cochain)
    {
        cochain.Clear();
        x.CopyTo(cochain.Slice(Input.Offset, Input.Dimension));
        foreach (var v in Sheaf.Vertices)
        {
            if (v.Id == Input.Id || _inEdges[v.Id].Length == 0) continue;
            UpdateMasks(cochain);
            var cv = cochain.Slice(v.Offset, v.Dimension);
            foreach (int i in _inEdges[v.Id])
            {
                var r = _r.AsSpan(0, _edges[i].Dimension);
                r.Clear();
                AddTailImage(i, cochain, theta, r, 1.0);
                _edges[i].HeadMap.TransposeMultiplyAdd(r, cv, 1.0, _masks);
            }
        }
    }

    /// <summary>φ of the forward-pass output for every row of <paramref name="inputs"/>, into <paramref name="prediction"/>.</summary>
    public void Predict(ReadOnlySpan<double> theta, ReadOnlySpan<double> inputs, Span<double> prediction, Span<double> cochain)
    {
        int n0 = Input.Dimension, nOut = Output.Dimension;
        for (int s = 0; s < inputs.Length / n0; s++)
        {
            Forward(theta, inputs.Slice(s * n0, n0), cochain);
            Head.Apply(cochain.Slice(Output.Offset, nOut), prediction.Slice(s * nOut, nOut));
        }
    }

    // r_e = F_head c_head − F_tail c_tail − b, with the trained W and b for parameter edges; in the scratch buffer.
    private Span<double> Residual(int i, ReadOnlySpan<double> c, ReadOnlySpan<double> theta)
    {
        var r = _r.AsSpan(0, _edges[i].Dimension);
        r.Clear();
        _edges[i].HeadMap.MultiplyAdd(c.Slice(_headOffset[i], _headDim[i]), r, 1.0, _masks);
        AddTailImage(i, c, theta, r, -1.0);
        return r;
    }

    // r += scale · (F_tail c_tail + b).
    private void AddTailImage(int i, ReadOnlySpan<double> c, ReadOnlySpan<double> theta, Span<double> r, double scale)
    {
        var tail = c.Slice(_tailOffset[i], _tailDim[i]);
        if (_param[i] < 0)
        {
            _edges[i].TailMap.MultiplyAdd(tail, r, scale, _masks);
            if (_edges[i].Affine is { } b) Numerics.Axpy(scale, b, r);
            return;
        }
        var p = _parameters[_param[i]];
        var w = theta.Slice(p.WeightOffset, p.Rows * p.Columns);
        for (int k = 0; k < p.Rows; k++)
        {
            var wk = w.Slice(k * p.Columns, p.Columns);
            double sum = 0;
            for (int j = 0; j < wk.Length; j++) sum += wk[j] * tail[j];
            r[k] += scale * sum;
        }
        if (p.HasBias) Numerics.Axpy(scale, theta.Slice(p.BiasOffset, p.Rows), r);
    }
}

using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.Sheaves;

namespace ResidualSheaf.Engine.Training;

/// <summary>
/// The joint flow of sheaf-based training (heads-and-training §2) for any network sheaf: per sample the stalks move as in the heat
/// equation (input pinned) plus the output-edge force −α(φ(z) − y) on the output stalk, and every trainable edge's weight and bias
/// move by −β ∂E/∂W = β Σ_batch r xᵀ, −β ∂E/∂b = β Σ_batch r, with r = F_head c_head − W c_tail − b (batch sums, not means).
/// The state is the samples' cochains one after another (each of the sheaf's total dimension) followed by the parameter block.
/// Masks come from the state itself, so the right-hand side is a pure function of the state; it allocates nothing.
/// The samples are cut into a fixed number of chunks (<see cref="Chunks"/>, independent of the thread count); each chunk sums its
/// own weight gradient and the chunks' sums are added in chunk order, so the right-hand side is the same for any
/// <see cref="UseThreads"/>. Not thread-safe (the chunks' scratch belongs to the instance).
/// </summary>
public sealed partial class JointFlow : IDisposable
{
    /// <summary>At most this many sample chunks.</summary>
    public const int MaxChunks = 16;

    // Per-chunk scratch: the edge residual, φ(z), the masks and the chunk's part of the parameter derivative.
    private sealed record Scratch(int First, int End, double[] R, double[] Phi, MaskPattern Masks, double[] DTheta);

    private readonly Scratch[] _scratch;
    private ChunkWorkers? _workers;
    private double[] _workState = [], _workDerivative = [];
    private UnitMode[]? _workModes;
    private readonly Edge[] _edges;
    private readonly int[] _tailOffset, _tailDim, _headOffset, _headDim, _param;

    // How ChunkDerivative treats an edge: the restriction maps' own apply and adjoint, or a fused loop for the two edges of an
    // MLP layer (a trained Linear into its pre-activation; a ReLU edge a − R z). The fused loops do the same operations in the
    // same order as the generic path, so they change no number.
    private enum EdgeKernel { Generic, TrainedIntoIdentity, ReluIntoIdentity }

    private readonly EdgeKernel[] _kernel;
    private readonly int[][] _inEdges;
    private readonly int[] _frozen, _maskCoordinates;
    private readonly double[] _inputs, _targets;
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
        _kernel = new EdgeKernel[m];
        var parameters = new List<TrainableParameter>();
        int offset = 0, maxDim = 1;
        for (int i = 0; i < m; i++)
        {
            var e = _edges[i];
            var (t, h) = (sheaf.Vertices[e.Tail], sheaf.Vertices[e.Head]);
            (_tailOffset[i], _tailDim[i], _headOffset[i], _headDim[i]) = (t.Offset, t.Dimension, h.Offset, h.Dimension);
            maxDim = Math.Max(maxDim, e.Dimension);
            _param[i] = -1;
            bool identityHead = IsIdentity(e.HeadMap, h.Dimension);
            if (identityHead && e.TailMap is ReluMaskMap relu && relu.MaskOffset == t.Offset && e.Affine is null) _kernel[i] = EdgeKernel.ReluIntoIdentity;
            if (e.Parameter is null || e.TailMap is not DenseMap w) continue;
            if (identityHead) _kernel[i] = EdgeKernel.TrainedIntoIdentity;
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
        int chunks = Math.Min(MaxChunks, Samples);
        _scratch = [.. Enumerable.Range(0, chunks).Select(k => new Scratch(k * Samples / chunks, (k + 1) * Samples / chunks, new double[maxDim],
            new double[output.Dimension], new MaskPattern(StalkDimension), new double[ParameterLength]))];
        _maskCoordinates = [.. sheaf.MaskCoordinates];
    }

    private static bool IsIdentity(RestrictionMap map, int dimension) =>
        map.Rows == dimension && map.Columns == dimension && map.SelectedColumns is { } sel && sel.Select((c, i) => c == i).All(b => b);

    /// <summary>Number of sample chunks (min(samples, <see cref="MaxChunks"/>)): fixed by the batch alone.</summary>
    public int Chunks => _scratch.Length;

    /// <summary>Threads of <see cref="Derivative(double[], double[])"/> (1 = the caller's only).</summary>
    public int Threads => _workers?.Threads ?? 1;

    /// <summary>
    /// Evaluates the chunks of <see cref="Derivative(double[], double[])"/> on <paramref name="threads"/> threads (the caller's
    /// included); the result is the same for every thread count.
    /// </summary>
    public void UseThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        _workers?.Dispose();
        _workers = threads == 1 ? null : new ChunkWorkers(Math.Min(threads, Chunks), c => ChunkDerivative(c, _workState, _workDerivative));
    }

    /// <summary>Stops the worker threads.</summary>
    public void Dispose()
    {
        _workers?.Dispose();
        _workers = null;
    }

    // The masks R(z) = 𝟙[z ≥ 0] of a cochain (as MaskPattern.UpdateFrom, over an array: no enumerator is allocated).
    private void UpdateMasks(ReadOnlySpan<double> c, MaskPattern masks)
    {
        var theta = masks.Theta;
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

    /// <summary>The right-hand side of the joint ODE at <paramref name="state"/>, chunk after chunk on the caller's thread; allocation-free.</summary>
    public void Derivative(ReadOnlySpan<double> state, Span<double> derivative)
    {
        for (int k = 0; k < _scratch.Length; k++) ChunkDerivative(k, state, derivative);
        ReduceParameters(derivative);
    }

    /// <summary>The same right-hand side with the chunks on <see cref="Threads"/> threads; allocation-free.</summary>
    public void Derivative(double[] state, double[] derivative)
    {
        if (_workers is null)
        {
            Derivative(state.AsSpan(), derivative.AsSpan());
            return;
        }
        (_workState, _workDerivative) = (state, derivative);
        try
        {
            _workers.Run(_scratch.Length);
        }
        finally
        {
            (_workState, _workDerivative) = ([], []);
        }
        ReduceParameters(derivative);
    }

    // The parameter block of the derivative: the chunks' weight gradients added in chunk order.
    private void ReduceParameters(Span<double> derivative)
    {
        var dtheta = derivative.Slice(ParameterOffset, ParameterLength);
        _scratch[0].DTheta.CopyTo(dtheta);
        for (int k = 1; k < _scratch.Length; k++) Numerics.Axpy(1.0, _scratch[k].DTheta, dtheta);
    }

    // Chunk k's samples: their stalk derivatives in place, their weight gradient into the chunk's own buffer.
    private void ChunkDerivative(int k, ReadOnlySpan<double> state, Span<double> derivative)
    {
        var sc = _scratch[k];
        var theta = state.Slice(ParameterOffset, ParameterLength);
        var dtheta = sc.DTheta.AsSpan();
        dtheta.Clear();
        var modes = _workModes;
        for (int s = sc.First; s < sc.End; s++)
        {
            var c = state.Slice(s * StalkDimension, StalkDimension);
            var f = derivative.Slice(s * StalkDimension, StalkDimension);
            if (modes is null) UpdateMasks(c, sc.Masks);
            else MasksFromModes(modes, s, sc.Masks, -1, 0.0);
            SampleDerivative(s, c, f, theta, dtheta, sc);
            if (modes is not null) ZeroSliding(modes, s, f);
        }
    }

    // One sample's stalk derivative into f (cleared first) and its weight gradient added into dtheta, at the masks in sc.Masks.
    private void SampleDerivative(int s, ReadOnlySpan<double> c, Span<double> f, ReadOnlySpan<double> theta, Span<double> dtheta, Scratch sc)
    {
        var masks = sc.Masks;
        int nOut = Output.Dimension;
        f.Clear();
        for (int i = 0; i < _edges.Length; i++)
        {
            if (_kernel[i] == EdgeKernel.ReluIntoIdentity)
            {
                ReluEdge(i, c, f, masks);
                continue;
            }
            if (_kernel[i] == EdgeKernel.TrainedIntoIdentity)
            {
                TrainedEdge(i, c, f, theta, dtheta, sc.R);
                continue;
            }
            var r = Residual(i, c, theta, sc);
            var e = _edges[i];
            e.HeadMap.TransposeMultiplyAdd(r, f.Slice(_headOffset[i], _headDim[i]), -Alpha, masks);
            var tail = c.Slice(_tailOffset[i], _tailDim[i]);
            var ft = f.Slice(_tailOffset[i], _tailDim[i]);
            if (_param[i] < 0)
            {
                e.TailMap.TransposeMultiplyAdd(r, ft, Alpha, masks);
                continue;
            }
            var p = _parameters[_param[i]];
            var w = theta.Slice(p.WeightOffset, p.Rows * p.Columns);
            var dw = dtheta.Slice(p.WeightOffset, p.Rows * p.Columns);
            // Plain loops: the layers are narrow (a 30×2 first layer), where the vector kernels' call overhead dominates.
            int cols = p.Columns;
            for (int row = 0; row < p.Rows; row++)
            {
                double ar = Alpha * r[row], br = Beta * r[row];
                var wk = w.Slice(row * cols, cols);
                var dwk = dw.Slice(row * cols, cols);
                for (int j = 0; j < cols; j++)
                {
                    ft[j] += ar * wk[j];
                    dwk[j] += br * tail[j];
                }
            }
            if (p.HasBias) Numerics.Axpy(Beta, r, dtheta.Slice(p.BiasOffset, p.Rows));
        }
        var z = c.Slice(Output.Offset, nOut);
        Head.Apply(z, sc.Phi);
        var fz = f.Slice(Output.Offset, nOut);
        var y = _targets.AsSpan(s * nOut, nOut);
        for (int o = 0; o < nOut; o++) fz[o] -= Alpha * (sc.Phi[o] - y[o]);
        foreach (int j in _frozen) f[j] = 0;
    }

    // r = a − R z; ȧ −= α r, ż += α R r (as SelectionMap and ReluMaskMap apply them).
    private void ReluEdge(int i, ReadOnlySpan<double> c, Span<double> f, MaskPattern masks)
    {
        int n = _headDim[i];
        var a = c.Slice(_headOffset[i], n);
        var z = c.Slice(_tailOffset[i], n);
        var fa = f.Slice(_headOffset[i], n);
        var fz = f.Slice(_tailOffset[i], n);
        var th = masks.Theta.Slice(_tailOffset[i], n);
        for (int k = 0; k < n; k++)
        {
            double r = a[k];
            r += -1.0 * th[k] * z[k];
            fa[k] += -Alpha * r;
            fz[k] += Alpha * th[k] * r;
        }
    }

    // r = z − (W x + b); ż −= α r, ẋ += α Wᵀ r, Ẇ += β r xᵀ, ḃ += β r (as the generic path orders them).
    private void TrainedEdge(int i, ReadOnlySpan<double> c, Span<double> f, ReadOnlySpan<double> theta, Span<double> dtheta, double[] buffer)
    {
        var p = _parameters[_param[i]];
        int rows = p.Rows, cols = p.Columns;
        var z = c.Slice(_headOffset[i], rows);
        var x = c.Slice(_tailOffset[i], cols);
        var fz = f.Slice(_headOffset[i], rows);
        var fx = f.Slice(_tailOffset[i], cols);
        var w = theta.Slice(p.WeightOffset, rows * cols);
        var dw = dtheta.Slice(p.WeightOffset, rows * cols);
        var r = buffer.AsSpan(0, rows);
        for (int k = 0; k < rows; k++)
        {
            var wk = w.Slice(k * cols, cols);
            double sum = 0;
            for (int j = 0; j < cols; j++) sum += wk[j] * x[j];
            double rk = z[k];
            rk += -1.0 * sum;
            if (p.HasBias) rk += -1.0 * theta[p.BiasOffset + k];
            r[k] = rk;
            fz[k] += -Alpha * rk;
            double ar = Alpha * rk, br = Beta * rk;
            var dwk = dw.Slice(k * cols, cols);
            for (int j = 0; j < cols; j++)
            {
                fx[j] += ar * wk[j];
                dwk[j] += br * x[j];
            }
        }
        if (p.HasBias) Numerics.Axpy(Beta, r, dtheta.Slice(p.BiasOffset, rows));
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
            UpdateMasks(c, _scratch[0].Masks);
            for (int i = 0; i < _edges.Length; i++)
            {
                var r = Residual(i, c, theta, _scratch[0]);
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
            UpdateMasks(c, _scratch[0].Masks);
            for (int i = 0; i < _edges.Length; i++)
            {
                var r = Residual(i, c, theta, _scratch[0]);
                byKind[(int)_edges[i].Kind] += Numerics.Dot(r, r);
            }
            var phi = _scratch[0].Phi;
            Head.Apply(c.Slice(Output.Offset, nOut), phi);
            for (int k = 0; k < nOut; k++)
            {
                double d = phi[k] - _targets[s * nOut + k];
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
            var masks = _scratch[0].Masks;
            UpdateMasks(cochain, masks);
            var cv = cochain.Slice(v.Offset, v.Dimension);
            foreach (int i in _inEdges[v.Id])
            {
                var r = _scratch[0].R.AsSpan(0, _edges[i].Dimension);
                r.Clear();
                AddTailImage(i, cochain, theta, r, 1.0, masks);
                _edges[i].HeadMap.TransposeMultiplyAdd(r, cv, 1.0, masks);
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
    private Span<double> Residual(int i, ReadOnlySpan<double> c, ReadOnlySpan<double> theta, Scratch sc)
    {
        var r = sc.R.AsSpan(0, _edges[i].Dimension);
        r.Clear();
        _edges[i].HeadMap.MultiplyAdd(c.Slice(_headOffset[i], _headDim[i]), r, 1.0, sc.Masks);
        AddTailImage(i, c, theta, r, -1.0, sc.Masks);
        return r;
    }

    // r += scale · (F_tail c_tail + b).
    private void AddTailImage(int i, ReadOnlySpan<double> c, ReadOnlySpan<double> theta, Span<double> r, double scale, MaskPattern masks)
    {
        var tail = c.Slice(_tailOffset[i], _tailDim[i]);
        if (_param[i] < 0)
        {
            _edges[i].TailMap.MultiplyAdd(tail, r, scale, masks);
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

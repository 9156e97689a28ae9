using ResidualSheaf.Engine.Sheaves;

namespace ResidualSheaf.Engine.Training;

public sealed partial class JointFlow
{
    /// <summary>Largest joint state whose dense Jacobian <see cref="Jacobian"/> is meant for (4 000² doubles = 128 MB; LU ≈ 2·10¹⁰ flops).</summary>
    public const int MaxDenseJacobianDimension = 4000;

    // Scratch of the Jacobian, made on first use: one edge's residual derivative G and its coordinates, φ′, the held stalk coordinates.
    private double[] _jacG = [], _dphi = [];
    private int[] _jacIndex = [];
    private bool[]? _held;

    /// <summary>
    /// The Jacobian ∂f/∂y of <see cref="Derivative(ReadOnlySpan{double}, Span{double})"/> at <paramref name="state"/>, dense, into
    /// <paramref name="jacobian"/> (StateLength²). The flow is f = −D ∇E at fixed masks (D = α on stalks, β on parameters, the
    /// pinned and excluded coordinates held), so J = −D ∇²E with ∇²E = Σ_samples Σ_edges (GᵀG + Σ_k r_k ∇²r_k) + φ′(z): G is
    /// the edge residual's derivative in its head stalk, tail stalk, W and b, and the second-order term is the bilinear
    /// −W x coupling (∂²r_k/∂W_kj∂x_j = −1). The masks are those of the state (their jumps have no derivative), so J is the
    /// Jacobian of the mask pattern's smooth piece. Rows of held coordinates are zero.
    /// </summary>
    public void Jacobian(ReadOnlySpan<double> state, double[,] jacobian)
    {
        int n = StateLength;
        if (state.Length != n || jacobian.GetLength(0) != n || jacobian.GetLength(1) != n)
            throw new ArgumentException($"state {state.Length} and jacobian {jacobian.GetLength(0)}×{jacobian.GetLength(1)}; {n} expected");
        Array.Clear(jacobian);
        var theta = state.Slice(ParameterOffset, ParameterLength);
        var sc = _scratch[0];
        var masks = sc.Masks;
        int nOut = Output.Dimension;
        if (_dphi.Length != nOut * nOut) _dphi = new double[nOut * nOut];
        var dphi = _dphi;
        for (int s = 0; s < Samples; s++)
        {
            int cs = s * StalkDimension;
            var c = state.Slice(cs, StalkDimension);
            UpdateMasks(c, masks);
            for (int i = 0; i < _edges.Length; i++) AddEdgeHessian(i, cs, c, theta, sc, jacobian);
            HeadDerivative(c.Slice(Output.Offset, nOut), dphi);
            for (int a = 0; a < nOut; a++)
                for (int b = 0; b < nOut; b++) jacobian[cs + Output.Offset + a, cs + Output.Offset + b] += dphi[a * nOut + b];
        }
        // J = −D ∇²E, held rows zero.
        if (_held is null)
        {
            _held = new bool[StalkDimension];
            foreach (int j in _frozen) _held[j] = true;
        }
        var held = _held;
        for (int row = 0; row < n; row++)
        {
            bool stalk = row < ParameterOffset;
            double scale = stalk ? (held[row % StalkDimension] ? 0.0 : -Alpha) : -Beta;
            for (int col = 0; col < n; col++) jacobian[row, col] *= scale;
        }
    }

    // ∇²(½‖r_e‖²) of edge i in sample cs's cochain c, added into h: GᵀG over the edge's coordinates, plus −r_k at (W_kj, x_j).
    private void AddEdgeHessian(int i, int cs, ReadOnlySpan<double> c, ReadOnlySpan<double> theta, Scratch sc, double[,] h)
    {
        var e = _edges[i];
        int dim = e.Dimension, hd = _headDim[i], td = _tailDim[i];
        var p = _param[i] < 0 ? null : _parameters[_param[i]];
        int local = hd + td + (p is null ? 0 : p.Length);
        if (_jacG.Length < dim * local) _jacG = new double[dim * local];
        if (_jacIndex.Length < local) _jacIndex = new int[local];
        var g = _jacG.AsSpan(0, dim * local);
        g.Clear();
        var index = _jacIndex;
        for (int k = 0; k < hd; k++) index[k] = cs + _headOffset[i] + k;
        for (int k = 0; k < td; k++) index[hd + k] = cs + _tailOffset[i] + k;
        foreach (var (row, col, v) in e.HeadMap.Entries(sc.Masks)) g[row * local + col] += v;
        if (p is null)
        {
            foreach (var (row, col, v) in e.TailMap.Entries(sc.Masks)) g[row * local + hd + col] -= v;
        }
        else
        {
            // r = F_head c_head − W x − b: ∂r/∂x = −W, ∂r_k/∂W_kj = −x_j, ∂r_k/∂b_k = −1.
            var x = c.Slice(_tailOffset[i], td);
            int w0 = hd + td;
            for (int k = 0; k < p.Length; k++) index[w0 + k] = ParameterOffset + p.WeightOffset + k;
            for (int row = 0; row < p.Rows; row++)
                for (int j = 0; j < p.Columns; j++)
                {
                    g[row * local + hd + j] -= theta[p.WeightOffset + row * p.Columns + j];
                    g[row * local + w0 + row * p.Columns + j] = -x[j];
                }
            if (p.HasBias)
                for (int row = 0; row < p.Rows; row++) g[row * local + w0 + (p.BiasOffset - p.WeightOffset) + row] = -1.0;
        }
        for (int a = 0; a < local; a++)
            for (int b = 0; b < local; b++)
            {
                double sum = 0;
                for (int row = 0; row < dim; row++) sum += g[row * local + a] * g[row * local + b];
                if (sum != 0) h[index[a], index[b]] += sum;
            }
        if (p is null) return;
        var r = Residual(i, c, theta, sc);
        for (int row = 0; row < p.Rows; row++)
            for (int j = 0; j < p.Columns; j++)
            {
                int w = ParameterOffset + p.WeightOffset + row * p.Columns + j, xj = cs + _tailOffset[i] + j;
                h[w, xj] -= r[row];
                h[xj, w] -= r[row];
            }
    }

    // ∂φ/∂z of the head (row-major nOut²): I, diag σ(1 − σ), or diag p − p pᵀ.
    private void HeadDerivative(ReadOnlySpan<double> z, double[] dphi)
    {
        int m = z.Length;
        Array.Clear(dphi);
        var phi = _scratch[0].Phi;
        Head.Apply(z, phi);
        for (int a = 0; a < m; a++)
        {
            switch (Head.Name)
            {
                case "identity": dphi[a * m + a] = 1.0; break;
                case "sigmoid": dphi[a * m + a] = phi[a] * (1 - phi[a]); break;
                default:
                    for (int b = 0; b < m; b++) dphi[a * m + b] = (a == b ? phi[a] : 0.0) - phi[a] * phi[b];
                    break;
            }
        }
    }
}

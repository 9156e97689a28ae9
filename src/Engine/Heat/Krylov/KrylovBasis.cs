using ResidualSheaf.Engine.LinearAlgebra;

namespace ResidualSheaf.Engine.Heat;

/// <summary>How a basis vector's image under M (and whatever else a flow needs from it) is made.</summary>
internal interface IBasisImages
{
    /// <summary>image = M v for basis vector <paramref name="index"/>.</summary>
    void Apply(int index, ReadOnlySpan<double> v, Span<double> image, bool sliding);
}

/// <summary>
/// An orthonormal Krylov basis V of at most <c>kmax</c> vectors with their images M V and T = VᵀMV, and the Rayleigh–Ritz model
/// of exp(−τM)u on it: ũ(τ) = V Q e^{−Θτ} w with T = QΘQᵀ and w = β Qᵀe₁, plus the coefficients p of its rank-one residual
/// (for <see cref="KrylovErrorBound"/>). Also keeps the basis's entries at a few watched coordinates (the switching units) as
/// contiguous rows: the switch search reads, per unit, one entry of every basis vector, which in V itself are |Ω| apart.
/// Allocation-free; not thread-safe.
/// </summary>
internal sealed class KrylovBasis
{
    private readonly int _n;
    private readonly int _kmax;
    private readonly IBasisImages _images;
    private readonly double[] _v;
    private readonly double[] _mv;
    private readonly double[] _t;
    private readonly double[] _tw;
    private readonly double[] _q;
    private readonly double[] _qc;
    private readonly double[] _work;
    private readonly double[] _theta;
    private readonly double[] _w;
    private readonly double[] _c;
    private readonly double[] _p;
    private readonly double[] _x;
    private readonly double[] _h;
    private readonly int[] _watched;
    private readonly double[] _rows;
    private readonly KernelTeam _team;

    /// <summary>
    /// A basis of at most <paramref name="kmax"/> vectors of length <paramref name="n"/>, keeping rows at <paramref name="watched"/>;
    /// its projections and orthogonalisation run on <paramref name="team"/> (the same numbers for every team size).
    /// </summary>
    public KrylovBasis(int n, int kmax, IBasisImages images, int[] watched, KernelTeam team)
    {
        _team = team;
        _n = n;
        _kmax = kmax;
        _images = images;
        _watched = watched;
        _rows = new double[watched.Length * kmax];
        _v = new double[kmax * n];
        _mv = new double[kmax * n];
        _t = new double[kmax * kmax];
        _tw = new double[kmax * kmax];
        _q = new double[kmax * kmax];
        _qc = new double[kmax * kmax];
        _work = new double[kmax];
        _theta = new double[kmax];
        _w = new double[kmax];
        _c = new double[kmax];
        _p = new double[kmax];
        _x = new double[kmax];
        _h = new double[kmax];
    }

    /// <summary>Largest basis size.</summary>
    public int Capacity => _kmax;

    /// <summary>Vectors in the basis.</summary>
    public int Count { get; private set; }

    /// <summary>The basis vectors, row-major (vector i at [i n, (i + 1) n)).</summary>
    public double[] Vectors => _v;

    /// <summary>Q of the model fitted on k vectors, row-major k × k.</summary>
    public double[] Q => _q;

    /// <summary>Basis vector <paramref name="i"/>.</summary>
    public Span<double> Vector(int i) => _v.AsSpan(i * _n, _n);

    /// <summary>Entries of the first k basis vectors at watched coordinate <paramref name="w"/> (its row of V).</summary>
    public ReadOnlySpan<double> Row(int w, int k) => _rows.AsSpan(w * _kmax, k);

    /// <summary>M times basis vector <paramref name="i"/>.</summary>
    public Span<double> Image(int i) => _mv.AsSpan(i * _n, _n);

    /// <summary>The Ritz-value store (the first k entries are the fitted model's).</summary>
    public double[] RitzValues => _theta;

    /// <summary>Ritz values θ of the fitted model (ascending).</summary>
    public ReadOnlySpan<double> Theta(int k) => _theta.AsSpan(0, k);

    /// <summary>Model weights w = β Qᵀe₁.</summary>
    public ReadOnlySpan<double> Weights(int k) => _w.AsSpan(0, k);

    /// <summary>Residual coefficients p of the fitted model.</summary>
    public ReadOnlySpan<double> Residual(int k) => _p.AsSpan(0, k);

    /// <summary>Appends w/‖w‖ as basis vector k (k = 0 starts a new basis), its image under M and the new row/column of T.</summary>
    public void Append(ReadOnlySpan<double> w, double norm, int k, bool sliding)
    {
        int n = _n;
        var vk = _v.AsSpan(k * n, n);
        for (int i = 0; i < n; i++) vk[i] = w[i] / norm;
        for (int j = 0; j < _watched.Length; j++) _rows[j * _kmax + k] = vk[_watched[j]];
        _images.Apply(k, vk, _mv.AsSpan(k * n, n), sliding);
        var column = _x;
        _team.Dots(_v, n, k + 1, _mv, k * n, column);
        for (int i = 0; i <= k; i++)
        {
            _t[i * _kmax + k] = column[i];
            _t[k * _kmax + i] = column[i];
        }
        Count = k + 1;
    }

    /// <summary>
    /// Classical Gram–Schmidt against the first k basis vectors, with a second pass when the first cancelled more than half of
    /// ‖w‖² (the criterion of Daniel, Gragg, Kaufman and Stewart, η = 1/√2, stated for classical Gram–Schmidt): a vector that kept
    /// most of its norm is orthogonal to working precision after one pass, and "twice is enough" for the rest. Classical rather
    /// than modified: the k projections of a pass are independent, so they run as interleaved dot products and one blocked update,
    /// where modified Gram–Schmidt is a chain of k dot products each waiting on the last. The passes are most of a large basis's
    /// dense work.
    /// </summary>
    public void Orthogonalize(double[] w, int k)
    {
        if (k == 0) return;
        double before = Numerics.Dot(w, w);
        Pass(w, k);
        if (Numerics.Dot(w, w) >= 0.5 * before) return;
        Pass(w, k);
    }

    /// <summary>w −= Σ_i (v_i · w) v_i over i = 0 … k − 1, every projection taken from the same w.</summary>
    private void Pass(double[] w, int k)
    {
        var h = _h;
        _team.Dots(_v, _n, k, w, 0, h);
        for (int i = 0; i < k; i++) h[i] = -h[i];
        _team.AddCombination(_v, _n, h, k, w);
    }

    /// <summary>
    /// Fits the model on the first k vectors for u of norm <paramref name="beta"/> (the first basis vector's direction); r is the
    /// residual direction (I − VVᵀ) M v_lastPoly of norm <paramref name="rho"/>, and (I − VVᵀ) M V = r̂ cᵀ with c_i = r̂ · M v_i
    /// (0 after a polynomial breakdown). False when the eigen-solver fails or T is not positive definite.
    /// </summary>
    public bool Fit(int k, double beta, double[] r, double rho, bool polyBreak)
    {
        int n = _n;
        var c = _c.AsSpan(0, k);
        if (polyBreak) c.Clear();
        else
        {
            _team.Dots(_mv, n, k, r, 0, _c);
            for (int i = 0; i < k; i++) c[i] /= rho;
        }
        if (!Eigen(k)) return false;
        for (int j = 0; j < k; j++)
        {
            _w[j] = beta * _q[j];
            double s = 0;
            for (int i = 0; i < k; i++) s += _c[i] * _q[i * k + j];
            _p[j] = s * _w[j];
        }
        return true;
    }

    /// <summary>
    /// T = QΘQᵀ on k vectors (Θ ascending, Q row-major into _q) and whether T is positive definite. Householder tridiagonalisation
    /// and implicit QL (<see cref="SymmetricEvd"/>), O(k³) with a small constant, take the place of cyclic Jacobi, whose sweeps
    /// dominated the fits of large bases; Jacobi stays as the fallback where QL does not converge
    /// or finds a Ritz value ≤ 0 (its relative accuracy on small eigenvalues can still certify T positive definite there).
    /// </summary>
    private bool Eigen(int k)
    {
        Symmetrize(k);
        if (SymmetricEvd.TryDecompose(_tw.AsSpan(0, k * k), k, _qc, _theta, _work) && _theta[0] > 0)
        {
            for (int j = 0; j < k; j++)
                for (int i = 0; i < k; i++) _q[i * k + j] = _qc[j * k + i];
            return true;
        }
        return SymmetricEigen.Jacobi(_tw, _q, _theta, k) && _theta[0] > 0;
    }

    private void Symmetrize(int k)
    {
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) _tw[i * k + j] = 0.5 * (_t[i * _kmax + j] + _t[j * _kmax + i]);
    }

    /// <summary>ũ(τ) = V Q e^{−Θτ} w of the model fitted on <see cref="Count"/> vectors.</summary>
    public void Displacement(double tau, Span<double> result)
    {
        int k = Count, n = _n;
        for (int j = 0; j < k; j++) _x[j] = _w[j] * Math.Exp(-_theta[j] * tau);
        result.Clear();
        for (int i = 0; i < k; i++)
        {
            double s = 0;
            for (int j = 0; j < k; j++) s += _q[i * k + j] * _x[j];
            if (s != 0) Numerics.Axpy(s, _v.AsSpan(i * n, n), result);
        }
    }
}

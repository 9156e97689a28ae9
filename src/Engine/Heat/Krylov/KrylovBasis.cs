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
/// (for <see cref="KrylovErrorBound"/>). Allocation-free; not thread-safe.
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
    private readonly double[] _theta;
    private readonly double[] _w;
    private readonly double[] _c;
    private readonly double[] _p;
    private readonly double[] _x;

    public KrylovBasis(int n, int kmax, IBasisImages images)
    {
        _n = n;
        _kmax = kmax;
        _images = images;
        _v = new double[kmax * n];
        _mv = new double[kmax * n];
        _t = new double[kmax * kmax];
        _tw = new double[kmax * kmax];
        _q = new double[kmax * kmax];
        _theta = new double[kmax];
        _w = new double[kmax];
        _c = new double[kmax];
        _p = new double[kmax];
        _x = new double[kmax];
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
        _images.Apply(k, vk, _mv.AsSpan(k * n, n), sliding);
        var mvk = _mv.AsSpan(k * n, n);
        for (int i = 0; i <= k; i++)
        {
            double s = Numerics.Dot(_v.AsSpan(i * n, n), mvk);
            _t[i * _kmax + k] = s;
            _t[k * _kmax + i] = s;
        }
        Count = k + 1;
    }

    /// <summary>Two passes of Gram–Schmidt against the first k basis vectors (full reorthogonalisation).</summary>
    public void Orthogonalize(Span<double> w, int k)
    {
        int n = _n;
        for (int pass = 0; pass < 2; pass++)
            for (int i = 0; i < k; i++)
            {
                var vi = _v.AsSpan(i * n, n);
                Numerics.Axpy(-Numerics.Dot(vi, w), vi, w);
            }
    }

    /// <summary>
    /// Fits the model on the first k vectors for u of norm <paramref name="beta"/> (the first basis vector's direction); r is the
    /// residual direction (I − VVᵀ) M v_lastPoly of norm <paramref name="rho"/>, and (I − VVᵀ) M V = r̂ cᵀ with c_i = r̂ · M v_i
    /// (0 after a polynomial breakdown). False when the eigen-solver fails or T is not positive definite.
    /// </summary>
    public bool Fit(int k, double beta, ReadOnlySpan<double> r, double rho, bool polyBreak)
    {
        int n = _n;
        for (int i = 0; i < k; i++) _c[i] = polyBreak ? 0 : Numerics.Dot(r, _mv.AsSpan(i * n, n)) / rho;
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) _tw[i * k + j] = 0.5 * (_t[i * _kmax + j] + _t[j * _kmax + i]);
        if (!SymmetricEigen.Jacobi(_tw, _q, _theta, k) || !(_theta[0] > 0)) return false;
        for (int j = 0; j < k; j++)
        {
            _w[j] = beta * _q[j];
            double s = 0;
            for (int i = 0; i < k; i++) s += _c[i] * _q[i * k + j];
            _p[j] = s * _w[j];
        }
        return true;
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

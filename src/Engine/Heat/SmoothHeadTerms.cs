using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Sheaves;

namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// The smooth edges' (output heads') part of the heat equation (heads-and-training.md §1): with r = a − φ(z), energy ½‖r‖²,
/// gradient-like terms g_a = r and g_z = −J_φ(z)ᵀ r (<see cref="OutputEdgeMode.Jacobian"/>, the exact gradient) or g_z = −r
/// (<see cref="OutputEdgeMode.Identity"/>, not a gradient); the force is −α g. Preallocated buffers: nothing allocates per call.
/// </summary>
/// <remarks>Not thread-safe (workspaces); <see cref="Clone"/> gives an instance with its own.</remarks>
internal sealed class SmoothHeadTerms
{
    private readonly SmoothFunction[] _function;
    private readonly OutputEdgeMode[] _mode;
    private readonly int[] _tailOffset;
    private readonly int[] _headOffset;
    private readonly int[] _dim;
    private readonly int[] _at;
    private readonly int[][] _tailFree;
    private readonly int[][] _headFree;
    private readonly double[] _phi;
    private readonly double[] _res;
    private readonly double[] _tmp;
    private readonly double[] _jac;
    private readonly double[] _curv;

    public SmoothHeadTerms(DirichletProblem problem)
    {
        var sheaf = problem.Sheaf;
        var edges = sheaf.SmoothEdges.ToArray();
        _function = edges.Select(e => e.Function).ToArray();
        _mode = edges.Select(e => e.Mode).ToArray();
        _tailOffset = edges.Select(e => sheaf.Vertices[e.Tail].Offset).ToArray();
        _headOffset = edges.Select(e => sheaf.Vertices[e.Head].Offset).ToArray();
        _dim = edges.Select(e => sheaf.Vertices[e.Head].Dimension).ToArray();
        _at = new int[edges.Length];
        for (int k = 1; k < edges.Length; k++) _at[k] = _at[k - 1] + _dim[k - 1];
        _tailFree = edges.Select((e, k) => Enumerable.Range(_tailOffset[k], _dim[k]).Select(problem.FreeIndex).ToArray()).ToArray();
        _headFree = edges.Select((e, k) => Enumerable.Range(_headOffset[k], _dim[k]).Select(problem.FreeIndex).ToArray()).ToArray();
        int total = _dim.Sum(), max = _dim.Max();
        _phi = new double[total];
        _res = new double[total];
        _tmp = new double[max];
        _jac = new double[max * max];
        _curv = new double[max * max];
        IsGradient = _mode.All(m => m == OutputEdgeMode.Jacobian);
    }

    private SmoothHeadTerms(SmoothHeadTerms o)
    {
        _function = o._function;
        _mode = o._mode;
        _tailOffset = o._tailOffset;
        _headOffset = o._headOffset;
        _dim = o._dim;
        _at = o._at;
        _tailFree = o._tailFree;
        _headFree = o._headFree;
        _phi = new double[o._phi.Length];
        _res = new double[o._res.Length];
        _tmp = new double[o._tmp.Length];
        _jac = new double[o._jac.Length];
        _curv = new double[o._curv.Length];
        IsGradient = o.IsGradient;
    }

    /// <summary>True when every smooth edge is in jacobian mode (the force is then −α∇E).</summary>
    public bool IsGradient { get; }

    /// <summary>½‖r‖² at the state of the last <see cref="Residuals"/> (or <see cref="AddGradient"/>).</summary>
    public double Energy { get; private set; }

    public SmoothHeadTerms Clone() => new(this);

    /// <summary>φ(z) and r = a − φ(z) of every smooth edge at the full cochain <paramref name="c"/>, and <see cref="Energy"/>.</summary>
    public void Residuals(ReadOnlySpan<double> c)
    {
        double e = 0;
        for (int k = 0; k < _dim.Length; k++)
        {
            int n = _dim[k];
            var phi = _phi.AsSpan(_at[k], n);
            var r = _res.AsSpan(_at[k], n);
            _function[k].Evaluate(c.Slice(_tailOffset[k], n), phi);
            for (int i = 0; i < n; i++)
            {
                r[i] = c[_headOffset[k] + i] - phi[i];
                e += r[i] * r[i];
            }
        }
        Energy = 0.5 * e;
    }

    /// <summary>Adds g_a = r and g_z = −Jᵀr (jacobian mode) or −r (identity mode) to the full gradient <paramref name="g"/>.</summary>
    public void AddGradient(ReadOnlySpan<double> c, Span<double> g)
    {
        Residuals(c);
        for (int k = 0; k < _dim.Length; k++)
        {
            int n = _dim[k];
            var phi = _phi.AsSpan(_at[k], n);
            var r = _res.AsSpan(_at[k], n);
            var ga = g.Slice(_headOffset[k], n);
            var gz = g.Slice(_tailOffset[k], n);
            for (int i = 0; i < n; i++) ga[i] += r[i];
            if (_mode[k] == OutputEdgeMode.Jacobian) _function[k].JacobianTransposeMultiplyAdd(phi, r, gz, -1.0);
            else
                for (int i = 0; i < n; i++) gz[i] -= r[i];
        }
    }

    /// <summary>
    /// Σ over free z of g̃_z (∇E − g̃)_z for the identity-mode edges, where g̃ (<paramref name="g"/>, from the last
    /// <see cref="AddGradient"/>) is the force's gradient-like vector: ∇E · g̃ = ‖g̃‖² + this. Zero in jacobian mode.
    /// </summary>
    public double NonGradientCorrection(ReadOnlySpan<double> g)
    {
        double s = 0;
        for (int k = 0; k < _dim.Length; k++)
        {
            if (_mode[k] == OutputEdgeMode.Jacobian) continue;
            int n = _dim[k];
            var phi = _phi.AsSpan(_at[k], n);
            var r = _res.AsSpan(_at[k], n);
            var tmp = _tmp.AsSpan(0, n);
            // ∇E_z = −Jᵀr while g̃_z = −r: the difference is r − Jᵀr.
            r.CopyTo(tmp);
            _function[k].JacobianTransposeMultiplyAdd(phi, r, tmp, -1.0);
            for (int i = 0; i < n; i++)
                if (_tailFree[k][i] >= 0) s += g[_tailOffset[k] + i] * tmp[i];
        }
        return s;
    }

    /// <summary>
    /// Adds ∂(−α g)/∂c_Ω of the smooth edges at the full cochain <paramref name="c"/> to <paramref name="jacobian"/> (free × free):
    /// blocks ∂g_a/∂a = I, ∂g_a/∂z = −J; jacobian mode ∂g_z/∂a = −Jᵀ, ∂g_z/∂z = JᵀJ − Σ_i r_i ∇²φ_i; identity mode ∂g_z/∂a = −I,
    /// ∂g_z/∂z = J.
    /// </summary>
    public void AddForceJacobian(ReadOnlySpan<double> c, double alpha, double[,] jacobian)
    {
        Residuals(c);
        for (int k = 0; k < _dim.Length; k++)
        {
            int n = _dim[k];
            var phi = _phi.AsSpan(_at[k], n);
            var r = _res.AsSpan(_at[k], n);
            var jac = _jac.AsSpan(0, n * n);
            _function[k].Jacobian(phi, jac);
            var zf = _tailFree[k];
            var af = _headFree[k];
            bool exact = _mode[k] == OutputEdgeMode.Jacobian;
            var curv = _curv.AsSpan(0, n * n);
            if (exact)
            {
                curv.Clear();
                _function[k].AddCurvature(phi, r, curv, 1.0);
            }
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double aa = i == j ? 1.0 : 0.0;
                    double az = -jac[i * n + j];
                    double za, zz;
                    if (exact)
                    {
                        za = -jac[j * n + i];
                        double jtj = 0;
                        for (int m = 0; m < n; m++) jtj += jac[m * n + i] * jac[m * n + j];
                        zz = jtj - curv[i * n + j];
                    }
                    else
                    {
                        za = i == j ? -1.0 : 0.0;
                        zz = jac[i * n + j];
                    }
                    Add(jacobian, af[i], af[j], -alpha * aa);
                    Add(jacobian, af[i], zf[j], -alpha * az);
                    Add(jacobian, zf[i], af[j], -alpha * za);
                    Add(jacobian, zf[i], zf[j], -alpha * zz);
                }
            }
        }
    }

    private static void Add(double[,] m, int row, int col, double v)
    {
        if (row >= 0 && col >= 0 && v != 0) m[row, col] += v;
    }
}

namespace ResidualSheaf.Engine.Sheaves;

/// <summary>
/// A smooth nonlinearity φ: R^n → R^n on the tail of a <see cref="SmoothEdge"/> (an output head: sigmoid, softmax). Unlike a
/// <see cref="SwitchingMap"/> it has no switching coordinates; the heat equation needs φ, products with its Jacobian J = ∂φ/∂z
/// and, for the exact Jacobian of the force (Rosenbrock methods), the curvature Σ_i w_i ∇²φ_i. Every method works in
/// caller-provided buffers and allocates nothing.
/// </summary>
public abstract class SmoothFunction
{
    /// <summary>The name as configs spell it (sigmoid, softmax).</summary>
    public abstract string Name { get; }

    /// <summary>The smallest stalk dimension on which the function makes sense (softmax over one output is the constant 1).</summary>
    public virtual int MinimumDimension => 1;

    /// <summary>φ(z) into <paramref name="phi"/>.</summary>
    public abstract void Evaluate(ReadOnlySpan<double> z, Span<double> phi);

    /// <summary><paramref name="result"/> += scale · J(z)ᵀ v, with J from <paramref name="phi"/> = φ(z).</summary>
    public abstract void JacobianTransposeMultiplyAdd(ReadOnlySpan<double> phi, ReadOnlySpan<double> v, Span<double> result, double scale);

    /// <summary>J(z) (row-major n×n, J[i·n + k] = ∂φ_i/∂z_k) from <paramref name="phi"/> = φ(z).</summary>
    public abstract void Jacobian(ReadOnlySpan<double> phi, Span<double> jacobian);

    /// <summary><paramref name="hessian"/> (row-major n×n) += scale · Σ_i w_i ∇²φ_i(z), from <paramref name="phi"/> = φ(z).</summary>
    public abstract void AddCurvature(ReadOnlySpan<double> phi, ReadOnlySpan<double> w, Span<double> hessian, double scale);

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>The elementwise logistic sigmoid s(z) = 1/(1 + e^{−z}); J = diag(s(1 − s)), ∂²s/∂z² = s(1 − s)(1 − 2s).</summary>
public sealed class Sigmoid : SmoothFunction
{
    /// <summary>The one instance.</summary>
    public static readonly Sigmoid Instance = new();

    private Sigmoid()
    {
    }

    /// <inheritdoc/>
    public override string Name => "sigmoid";

    /// <inheritdoc/>
    public override void Evaluate(ReadOnlySpan<double> z, Span<double> phi)
    {
        // Both branches avoid exp of a large positive number, so neither overflows.
        for (int i = 0; i < z.Length; i++)
        {
            double v = z[i];
            if (v >= 0) phi[i] = 1.0 / (1.0 + Math.Exp(-v));
            else
            {
                double e = Math.Exp(v);
                phi[i] = e / (1.0 + e);
            }
        }
    }

    /// <inheritdoc/>
    public override void JacobianTransposeMultiplyAdd(ReadOnlySpan<double> phi, ReadOnlySpan<double> v, Span<double> result, double scale)
    {
        for (int i = 0; i < phi.Length; i++) result[i] += scale * phi[i] * (1 - phi[i]) * v[i];
    }

    /// <inheritdoc/>
    public override void Jacobian(ReadOnlySpan<double> phi, Span<double> jacobian)
    {
        int n = phi.Length;
        jacobian[..(n * n)].Clear();
        for (int i = 0; i < n; i++) jacobian[i * n + i] = phi[i] * (1 - phi[i]);
    }

    /// <inheritdoc/>
    public override void AddCurvature(ReadOnlySpan<double> phi, ReadOnlySpan<double> w, Span<double> hessian, double scale)
    {
        int n = phi.Length;
        for (int i = 0; i < n; i++) hessian[i * n + i] += scale * w[i] * phi[i] * (1 - phi[i]) * (1 - 2 * phi[i]);
    }
}

/// <summary>
/// Softmax over the stalk, p_i = e^{z_i} / Σ_k e^{z_k}; J = diag(p) − p pᵀ (symmetric), and with q = w∘p, u = Σ_i q_i:
/// Σ_i w_i ∂²p_i/∂z_j∂z_k = δ_jk (q_j − p_j u) − p_j q_k − p_k q_j + 2 p_j p_k u.
/// </summary>
public sealed class Softmax : SmoothFunction
{
    /// <summary>The one instance.</summary>
    public static readonly Softmax Instance = new();

    private Softmax()
    {
    }

    /// <inheritdoc/>
    public override string Name => "softmax";

    /// <inheritdoc/>
    public override int MinimumDimension => 2;

    /// <inheritdoc/>
    public override void Evaluate(ReadOnlySpan<double> z, Span<double> phi)
    {
        // Shifting by the maximum keeps every exponent ≤ 0 (no overflow) and does not change p.
        double m = double.NegativeInfinity;
        foreach (double v in z) m = Math.Max(m, v);
        double s = 0;
        for (int i = 0; i < z.Length; i++)
        {
            phi[i] = Math.Exp(z[i] - m);
            s += phi[i];
        }
        for (int i = 0; i < z.Length; i++) phi[i] /= s;
    }

    /// <inheritdoc/>
    public override void JacobianTransposeMultiplyAdd(ReadOnlySpan<double> phi, ReadOnlySpan<double> v, Span<double> result, double scale)
    {
        double pv = 0;
        for (int i = 0; i < phi.Length; i++) pv += phi[i] * v[i];
        for (int i = 0; i < phi.Length; i++) result[i] += scale * phi[i] * (v[i] - pv);
    }

    /// <inheritdoc/>
    public override void Jacobian(ReadOnlySpan<double> phi, Span<double> jacobian)
    {
        int n = phi.Length;
        for (int i = 0; i < n; i++)
            for (int k = 0; k < n; k++) jacobian[i * n + k] = (i == k ? phi[i] : 0.0) - phi[i] * phi[k];
    }

    /// <inheritdoc/>
    public override void AddCurvature(ReadOnlySpan<double> phi, ReadOnlySpan<double> w, Span<double> hessian, double scale)
    {
        int n = phi.Length;
        double u = 0;
        for (int i = 0; i < n; i++) u += w[i] * phi[i];
        for (int j = 0; j < n; j++)
        {
            double qj = w[j] * phi[j];
            for (int k = 0; k < n; k++)
            {
                double qk = w[k] * phi[k];
                double h = -phi[j] * qk - phi[k] * qj + 2 * phi[j] * phi[k] * u;
                if (j == k) h += qj - phi[j] * u;
                hessian[j * n + k] += scale * h;
            }
        }
    }
}

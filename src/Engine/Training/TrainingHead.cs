using ResidualSheaf.Engine.Sheaves;

namespace ResidualSheaf.Engine.Training;

/// <summary>
/// The output edge of sheaf-based training (heads-and-training §2): the target y enters as a force −(φ(z) − y) on the output
/// pre-activation z, with φ the identity (MSE), the sigmoid or the softmax (the cross-entropy gradient with respect to z). There is
/// no a_out vertex in training.
/// </summary>
public sealed class TrainingHead
{
    private readonly SmoothFunction? _phi;

    /// <summary>A head with output function φ; null is the identity.</summary>
    public TrainingHead(SmoothFunction? phi) => _phi = phi;

    /// <summary>The identity head (mean squared error).</summary>
    public static TrainingHead Identity { get; } = new(null);

    /// <summary>"identity", "sigmoid" or "softmax".</summary>
    public string Name => _phi?.Name ?? "identity";

    /// <summary>Whether the loss is cross-entropy (sigmoid or softmax) rather than MSE.</summary>
    public bool IsClassifier => _phi is not null;

    /// <summary>φ(z) into <paramref name="phi"/> (no allocation).</summary>
    public void Apply(ReadOnlySpan<double> z, Span<double> phi)
    {
        if (_phi is null) z.CopyTo(phi);
        else _phi.Evaluate(z, phi);
    }

    /// <summary>
    /// The output term of the training potential, whose z-gradient is φ(z) − y: ½‖z − y‖² (identity), Σ softplus(z) − y z
    /// (sigmoid: binary cross-entropy) or logsumexp(z) − yᵀz scaled by Σy (softmax; one-hot y).
    /// </summary>
    public double Potential(ReadOnlySpan<double> z, ReadOnlySpan<double> y)
    {
        double sum = 0;
        switch (Name)
        {
            case "identity":
                for (int k = 0; k < z.Length; k++) sum += 0.5 * (z[k] - y[k]) * (z[k] - y[k]);
                return sum;
            case "sigmoid":
                for (int k = 0; k < z.Length; k++) sum += Math.Max(z[k], 0) + Math.Log(1 + Math.Exp(-Math.Abs(z[k]))) - y[k] * z[k];
                return sum;
            default:
                double max = double.NegativeInfinity, ysum = 0;
                foreach (double v in z) max = Math.Max(max, v);
                double lse = 0;
                foreach (double v in z) lse += Math.Exp(v - max);
                lse = max + Math.Log(lse);
                for (int k = 0; k < z.Length; k++)
                {
                    sum -= y[k] * z[k];
                    ysum += y[k];
                }
                return sum + ysum * lse;
        }
    }
}

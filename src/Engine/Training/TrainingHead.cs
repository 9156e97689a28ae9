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
}

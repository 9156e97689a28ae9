namespace ResidualSheaf.Models.Networks;

/// <summary>Where a residual block applies its second ReLU.</summary>
public enum ReluPlacement
{
    /// <summary>y = ReLU(W2 ReLU(W1 x + b1) + b2 + P x) (the lab's PyTorch module).</summary>
    After,
    /// <summary>y = ReLU(W2 ReLU(W1 x + b1) + b2) + P x.</summary>
    Before,
}

namespace ResidualSheaf.Engine.Dirichlet;

/// <summary>How a Dirichlet problem was solved.</summary>
public enum DirichletMethod
{
    /// <summary>δ_Ω square and block unitriangular in topological order: exact forward substitution, masks taken as they are computed.</summary>
    ForwardSubstitution,
    /// <summary>Householder QR least squares (δ_Ω tall, full column rank).</summary>
    LeastSquaresQr,
    /// <summary>SVD minimum-norm least squares (δ_Ω rank deficient).</summary>
    LeastSquaresSvd,
}

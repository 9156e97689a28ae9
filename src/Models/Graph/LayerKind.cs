namespace ResidualSheaf.Models.Graph;

/// <summary>What a node of a <see cref="LayerGraph"/> computes; each kind has one sheaf contributor.</summary>
public enum LayerKind
{
    /// <summary>The network input x (pinned in the Dirichlet problem).</summary>
    Input,
    /// <summary>An affine layer W h + b.</summary>
    Linear,
    /// <summary>An affine layer A h + b with A a matrix-free operator (convolution, average pool): <see cref="OperatorNode"/>.</summary>
    Operator,
    /// <summary>The elementwise ReLU, a piecewise-linear nonlinearity with one switching coordinate per unit.</summary>
    Relu,
    /// <summary>The sum of two or more addends, each optionally through a bias-free projection.</summary>
    Add,
    /// <summary>The output head applied to the last value (<see cref="OutputHead"/>).</summary>
    Output,
}

/// <summary>The function an <see cref="OutputNode"/> applies to the network's last value.</summary>
public enum OutputHead
{
    /// <summary>No function: the last value is the output (regression heads, the lab's networks).</summary>
    Identity,
    /// <summary>The elementwise logistic sigmoid (binary classifiers): a vertex a_out and a smooth edge z → a_out.</summary>
    Sigmoid,
    /// <summary>Softmax over the output (multi-class classifiers, at least two outputs): a vertex a_out and a smooth edge z → a_out.</summary>
    Softmax,
}

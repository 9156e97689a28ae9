using ResidualSheaf.Models.Graph;

namespace ResidualSheaf.Models.Networks;

/// <summary>A feed-forward network of Linear / ReLU / Add operations with named parameters.</summary>
public interface INetwork
{
    /// <summary>Input dimension.</summary>
    int InputDimension { get; }

    /// <summary>Output dimension.</summary>
    int OutputDimension { get; }

    /// <summary>The network as a graph of layers: what the sheaf constructor walks.</summary>
    LayerGraph Graph { get; }

    /// <summary>Every affine layer, named as in the PyTorch state_dict (prefix of ".weight"/".bias").</summary>
    IReadOnlyList<LinearLayer> Layers { get; }

    /// <summary>The forward pass in float64 (managed; the independent reference is the TorchSharp module).</summary>
    double[] Forward(ReadOnlySpan<double> x);

    /// <summary>One-line description of the architecture.</summary>
    string Describe();
}

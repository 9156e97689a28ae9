using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Graph;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;

namespace ResidualSheaf.Tests.Heads;

/// <summary>The classifier networks the head tests share: MLPs and residual stacks (with a classifier layer) under each head.</summary>
internal static class HeadNetworks
{
    /// <summary>Names of the test networks: mlp, resnet (two blocks, projection, classifier).</summary>
    public static readonly string[] Kinds = ["mlp", "resnet"];

    /// <summary>The architecture of a kind with a head: sigmoid heads get one or two outputs, softmax three.</summary>
    public static ArchitectureSpec Spec(string kind, OutputHead head, OutputEdgeMode mode = OutputEdgeMode.Jacobian)
    {
        int classes = head == OutputHead.Softmax ? 3 : 2;
        return kind switch
        {
            "mlp" => ArchitectureSpec.Mlp(3, 6, 5, classes).WithHead(head, mode),
            "resnet" => ArchitectureSpec.Residual([new BlockSpec(3, 5, 4, true), new BlockSpec(4, 6, 4, false)], ReluPlacement.After)
                .WithHead(head, mode, classifier: classes),
            _ => throw new ArgumentException(kind),
        };
    }

    /// <summary>The seeded (PyTorch-default) network of a kind with a head.</summary>
    public static INetwork Network(string kind, OutputHead head, OutputEdgeMode mode = OutputEdgeMode.Jacobian, long seed = 7) =>
        TorchReference.PyTorchDefault(Spec(kind, head, mode), seed);
}

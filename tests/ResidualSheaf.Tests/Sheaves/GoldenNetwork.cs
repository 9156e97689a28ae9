using ResidualSheaf.Models.Networks;

namespace ResidualSheaf.Tests.Sheaves;

/// <summary>Network G = [2, 4, 1] of sheaf-math §5 (no random numbers involved).</summary>
internal static class GoldenNetwork
{
    public static Mlp Create() => new(
    [
        new LinearLayer(2, 4, [1, -.5, -.7, .8, .3, .9, -1.2, -.4], [.1, -.2, .05, .9], "fc1"),
        new LinearLayer(4, 1, [.6, -1.1, .9, .4], [-.25], "fc2"),
    ]);

    public static readonly double[] X = [1, -1];
}

using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Networks;

namespace ResidualSheaf.Models.Construction;

/// <summary>The sheaf of a network with its input and output vertices.</summary>
/// <param name="Network">The network.</param>
/// <param name="Sheaf">Its cellular sheaf.</param>
/// <param name="Input">The input vertex x.</param>
/// <param name="Output">The vertex holding the network's output.</param>
/// <param name="Construction">How skips were built (irrelevant for an MLP).</param>
public sealed record NetworkSheaf(INetwork Network, CellularSheaf Sheaf, Vertex Input, Vertex Output, SkipConstruction Construction)
{
    /// <summary>The Dirichlet problem with the input pinned to x (and the output too when <paramref name="pinnedOutput"/> is given).</summary>
    public DirichletProblem Problem(ReadOnlySpan<double> x, ReadOnlySpan<double> pinnedOutput = default)
    {
        if (x.Length != Input.Dimension) throw new ArgumentException($"input has {x.Length} values; the network expects {Input.Dimension}");
        var pins = new PinSet().PinVertex(Input, x);
        if (!pinnedOutput.IsEmpty) pins.PinVertex(Output, pinnedOutput);
        return new DirichletProblem(Sheaf, pins);
    }

    /// <summary>The output stalk of a cochain.</summary>
    public double[] OutputOf(ReadOnlySpan<double> cochain) => cochain.Slice(Output.Offset, Output.Dimension).ToArray();
}

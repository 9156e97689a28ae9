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

    /// <summary>
    /// Starting masks for the least-squares mask iteration: the forward pass's sign at every mask vertex that has a namesake in
    /// the junction sheaf (z1, s, z2 …), so the chord's fixed-point iteration starts from the network's own pattern; null for the
    /// junction construction, whose forward substitution needs none.
    /// </summary>
    public MaskPattern? ForwardMasks(ReadOnlySpan<double> x)
    {
        if (Construction == SkipConstruction.Junction) return null;
        var exact = SheafConstructor.Build(Network, SkipConstruction.Junction);
        var forward = DirichletSolver.Solve(exact.Problem(x)).Cochain;
        var masks = new MaskPattern(Sheaf.TotalDimension);
        foreach (var v in Sheaf.Vertices)
        {
            var twin = exact.Sheaf.Vertices.FirstOrDefault(u => u.Name == v.Name && u.Dimension == v.Dimension);
            if (twin is null) continue;
            for (int i = 0; i < v.Dimension; i++) masks.Theta[v.Offset + i] = forward[twin.Offset + i] >= 0 ? 1.0 : 0.0;
        }
        return masks;
    }

    /// <summary>The output stalk of a cochain.</summary>
    public double[] OutputOf(ReadOnlySpan<double> cochain) => cochain.Slice(Output.Offset, Output.Dimension).ToArray();
}

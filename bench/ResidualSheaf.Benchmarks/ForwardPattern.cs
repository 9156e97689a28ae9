using System.Diagnostics;
using ResidualSheaf.Engine;
using ResidualSheaf.Engine.Heat;

namespace ResidualSheaf.Benchmarks;

/// <summary>M = L_free at the forward pattern (no sliding units) and the exact sweeps with the same masks, for the probes.</summary>
internal static class ForwardPattern
{
    /// <summary>The operator M, the sweeps (masks set to the forward pattern) and an edge-sized work vector.</summary>
    public static (FreeLaplacianOperator Op, UnitriangularSweeps Sweeps, double[] EdgeWork) Operators(IHeatCase c)
    {
        var eq = c.Equation;
        var modes = LargeStackReport.ForwardModes(c);
        var op = new FreeLaplacianOperator(eq);
        op.SetModes(modes);
        var sweeps = UnitriangularSweeps.TryCreate(c.Problem, out _)!;
        for (int k = 0; k < modes.Length; k++) sweeps.Masks.Theta[eq.SwitchingCoordinates[k]] = modes[k] == UnitMode.Active ? 1 : 0;
        return (op, sweeps, new double[eq.Sheaf.EdgeDimension]);
    }

    /// <summary>Basis images M v through the operator (no sliding units).</summary>
    internal sealed class Images(FreeLaplacianOperator op) : IBasisImages
    {
        public void Apply(int index, ReadOnlySpan<double> v, Span<double> image, bool sliding) => op.Apply(v, image);
    }
}

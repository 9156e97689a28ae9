using ResidualSheaf.Engine.Sheaves;

namespace ResidualSheaf.Runner.Batch;

/// <summary>
/// The energy at the limit split by edge kind (½ Σ_{e of the kind} ‖(δc)_e‖², masks from the limit itself): with
/// <c>pin_output</c> it says where in the network the pinned output's discord lives (the reference library's
/// <c>compute_pinned_discord</c> reports the same per-edge discords at its converged state). The parts sum to <c>limit_energy</c>.
/// </summary>
public static class LimitEnergySplit
{
    /// <summary>The edge kinds, in column order.</summary>
    public static readonly EdgeKind[] Kinds =
        [EdgeKind.Weight, EdgeKind.Relu, EdgeKind.Skip, EdgeKind.Sum, EdgeKind.Chord, EdgeKind.Head, EdgeKind.Other];

    /// <summary>The batch.csv columns, one per kind: <c>limit_energy_weight</c>, <c>limit_energy_relu</c>, ….</summary>
    public static readonly string[] Columns = [.. Kinds.Select(k => "limit_energy_" + k.ToString().ToLowerInvariant())];

    /// <summary>The parts of E at <paramref name="cochain"/> (a whole cochain, pins included), in <see cref="Kinds"/> order.</summary>
    public static double[] Of(CellularSheaf sheaf, ReadOnlySpan<double> cochain)
    {
        var byKind = DirichletEnergy.Discord(sheaf, cochain, MaskPattern.From(sheaf, cochain)).ByKind;
        return [.. Kinds.Select(k => 0.5 * byKind.GetValueOrDefault(k))];
    }
}

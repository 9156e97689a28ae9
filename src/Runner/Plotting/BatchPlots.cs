using System.Text.Json.Nodes;
using ResidualSheaf.Runner.Batch;

namespace ResidualSheaf.Runner.Plotting;

/// <summary>The figures of a batch heat run (kept apart from the single-run figures of HeatPlots).</summary>
public static class BatchPlots
{
    /// <summary>Writes the PNGs into <paramref name="folder"/> and lists them in <paramref name="plots"/>.</summary>
    public static void Write(BatchSetup setup, string folder, JsonObject plots)
    {
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(plots);
    }
}

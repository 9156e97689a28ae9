using System.Globalization;
using ResidualSheaf.Models.Networks;

namespace ResidualSheaf.Runner.Config;

/// <summary>
/// A lower estimate of the memory a network needs, checked before anything is allocated, so a network far too large for the
/// machine is refused with a message (exit 2) instead of an out-of-memory crash half-way through.
/// </summary>
public static class MemoryEstimate
{
    /// <summary>
    /// Bytes per parameter: the float64 weights of the network and of its sheaf's restriction maps (8 + 8), and the TorchSharp
    /// float64 and float32 reference modules (8 + 4), plus the float32 PyTorch-default initialisation (4).
    /// </summary>
    public const long BytesPerParameter = 32;

    /// <summary>Number of weights and biases of the architecture.</summary>
    public static double Parameters(ArchitectureSpec arch) =>
        arch.Parameters().Sum(p => (double)p.Out * Math.Max(p.In, 1) + (p.Bias ? p.Out : 0));

    /// <summary>Estimated bytes for the architecture.</summary>
    public static double Bytes(ArchitectureSpec arch) => Parameters(arch) * BytesPerParameter;

    /// <summary>Memory this process may use (the machine's, or the container's / job's limit when there is one).</summary>
    public static long Available() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>Throws a <see cref="ConfigException"/> naming <paramref name="field"/> when the estimate exceeds what is available.</summary>
    public static void Check(ArchitectureSpec arch, string field, long? available = null)
    {
        double need = Bytes(arch);
        long have = available ?? Available();
        if (need > have)
            throw new ConfigException(field, $"this network has {Parameters(arch).ToString("G3", CultureInfo.InvariantCulture)} weights and biases and " +
                $"needs about {Size(need)} of memory ({BytesPerParameter} bytes per parameter: the network, its sheaf and the TorchSharp " +
                $"references); this machine allows {Size(have)}. Use smaller widths");
    }

    /// <summary>Bytes in human units (1 GB = 10⁹ bytes).</summary>
    public static string Size(double bytes) => bytes switch
    {
        >= 1e12 => (bytes / 1e12).ToString("0.#", CultureInfo.InvariantCulture) + " TB",
        >= 1e9 => (bytes / 1e9).ToString("0.#", CultureInfo.InvariantCulture) + " GB",
        >= 1e6 => (bytes / 1e6).ToString("0.#", CultureInfo.InvariantCulture) + " MB",
        _ => (bytes / 1e3).ToString("0.#", CultureInfo.InvariantCulture) + " kB",
    };
}

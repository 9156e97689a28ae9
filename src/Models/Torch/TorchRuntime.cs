namespace ResidualSheaf.Models.Torch;

/// <summary>Makes sure TorchSharp's native libraries are loaded, with an error that names the cause when they are not.</summary>
public static class TorchRuntime
{
    private static readonly Lazy<Exception?> Failure = new(TryLoad);

    /// <summary>Loads TorchSharp once; throws <see cref="InvalidOperationException"/> with the cause if it cannot.</summary>
    public static void EnsureLoaded()
    {
        if (Failure.Value is { } e)
            throw new InvalidOperationException(
                "TorchSharp's native libraries did not load. On Debian 12 libLibTorchSharp.so needs GLIBCXX_3.4.32; the build " +
                "patches its copy in the output folder (build/TorchSharpNativeFix.targets) — rebuild, and check the build log. Cause: " + e.Message, e);
    }

    private static Exception? TryLoad()
    {
        try
        {
            using var t = TorchSharp.torch.zeros(1);
            return null;
        }
        catch (Exception e) when (e is TypeInitializationException or NotSupportedException or DllNotFoundException or InvalidOperationException)
        {
            return e;
        }
    }
}

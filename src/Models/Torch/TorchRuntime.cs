using System.Runtime.InteropServices;
using TorchSharp;

namespace ResidualSheaf.Models.Torch;

/// <summary>
/// Initialises TorchSharp's native back end once, turning TorchSharp's generic load failure into a message that
/// names the actual cause.
/// </summary>
public static class TorchRuntime
{
    private static readonly Lock Gate = new();
    private static bool loaded;

    /// <summary>
    /// Loads libtorch (CPU) through TorchSharp. Call before the first tensor operation to fail early and clearly.
    /// </summary>
    /// <exception cref="InvalidOperationException">TorchSharp's native libraries cannot be loaded.</exception>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (loaded)
            {
                return;
            }

            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
            }
            catch (Exception e) when (e is NotSupportedException or DllNotFoundException or TypeInitializationException
                                          or EntryPointNotFoundException or BadImageFormatException)
            {
                throw new InvalidOperationException(Diagnose(e), e);
            }

            loaded = true;
        }
    }

    // TorchSharp reports any load failure as "doesn't contain a reference to libtorch-cpu-...", hiding the loader's
    // own error. Loading the wrapper directly surfaces the dynamic loader's message (dlerror), which names the cause.
    private static string Diagnose(Exception torchSharpError)
    {
        const string wrapper = "libLibTorchSharp.so";
        if (!OperatingSystem.IsLinux())
        {
            return $"TorchSharp failed to initialise: {torchSharpError.Message}";
        }

        string[] candidates =
        [
            Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", wrapper),
            Path.Combine(AppContext.BaseDirectory, wrapper),
            Path.Combine(AppContext.BaseDirectory, "cpu", wrapper),
        ];
        string? path = candidates.FirstOrDefault(File.Exists);
        if (path is null)
        {
            return $"TorchSharp failed to initialise and {wrapper} is not in {AppContext.BaseDirectory} " +
                   $"(is the TorchSharp-cpu package referenced?): {torchSharpError.Message}";
        }

        try
        {
            NativeLibrary.Free(NativeLibrary.Load(path));
        }
        catch (DllNotFoundException loadError)
        {
            string cause = loadError.Message.Contains("GLIBCXX_3.4.32", StringComparison.Ordinal)
                ? "the system libstdc++ lacks GLIBCXX_3.4.32 and the copy in the build output was not patched. " +
                  "build/TorchSharpNativeFix.targets patches it after every build on Linux x64; rebuild without " +
                  "-p:TorchSharpNativeFix=false (or check the build log for 'TorchSharpNativeFix')"
                : "the dynamic loader rejected it";
            return $"TorchSharp failed to initialise: {path} cannot be loaded: {cause}. Loader: {loadError.Message}";
        }

        return $"TorchSharp failed to initialise although {path} loads: {torchSharpError.Message}";
    }
}

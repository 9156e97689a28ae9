using ResidualSheaf.Models.Onnx;
using ResidualSheaf.Runner.Config;
using ResidualSheaf.Runner.Jobs;

namespace ResidualSheaf.Runner.Export;

/// <summary>
/// <c>runner export-onnx --config F --out model.onnx</c>: the config's network (declared architecture and its weights) as a
/// float64 ONNX model (<see cref="OnnxWriter"/>); <c>network.onnx: model.onnx</c> reads it back into the same sheaf.
/// </summary>
public static class ExportOnnxCommand
{
    private const string Usage = """
        runner export-onnx --config <file.json> --out <model.onnx>
          writes the config's network with its weights as a float64 ONNX model (Gemm/Relu/Add, and Conv/AveragePool/
          GlobalAveragePool/Flatten for a convolutional model read from ONNX; tensors named after the sheaf's vertices);
          the file must not exist yet. ONNX Runtime has no float64 Conv on CPU: run a conv model's float32 copy there
        """;

    /// <summary>Runs the command; exit 0, or 2 for bad input.</summary>
    public static int Run(string[] args)
    {
        string? configPath = null, outFile = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--help" or "-h":
                    Console.WriteLine(Usage);
                    return 0;
                case "--config" when i + 1 < args.Length:
                    configPath = args[++i];
                    break;
                case "--out" when i + 1 < args.Length:
                    outFile = args[++i];
                    break;
                default:
                    Console.Error.WriteLine($"runner export-onnx: unknown or incomplete argument '{args[i]}'.\n{Usage}");
                    return Program.BadInput;
            }
        }
        if (configPath is null || outFile is null)
        {
            Console.Error.WriteLine($"runner export-onnx: --config and --out are required.\n{Usage}");
            return Program.BadInput;
        }
        byte[] bytes;
        try
        {
            if (File.Exists(outFile) || Directory.Exists(outFile))
                throw new IOException($"--out: '{Path.GetFullPath(outFile)}' exists; name a new file");
            var config = RunConfig.Load(configPath);
            bytes = OnnxWriter.Write(NetworkFactory.Create(config));
        }
        catch (Exception e) when (e is ConfigException or IOException)
        {
            Console.Error.WriteLine($"runner export-onnx: {e.Message}");
            return Program.BadInput;
        }
        catch (NotSupportedException e)
        {
            // A layer with no ONNX form (a projection of an image, a bias varying within a channel): the file named in
            // network.onnx, when there is one, is itself the model.
            Console.Error.WriteLine($"runner export-onnx: cannot write this network: {e.Message}");
            return Program.BadInput;
        }
        string? dir = Path.GetDirectoryName(Path.GetFullPath(outFile));
        if (dir is not null) Directory.CreateDirectory(dir);
        File.WriteAllBytes(outFile, bytes);
        Console.WriteLine($"wrote {Path.GetFullPath(outFile)} ({bytes.Length} bytes)");
        return 0;
    }
}

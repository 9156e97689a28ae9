using System.Collections;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace ResidualSheaf.Models.Weights;

/// <summary>PyTorch <c>state_dict</c> files (<c>torch.save(model.state_dict(), path)</c>), read and written with TorchSharp.PyBridge.</summary>
public static class StateDictFile
{
    /// <summary>Reads every tensor of a state_dict file as float64 named arrays.</summary>
    public static Dictionary<string, NamedArray> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"state_dict file '{path}' does not exist", path);
        TorchRuntime.EnsureLoaded();
        Hashtable table;
        try
        {
            using var stream = File.OpenRead(path);
            table = PyTorchUnpickler.UnpickleStateDict(stream);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ArgumentException($"state_dict file '{path}': cannot be read as a PyTorch state_dict ({e.Message})", e);
        }
        var result = new Dictionary<string, NamedArray>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in table)
        {
            string name = entry.Key?.ToString() ?? "";
            if (entry.Value is not Tensor t) throw new ArgumentException($"state_dict file '{path}': entry '{name}' is not a tensor");
            using var d = t.detach().to_type(ScalarType.Float64).contiguous();
            result[name] = new NamedArray(t.shape.ToArray(), d.data<double>().ToArray());
            t.Dispose();
        }
        return result;
    }

    /// <summary>Writes the network's weights as a PyTorch-loadable state_dict (float32, like a default PyTorch model).</summary>
    public static void Write(string path, INetwork network, ScalarType dtype = ScalarType.Float32)
    {
        using var reference = TorchReference.Create(network, dtype);
        reference.Module.save_py(path);
    }
}

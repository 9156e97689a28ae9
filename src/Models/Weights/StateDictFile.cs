using System.Collections;
using System.IO.Compression;
using System.Text;
using Razorvine.Pickle;
using Razorvine.Pickle.Objects;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace ResidualSheaf.Models.Weights;

/// <summary>
/// PyTorch <c>state_dict</c> files (<c>torch.save(model.state_dict(), path)</c>): read with this project's own reader of the
/// zip format (any strides and storage offsets, so non-contiguous tensors such as <c>w.t()</c> load as PyTorch loads them;
/// every floating and integer storage type), written with TorchSharp.PyBridge.
/// </summary>
public static class StateDictFile
{
    private static readonly object Gate = new();

    /// <summary>Reads every tensor of a state_dict file as float64 named arrays (shape as PyTorch reports it).</summary>
    /// <exception cref="ArgumentException">The file is not a state_dict, or an entry cannot be read; the message says why.</exception>
    public static Dictionary<string, NamedArray> Read(string path)
    {
        if (Directory.Exists(path)) throw new ArgumentException($"state_dict file '{path}' is a directory, not a file");
        if (!File.Exists(path)) throw new FileNotFoundException($"state_dict file '{path}' does not exist", path);
        using var stream = File.OpenRead(path);
        var head = new byte[8];
        int got = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (got < 4 || head[0] != 0x50 || head[1] != 0x4b || head[2] != 0x03 || head[3] != 0x04)
            throw new ArgumentException($"state_dict file '{path}': cannot be read as a PyTorch state_dict: {NotZip(head, got)}");
        stream.Seek(0, SeekOrigin.Begin);
        object root;
        try
        {
            using var archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            var pkl = archive.Entries.FirstOrDefault(e => e.FullName == "data.pkl" || e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal))
                      ?? throw new ArgumentException($"state_dict file '{path}': cannot be read as a PyTorch state_dict: it is a zip archive without " +
                                                     "data.pkl, so not a file written by torch.save");
            lock (Gate)
            {
                StateDictUnpickler.Register();
                var unpickler = new StateDictUnpickler(archive);
                using var s = pkl.Open();
                root = unpickler.load(s);
                // Storages are read here, while the archive is open.
                if (root is IDictionary d)
                    foreach (DictionaryEntry e in d)
                        if (e.Value is TensorRef t) t.Storage.Load();
            }
        }
        catch (ArgumentException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ArgumentException($"state_dict file '{path}': cannot be read as a PyTorch state_dict ({e.Message})", e);
        }
        if (root is ClassDict cd)
            throw new ArgumentException($"state_dict file '{path}' holds a pickled '{cd.ClassName}' object, not a state_dict; save the weights with " +
                                        "torch.save(model.state_dict(), path)");
        if (root is not IDictionary dict)
            throw new ArgumentException($"state_dict file '{path}' holds {Describe(root)}, not a state_dict (a dictionary of tensor names to tensors); " +
                                        "save the weights with torch.save(model.state_dict(), path)");
        var result = new Dictionary<string, NamedArray>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in dict)
        {
            string name = entry.Key?.ToString() ?? "";
            if (entry.Value is not TensorRef t)
                throw new ArgumentException($"state_dict file '{path}': entry '{name}' is {Describe(entry.Value)}, not a tensor");
            result[name] = t.ToArray(name, path);
        }
        return result;
    }

    private static string NotZip(byte[] head, int got)
    {
        if (got >= 2 && head[0] == 0x80 && head[1] <= 5)
            return "it is a pickle, as written by PyTorch's legacy (before 1.6) torch.save format, which is not supported; load it in Python and " +
                   "save it again with torch.save(model.state_dict(), path)";
        string start = got == 0 ? "it is empty" : "it starts with " + (head.Take(got).All(b => b is >= 0x20 and < 0x7f)
            ? $"'{Encoding.ASCII.GetString(head, 0, got)}'"
            : string.Join(" ", head.Take(got).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture))));
        return $"it is not a file written by torch.save (a zip archive); {start}";
    }

    private static string Describe(object? o) => o switch
    {
        null => "None",
        TensorRef => "a single tensor",
        IDictionary => "a dictionary",
        ICollection c => $"a sequence of {c.Count} items",
        string => "a string",
        _ => $"a {o.GetType().Name}",
    };

    /// <summary>
    /// Writes the network's weights as a PyTorch-loadable state_dict (float32, like a default PyTorch model): the body's
    /// tensors and, for a residual stack with a classifier layer, <c>classifier.weight</c> and <c>classifier.bias</c>.
    /// </summary>
    public static void Write(string path, INetwork network, ScalarType dtype = ScalarType.Float32)
    {
        using var reference = TorchReference.Create(network, dtype);
        using var stream = File.Create(path);
        PyTorchPickler.PickleStateDict(stream, reference.StateDict());
    }

    /// <summary>One storage of the archive (data/&lt;key&gt;): its element type and raw little-endian bytes.</summary>
    private sealed class StorageRef(ZipArchive archive, string key, string type, long count)
    {
        private double[]? _values;

        public string Type { get; } = type;

        public double[] Load()
        {
            if (_values is not null) return _values;
            var entry = archive.Entries.FirstOrDefault(f => f.FullName.EndsWith($"data/{key}", StringComparison.Ordinal))
                        ?? throw new InvalidDataException($"storage data/{key} is missing from the archive");
            int size = ElementSize(Type);
            if (count * size > Array.MaxLength) throw new InvalidDataException($"storage data/{key} is larger than 2 GB");
            var bytes = new byte[count * size];
            using (var s = entry.Open()) s.ReadExactly(bytes);
            var v = new double[count];
            for (long i = 0; i < count; i++) v[i] = Decode(bytes.AsSpan((int)(i * size), size));
            return _values = v;
        }

        private static int ElementSize(string type) => type switch
        {
            "DoubleStorage" or "LongStorage" => 8,
            "FloatStorage" or "IntStorage" => 4,
            "HalfStorage" or "BFloat16Storage" or "ShortStorage" => 2,
            "CharStorage" or "ByteStorage" or "BoolStorage" => 1,
            _ => throw new InvalidDataException($"storage type '{type}' is not supported (complex or quantized tensors are not weights here)"),
        };

        private double Decode(ReadOnlySpan<byte> b) => Type switch
        {
            "DoubleStorage" => BitConverter.ToDouble(b),
            "FloatStorage" => BitConverter.ToSingle(b),
            "HalfStorage" => (double)BitConverter.ToHalf(b),
            "BFloat16Storage" => BitConverter.Int32BitsToSingle(BitConverter.ToUInt16(b) << 16),
            "LongStorage" => BitConverter.ToInt64(b),
            "IntStorage" => BitConverter.ToInt32(b),
            "ShortStorage" => BitConverter.ToInt16(b),
            "CharStorage" => (sbyte)b[0],
            _ => b[0],
        };
    }

    /// <summary>A tensor as torch.save describes it: a view (offset, shape, strides) of a storage.</summary>
    private sealed class TensorRef(StorageRef storage, long offset, long[] shape, long[] stride)
    {
        public StorageRef Storage { get; } = storage;

        /// <summary>The tensor's elements in row-major order of its shape, whatever its strides.</summary>
        public NamedArray ToArray(string name, string path)
        {
            var data = Storage.Load();
            long count = shape.Aggregate(1L, (a, b) => a * b);
            var values = new double[count];
            var index = new long[shape.Length];
            for (long k = 0; k < count; k++)
            {
                long at = offset;
                for (int d = 0; d < shape.Length; d++) at += index[d] * stride[d];
                if (at < 0 || at >= data.Length)
                    throw new ArgumentException($"state_dict file '{path}': entry '{name}' (shape [{string.Join(", ", shape)}], strides " +
                                                $"[{string.Join(", ", stride)}], offset {offset}) reaches past its storage of {data.Length} elements");
                values[k] = data[at];
                for (int d = shape.Length - 1; d >= 0; d--)
                {
                    if (++index[d] < shape[d]) break;
                    index[d] = 0;
                }
            }
            return new NamedArray(shape, values);
        }
    }

    /// <summary>The unpickler of torch.save's data.pkl: storages come from the archive, tensors are views of them.</summary>
    private sealed class StateDictUnpickler(ZipArchive archive) : Unpickler
    {
        private readonly Dictionary<string, StorageRef> _storages = new(StringComparer.Ordinal);

        /// <summary>Razorvine keeps constructors in one static table; they are set again before every load (under <see cref="Gate"/>).</summary>
        public static void Register()
        {
            registerConstructor("torch._utils", "_rebuild_tensor", new TensorConstructor());
            registerConstructor("torch._utils", "_rebuild_tensor_v2", new TensorConstructor());
            registerConstructor("torch._utils", "_rebuild_parameter", new ParameterConstructor());
            registerConstructor("collections", "OrderedDict", new OrderedDictConstructor());
        }

        protected override object persistentLoad(object pid)
        {
            var p = (object[])pid;
            if (p.Length < 5 || p[0] as string != "storage") throw new InvalidDataException("unknown persistent id in data.pkl");
            string type = p[1] is ClassDictConstructor c ? c.name : p[1]?.ToString() ?? "";
            string key = p[2]?.ToString() ?? "";
            long count = Convert.ToInt64(p[4], System.Globalization.CultureInfo.InvariantCulture);
            if (!_storages.TryGetValue(key, out var s)) _storages[key] = s = new StorageRef(archive, key, type, count);
            return s;
        }

        private static long[] Longs(object o) =>
            ((object[])o).Select(x => Convert.ToInt64(x, System.Globalization.CultureInfo.InvariantCulture)).ToArray();

        private sealed class TensorConstructor : IObjectConstructor
        {
            public object construct(object[] args) => new TensorRef((StorageRef)args[0],
                Convert.ToInt64(args[1], System.Globalization.CultureInfo.InvariantCulture), Longs(args[2]), Longs(args[3]));
        }

        private sealed class ParameterConstructor : IObjectConstructor
        {
            public object construct(object[] args) => args[0];
        }

        private sealed class OrderedDictConstructor : IObjectConstructor
        {
            public object construct(object[] args) => new OrderedDict();
        }
    }

    /// <summary>collections.OrderedDict; its pickled instance state (<c>_metadata</c>) is not needed.</summary>
    private sealed class OrderedDict : Hashtable
    {
        // Called by the unpickler's BUILD with the instance dictionary; nothing in it is a tensor.
#pragma warning disable IDE1006, CA1822 // the unpickler looks this method up by its Python name
        public void __setstate__(Hashtable state)
#pragma warning restore IDE1006, CA1822
        {
            _ = state;
        }
    }
}

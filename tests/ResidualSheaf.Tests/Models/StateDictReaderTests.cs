using System.IO.Compression;
using System.Text;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Weights;

namespace ResidualSheaf.Tests.Models;

/// <summary>
/// state_dict files as PyTorch writes them, built byte by byte here (torch.save's zip layout and pickle opcodes), including
/// what PyTorch allows and a naive reader does not: non-contiguous tensors (w.t()), storage offsets, storages shared by tensors.
/// </summary>
public sealed class StateDictReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rs-sd-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed record View(string Name, long Offset, long[] Shape, long[] Stride);

    /// <summary>A torch.save file: one float32 storage "0" holding <paramref name="storage"/>, and the given views of it.</summary>
    private string Save(string file, float[] storage, params View[] views)
    {
        var pkl = new MemoryStream();
        void B(params byte[] b) => pkl.Write(b);
        void Str(string s)
        {
            var bytes = Encoding.UTF8.GetBytes(s);
            B((byte)'X');
            pkl.Write(BitConverter.GetBytes(bytes.Length));
            pkl.Write(bytes);
        }
        void Int(long v)
        {
            if (v is >= 0 and < 256) B((byte)'K', (byte)v);
            else
            {
                B((byte)'J');
                pkl.Write(BitConverter.GetBytes((int)v));
            }
        }
        void Global(string module, string name) => pkl.Write(Encoding.ASCII.GetBytes($"c{module}\n{name}\n"));
        void Tuple(long[] items)
        {
            B((byte)'(');
            foreach (long i in items) Int(i);
            B((byte)'t');
        }
        B(0x80, 2);
        Global("collections", "OrderedDict");
        B((byte)')', (byte)'R'); // OrderedDict()
        B((byte)'(');
        foreach (var v in views)
        {
            Str(v.Name);
            Global("torch._utils", "_rebuild_tensor_v2");
            B((byte)'(');
            B((byte)'(');
            Str("storage");
            Global("torch", "FloatStorage");
            Str("0");
            Str("cpu");
            Int(storage.Length);
            B((byte)'t', (byte)'Q'); // the persistent id tuple, then BINPERSID
            Int(v.Offset);
            Tuple(v.Shape);
            Tuple(v.Stride);
            B(0x89); // requires_grad = False
            Global("collections", "OrderedDict");
            B((byte)')', (byte)'R'); // backward hooks
            B((byte)'t', (byte)'R');
        }
        B((byte)'u', (byte)'.');
        string path = Path.Combine(_dir, file);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using (var s = zip.CreateEntry("archive/data.pkl", CompressionLevel.NoCompression).Open()) s.Write(pkl.ToArray());
            using (var s = zip.CreateEntry("archive/data/0", CompressionLevel.NoCompression).Open())
                foreach (float f in storage) s.Write(BitConverter.GetBytes(f));
            using (var s = zip.CreateEntry("archive/version", CompressionLevel.NoCompression).Open()) s.Write("3\n"u8);
        }
        return path;
    }

    private static readonly ArchitectureSpec Mlp32 = ArchitectureSpec.Mlp(3, 2);

    [Fact]
    public void NonContiguousTensorsAndStorageOffsetsLoadAsPyTorchLoadsThem()
    {
        // fc1.weight = storage[0..6] seen as the transpose of a contiguous 3×2 matrix (w.t() in PyTorch); fc1.bias = storage[6..8].
        string path = Save("t.pth", [0, 1, 2, 3, 4, 5, 6, 7],
            new View("fc1.weight", 0, [2, 3], [1, 2]), new View("fc1.bias", 6, [2], [1]));
        var arrays = StateDictFile.Read(path);
        Assert.Equal([2L, 3L], arrays["fc1.weight"].Shape);
        Assert.Equal([0.0, 2, 4, 1, 3, 5], arrays["fc1.weight"].Values);
        Assert.Equal([6.0, 7], arrays["fc1.bias"].Values);
        var net = WeightSet.FromArrays(Mlp32, arrays, path);
        Assert.Single(net.Layers);
    }

    [Fact]
    public void ATransposedTensorOfTheWrongShapeGetsTheShapeError()
    {
        // Saved as w.t() of the right-shaped w: shape [3, 2] where the MLP needs [2, 3].
        string path = Save("w.pth", [0, 1, 2, 3, 4, 5, 6, 7],
            new View("fc1.weight", 0, [3, 2], [1, 3]), new View("fc1.bias", 6, [2], [1]));
        var e = Assert.Throws<ArgumentException>(() => WeightSet.FromArrays(Mlp32, StateDictFile.Read(path), path));
        Assert.Contains("'fc1.weight' has shape [3, 2]", e.Message);
    }

    [Fact]
    public void FilesThatAreNotStateDictsAreNamedForWhatTheyAre()
    {
        string json = Path.Combine(_dir, "weights.json");
        File.WriteAllText(json, """{ "tensors": {} }""");
        var e = Assert.Throws<ArgumentException>(() => StateDictFile.Read(json));
        Assert.Contains("not a file written by torch.save", e.Message);
        Assert.Contains("starts with '{ \"tenso'", e.Message);
        Assert.DoesNotContain("old PyTorch format", e.Message);

        string zip = Path.Combine(_dir, "other.zip");
        using (var z = ZipFile.Open(zip, ZipArchiveMode.Create))
        using (var s = z.CreateEntry("readme.txt").Open()) s.Write("hello"u8);
        e = Assert.Throws<ArgumentException>(() => StateDictFile.Read(zip));
        Assert.Contains("without data.pkl", e.Message);

        string legacy = Path.Combine(_dir, "legacy.pth");
        File.WriteAllBytes(legacy, [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]);
        e = Assert.Throws<ArgumentException>(() => StateDictFile.Read(legacy));
        Assert.Contains("legacy", e.Message);

        e = Assert.Throws<ArgumentException>(() => StateDictFile.Read(_dir));
        Assert.Contains("is a directory", e.Message);
    }
}

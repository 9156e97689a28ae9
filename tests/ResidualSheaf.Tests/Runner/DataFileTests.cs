using System.Text;
using ResidualSheaf.Runner.Config;
using ResidualSheaf.Runner.Data;

namespace ResidualSheaf.Tests.Runner;

/// <summary>
/// The data-file readers of batch inputs: .npy files built byte by byte as NumPy's format describes them (the values' IEEE bytes
/// written out literally), CSV with and without a header, JSON; every malformed file named with its row and problem.
/// </summary>
public sealed class DataFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rs-data-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>An .npy v1.0 file: magic, version, header length, the header dict padded with spaces to 64 bytes and ended by '\n', then data.</summary>
    private static byte[] Npy(string dict, byte[] data, byte major = 1)
    {
        int prefix = major == 1 ? 10 : 12;
        int total = (prefix + dict.Length + 1 + 63) / 64 * 64;
        string header = dict.PadRight(total - prefix - 1) + "\n";
        var b = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', major, 0 };
        if (major == 1) b.AddRange([(byte)(header.Length & 0xFF), (byte)(header.Length >> 8)]);
        else b.AddRange([(byte)(header.Length & 0xFF), (byte)(header.Length >> 8), 0, 0]);
        b.AddRange(Encoding.ASCII.GetBytes(header));
        b.AddRange(data);
        return [.. b];
    }

    // IEEE 754 little-endian bytes, written out: 1.0, −2.5, 0.375 (float64) and 0.5f, −3f, 0.1f (float32).
    private static readonly byte[] One64 = [0, 0, 0, 0, 0, 0, 0xF0, 0x3F];
    private static readonly byte[] MinusTwoPointFive64 = [0, 0, 0, 0, 0, 0, 0x04, 0xC0];
    private static readonly byte[] ThreeEighths64 = [0, 0, 0, 0, 0, 0, 0xD8, 0x3F];
    private static readonly byte[] Half32 = [0, 0, 0, 0x3F];
    private static readonly byte[] MinusThree32 = [0, 0, 0x40, 0xC0];
    private static readonly byte[] PointOne32 = [0xCD, 0xCC, 0xCC, 0x3D];

    [Fact]
    public void NpyFloat64IsReadInCOrder()
    {
        var data = One64.Concat(MinusTwoPointFive64).Concat(ThreeEighths64).Concat(One64).Concat(One64).Concat(MinusTwoPointFive64).ToArray();
        var rows = NpyMatrix.Parse(Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", data));
        Assert.Equal([1.0, -2.5, 0.375], rows[0]);
        Assert.Equal([1.0, 1.0, -2.5], rows[1]);
    }

    [Fact]
    public void NpyFloat32IsWidenedExactly()
    {
        var data = Half32.Concat(MinusThree32).Concat(PointOne32).Concat(Half32).ToArray();
        var rows = NpyMatrix.Parse(Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", data));
        Assert.Equal([0.5, -3.0], rows[0]);
        // 0.1f is 0x3DCCCCCD = 13421773 · 2^-27 exactly, not the double 0.1.
        Assert.Equal(13421773.0 / (1 << 27), rows[1][0]);
        Assert.NotEqual(0.1, rows[1][0]);
        Assert.Equal(0.5, rows[1][1]);
    }

    [Fact]
    public void NpyVersion2HeaderIsRead()
    {
        var rows = NpyMatrix.Parse(Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }", One64, major: 2));
        Assert.Equal([1.0], rows[0]);
    }

    [Theory]
    [InlineData("{'descr': '<i8', 'fortran_order': False, 'shape': (1, 1), }", 8, "dtype '<i8'")]
    [InlineData("{'descr': '>f8', 'fortran_order': False, 'shape': (1, 1), }", 8, "dtype '>f8'")]
    [InlineData("{'descr': '<f8', 'fortran_order': True, 'shape': (1, 1), }", 8, "Fortran")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", 24, "shape (3)")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", 24, "needs 32")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }", 24, "needs exactly 16")]
    public void BadNpyIsRefusedWithTheReason(string dict, int dataBytes, string expected)
    {
        var e = Assert.Throws<DataFormatException>(() => NpyMatrix.Parse(Npy(dict, new byte[dataBytes])));
        Assert.Contains(expected, e.Problem);
    }

    [Fact]
    public void NotAnNpyFileIsRefused() =>
        Assert.Contains("magic", Assert.Throws<DataFormatException>(() => NpyMatrix.Parse("x0,x1\n1,2\n"u8.ToArray())).Problem);

    [Fact]
    public void CsvHeaderIsOptionalAndBlankLinesAreIgnored()
    {
        Assert.Equal([[1.0, -2.0], [0.5, 3e-3]], CsvMatrix.Parse("x0,x1\r\n1,-2\r\n\r\n0.5, 3e-3\r\n"));
        Assert.Equal([[1.0, -2.0], [0.5, 3e-3]], CsvMatrix.Parse("1,-2\n0.5,3e-3"));
    }

    [Fact]
    public void CsvCellThatIsNotANumberNamesItsRow()
    {
        var e = Assert.Throws<DataFormatException>(() => CsvMatrix.Parse("x0,x1\n1,2\n3,abc\n"));
        Assert.Equal(1, e.Row);
        Assert.Contains("'abc'", e.Problem);
    }

    [Fact]
    public void JsonRowsAreRead()
    {
        Assert.Equal([[1.0, -2.0], [0.5, 0.25]], JsonMatrix.Parse("[[1, -2], [0.5, 0.25]]"));
        var e = Assert.Throws<DataFormatException>(() => JsonMatrix.Parse("[[1, 2], [3, \"x\"]]"));
        Assert.Equal(1, e.Row);
        Assert.Contains("not a number", e.Problem);
    }

    private string Write(string name, string text)
    {
        string p = Path.Combine(_dir, name);
        File.WriteAllText(p, text);
        return p;
    }

    [Theory]
    [InlineData("a.csv", "x0,x1\n1,2\n3,4,5\n", "row 1: has 3 values; 2 expected")]
    [InlineData("b.csv", "1,2\nNaN,4\n", "row 1: value 0 is NaN")]
    [InlineData("c.csv", "x0,x1\n", "no rows")]
    [InlineData("d.json", "[[1, 2], [1e400, 0]]", "row 1")]
    [InlineData("e.json", "{\"rows\": []}", "expected an array of rows")]
    [InlineData("f.txt", "1,2\n", "extension '.txt'")]
    public void BadDataFileNamesTheFieldFileAndRow(string name, string text, string expected)
    {
        string p = Write(name, text);
        var e = Assert.Throws<ConfigException>(() => DataMatrix.Read(p, "inputs.path", 2));
        Assert.Equal("inputs.path", e.Field);
        Assert.Contains(p, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void MissingFileAndDirectoryAreNamed()
    {
        Assert.Contains("does not exist", Assert.Throws<ConfigException>(() => DataMatrix.Read(Path.Combine(_dir, "none.csv"), "inputs.path", 2)).Message);
        Assert.Contains("is a directory", Assert.Throws<ConfigException>(() => DataMatrix.Read(_dir, "inputs.path", 2)).Message);
    }

    [Fact]
    public void NpyFileOfTheWrongWidthNamesTheRow()
    {
        string p = Path.Combine(_dir, "w.npy");
        File.WriteAllBytes(p, Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }", One64));
        Assert.Contains("row 0: has 1 values; 2 expected", Assert.Throws<ConfigException>(() => DataMatrix.Read(p, "inputs.path", 2)).Message);
    }

    /// <summary>inputs.first takes the first N rows of inputs.path; more than the file has, or without a path, is a config error.</summary>
    [Fact]
    public void InputsFirstTakesTheFirstRows()
    {
        string data = Write("rows.csv", "1,2\n3,4\n5,6\n");
        RunConfig Config(string inputs)
        {
            string p = Write("c.json", $$"""{ "name": "t", "job": "static", "network": { "kind": "mlp", "widths": [2, 3, 1] }, "inputs": {{inputs}} }""");
            return RunConfig.Load(p);
        }
        var cfg = Config($$"""{ "path": "{{data.Replace("\\", "/")}}", "first": 2 }""");
        var set = InputSet.Load(cfg, ResidualSheaf.Runner.Jobs.NetworkFactory.Create(cfg));
        Assert.Equal([[1.0, 2.0], [3.0, 4.0]], set.Inputs);
        Assert.Equal(2, (int)set.Source["count"]!);
        var tooMany = Config($$"""{ "path": "{{data.Replace("\\", "/")}}", "first": 4 }""");
        var e = Assert.Throws<ConfigException>(() => InputSet.Load(tooMany, ResidualSheaf.Runner.Jobs.NetworkFactory.Create(tooMany)));
        Assert.Equal("inputs.first", e.Field);
        Assert.Contains("has only 3 rows", e.Message);
        Assert.Equal("inputs.first", Assert.Throws<ConfigException>(() => Config("""{ "count": 3, "first": 2 }""")).Field);
    }
}

using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ResidualSheaf.Runner.Data;

/// <summary>
/// Rows of numbers from a NumPy <c>.npy</c> file (format versions 1–3): a little-endian float32 (<c>&lt;f4</c>) or float64
/// (<c>&lt;f8</c>) array of shape (N, n) in C order. float32 values are widened exactly to float64.
/// </summary>
/// <remarks>The layout is NumPy's "NPY format" (numpy.lib.format): magic <c>\x93NUMPY</c>, version, header length, a Python
/// dict literal with descr, fortran_order and shape, padded to a multiple of 16 (64 in later versions), then the raw data.</remarks>
public static partial class NpyMatrix
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Parses the bytes of a <c>.npy</c> file.</summary>
    /// <exception cref="DataFormatException">Not an .npy file, another dtype, Fortran order, a shape that is not (N, n), or too few bytes.</exception>
    public static double[][] Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 10 || !bytes[..6].SequenceEqual(Magic)) throw new DataFormatException(null, "is not a NumPy .npy file (no \\x93NUMPY magic)");
        int major = bytes[6];
        int headerLength, headerStart;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..10]);
            headerStart = 10;
        }
        else if (major is 2 or 3)
        {
            if (bytes.Length < 12) throw new DataFormatException(null, "is truncated inside its header");
            headerLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..12]));
            headerStart = 12;
        }
        else throw new DataFormatException(null, $"has .npy format version {major}.{bytes[7]}; versions 1, 2 and 3 are read");
        if (bytes.Length < headerStart + headerLength) throw new DataFormatException(null, "is truncated inside its header");
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(bytes.Slice(headerStart, headerLength));

        var descr = Descr().Match(header);
        if (!descr.Success) throw new DataFormatException(null, $"header has no 'descr': {header.Trim()}");
        string dtype = descr.Groups[1].Value;
        int size = dtype switch
        {
            "<f8" => 8,
            "<f4" => 4,
            _ => throw new DataFormatException(null, $"has dtype '{dtype}'; float32 ('<f4') or float64 ('<f8'), little-endian, is required"),
        };
        var fortran = Fortran().Match(header);
        if (!fortran.Success) throw new DataFormatException(null, $"header has no 'fortran_order': {header.Trim()}");
        if (fortran.Groups[1].Value == "True") throw new DataFormatException(null, "is in Fortran (column-major) order; save it in C order (np.ascontiguousarray)");
        var shape = Shape().Match(header);
        if (!shape.Success) throw new DataFormatException(null, $"header has no 'shape': {header.Trim()}");
        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        if (dims.Length != 2) throw new DataFormatException(null, $"has shape ({string.Join(", ", dims)}); a 2-D array (N, n) with one row per item is required");
        long rows = dims[0], cols = dims[1];
        var data = bytes[(headerStart + headerLength)..];
        long need = rows * cols * size;
        if (data.Length < need) throw new DataFormatException(null, $"holds {data.Length} data bytes; shape ({rows}, {cols}) of {dtype} needs {need}");
        if (data.Length > need) throw new DataFormatException(null, $"holds {data.Length} data bytes; shape ({rows}, {cols}) of {dtype} needs exactly {need}");
        var result = new double[rows][];
        for (long i = 0; i < rows; i++)
        {
            var row = new double[cols];
            for (long j = 0; j < cols; j++)
            {
                var cell = data.Slice((int)((i * cols + j) * size), size);
                row[j] = size == 8 ? BinaryPrimitives.ReadDoubleLittleEndian(cell) : BinaryPrimitives.ReadSingleLittleEndian(cell);
            }
            result[i] = row;
        }
        return result;
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex Descr();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex Fortran();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex Shape();
}

using System.Globalization;

namespace ResidualSheaf.Runner.Output;

/// <summary>A CSV file written row by row and flushed after each row, so a killed run keeps every finished row.</summary>
public sealed class CsvTable : IDisposable
{
    private readonly StreamWriter _writer;
    private readonly int _columns;
    private readonly char[] _number = new char[64];

    /// <summary>Creates the file with its header.</summary>
    public CsvTable(string path, IReadOnlyList<string> header)
    {
        _writer = new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false));
        _columns = header.Count;
        _writer.WriteLine(string.Join(",", header.Select(Escape)));
        _writer.Flush();
    }

    /// <summary>Appends one row; numbers use the invariant culture and round-trip precision.</summary>
    public void Row(params object?[] cells)
    {
        if (cells.Length != _columns) throw new ArgumentException($"row has {cells.Length} cells, header has {_columns}");
        for (int i = 0; i < cells.Length; i++)
        {
            if (i > 0) _writer.Write(',');
            // Numbers go straight into the writer (a 7 680-coordinate heat trace writes ~200 per row); same text as Format.
            if (cells[i] is double d && d.TryFormat(_number, out int n, "R", CultureInfo.InvariantCulture)) _writer.Write(_number, 0, n);
            else _writer.Write(Format(cells[i]));
        }
        _writer.WriteLine();
        _writer.Flush();
    }

    /// <summary>Formats one cell.</summary>
    public static string Format(object? cell) => cell switch
    {
        null => "",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        _ => Escape(cell.ToString() ?? ""),
    };

    private static string Escape(string s) =>
        s.IndexOfAny([',', '"', '\n']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;

    /// <inheritdoc/>
    public void Dispose() => _writer.Dispose();
}

using System.Globalization;
using System.Text;
using ResidualSheaf.Runner.Hunt;
using ResidualSheaf.Runner.Output;

namespace ResidualSheaf.Runner.Batch;

/// <summary>
/// A CSV file of one row per item, appended and flushed row by row so a killed run (kill −9 included) keeps every finished row;
/// reopened for resume it drops a torn last line and reports which items (first column) are done.
/// </summary>
public sealed class AppendCsv : IDisposable
{
    private readonly StreamWriter _writer;

    private AppendCsv(StreamWriter writer) => _writer = writer;

    /// <summary>Item ids already in the file when it was opened.</summary>
    public HashSet<long> Done { get; } = [];

    /// <summary>Creates the file with <paramref name="header"/>, or reopens it for appending when <paramref name="resume"/> and it exists.</summary>
    /// <exception cref="InvalidDataException">The existing file has another header.</exception>
    public static AppendCsv Open(string path, IReadOnlyList<string> header, bool resume)
    {
        string headerLine = string.Join(",", header);
        if (!resume || !File.Exists(path))
        {
            var w = new StreamWriter(path, append: false, new UTF8Encoding(false));
            w.Write(headerLine + "\n");
            w.Flush();
            return new AppendCsv(w);
        }
        string text = File.ReadAllText(path);
        int lastNewline = text.LastIndexOf('\n');
        if (lastNewline < 0 || text[..text.IndexOf('\n')] != headerLine)
            throw new InvalidDataException($"{path}: its columns differ from this version's; it cannot be resumed");
        // Everything after the last newline is a row torn by a kill: cut it so the file ends on a whole row.
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Write)) fs.SetLength(Encoding.UTF8.GetByteCount(text[..(lastNewline + 1)]));
        var file = new AppendCsv(new StreamWriter(path, append: true, new UTF8Encoding(false)));
        foreach (var row in ResultsFile.Read(path)) file.Done.Add(long.Parse(row[header[0]], CultureInfo.InvariantCulture));
        return file;
    }

    /// <summary>Appends one row and flushes it (callers serialise calls).</summary>
    public void Append(IEnumerable<object?> cells)
    {
        _writer.Write(string.Join(",", cells.Select(CsvTable.Format)) + "\n");
        _writer.Flush();
    }

    /// <inheritdoc/>
    public void Dispose() => _writer.Dispose();
}

using System.Text;

namespace ResidualSheaf.Runner.Hunt;

/// <summary>
/// <c>results.csv</c> of a hunt: one line per finished case, appended and flushed under a lock so a killed hunt keeps every
/// finished row. Reopening for resume drops a torn last line (a kill in mid-write) and reports which cases are done.
/// </summary>
public sealed class ResultsFile : IDisposable
{
    private readonly StreamWriter _writer;
    private readonly object _lock = new();

    private ResultsFile(StreamWriter writer) => _writer = writer;

    /// <summary>Case ids already in the file when it was opened.</summary>
    public HashSet<long> Done { get; } = [];

    /// <summary>Creates a new file with its header, or reopens an existing one for appending (resume).</summary>
    public static ResultsFile Open(string path, bool resume)
    {
        if (!resume || !File.Exists(path))
        {
            var w = new StreamWriter(path, append: false, new UTF8Encoding(false));
            w.Write(string.Join(",", CaseResult.Header) + "\n");
            w.Flush();
            return new ResultsFile(w);
        }
        string text = File.ReadAllText(path);
        int lastNewline = text.LastIndexOf('\n');
        if (lastNewline < 0) throw new InvalidDataException($"{path}: no complete header line; remove the file to start over");
        string header = text[..text.IndexOf('\n')];
        if (header != string.Join(",", CaseResult.Header))
            throw new InvalidDataException($"{path}: its columns differ from this version's results.csv; it cannot be resumed");
        // Everything after the last newline is a row torn by a kill: cut it so the file ends on a whole row.
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Write)) fs.SetLength(Encoding.UTF8.GetByteCount(text[..(lastNewline + 1)]));
        var file = new ResultsFile(new StreamWriter(path, append: true, new UTF8Encoding(false)));
        foreach (var row in Read(path)) file.Done.Add(long.Parse(row["case"], System.Globalization.CultureInfo.InvariantCulture));
        return file;
    }

    /// <summary>Appends a row and flushes it.</summary>
    public void Append(CaseResult result)
    {
        string line = string.Join(",", result.Cells().Select(Output.CsvTable.Format)) + "\n";
        lock (_lock)
        {
            _writer.Write(line);
            _writer.Flush();
        }
    }

    /// <summary>Every complete row of a results file, as column → text.</summary>
    public static List<Dictionary<string, string>> Read(string path)
    {
        var rows = new List<Dictionary<string, string>>();
        using var reader = new StreamReader(path);
        string? headerLine = reader.ReadLine() ?? throw new InvalidDataException($"{path} is empty");
        var header = Split(headerLine);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.Length == 0) continue;
            var cells = Split(line);
            if (cells.Count != header.Count) continue;
            var row = new Dictionary<string, string>(header.Count);
            for (int i = 0; i < header.Count; i++) row[header[i]] = cells[i];
            rows.Add(row);
        }
        return rows;
    }

    private static List<string> Split(string line)
    {
        var cells = new List<string>();
        var sb = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else sb.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',') { cells.Add(sb.ToString()); sb.Clear(); }
            else sb.Append(ch);
        }
        cells.Add(sb.ToString());
        return cells;
    }

    /// <inheritdoc/>
    public void Dispose() => _writer.Dispose();
}

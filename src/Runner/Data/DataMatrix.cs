using ResidualSheaf.Runner.Config;

namespace ResidualSheaf.Runner.Data;

/// <summary>
/// A data file of row vectors (inputs or targets, one row per item) read by its extension — <c>.csv</c> (<see cref="CsvMatrix"/>),
/// <c>.npy</c> (<see cref="NpyMatrix"/>), <c>.json</c> (<see cref="JsonMatrix"/>) — and checked: at least one row, every row of the
/// expected width, every value finite. Every problem is a <see cref="ConfigException"/> naming the field, the file and the row.
/// </summary>
public static class DataMatrix
{
    /// <summary>The extensions read, as spelt in error messages.</summary>
    public const string Formats = ".csv, .npy, .json";

    /// <summary>Reads <paramref name="path"/> (named by config field <paramref name="field"/>) into rows of <paramref name="columns"/> values.</summary>
    /// <exception cref="ConfigException">The file is missing, unreadable, of an unknown format, empty, or a row is wrong.</exception>
    public static double[][] Read(string path, string field, int columns)
    {
        if (Directory.Exists(path)) throw new ConfigException(field, $"'{path}' is a directory, not a data file");
        if (!File.Exists(path)) throw new ConfigException(field, $"file '{path}' does not exist");
        string ext = Path.GetExtension(path).ToLowerInvariant();
        double[][] rows;
        try
        {
            rows = ext switch
            {
                ".csv" => CsvMatrix.Parse(File.ReadAllText(path)),
                ".npy" => NpyMatrix.Parse(File.ReadAllBytes(path)),
                ".json" => JsonMatrix.Parse(File.ReadAllText(path)),
                _ => throw new DataFormatException(null, $"has extension '{ext}'; the formats read are {Formats}"),
            };
        }
        catch (DataFormatException e)
        {
            throw new ConfigException(field, $"'{path}'{(e.Row is int r ? $" row {r}" : "")}: {e.Problem}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(field, $"'{path}' cannot be read: {e.Message}");
        }
        if (rows.Length == 0) throw new ConfigException(field, $"'{path}': no rows (one row per item is expected)");
        for (int i = 0; i < rows.Length; i++)
        {
            if (rows[i].Length != columns)
                throw new ConfigException(field, $"'{path}' row {i}: has {rows[i].Length} values; {columns} expected");
            for (int j = 0; j < columns; j++)
                if (!double.IsFinite(rows[i][j]))
                    throw new ConfigException(field, $"'{path}' row {i}: value {j} is {rows[i][j]}, not a finite number");
        }
        return rows;
    }
}

/// <summary>A malformed data file: the problem and, when it is in one row, the row (0-based data row, the header not counted).</summary>
/// <param name="Row">Data row, or null for the file as a whole.</param>
/// <param name="Problem">What is wrong.</param>
public sealed class DataFormatException(int? Row, string Problem) : Exception(Problem)
{
    /// <summary>Data row (0-based, header not counted), or null.</summary>
    public int? Row { get; } = Row;

    /// <summary>What is wrong.</summary>
    public string Problem { get; } = Problem;
}

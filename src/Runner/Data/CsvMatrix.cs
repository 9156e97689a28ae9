using System.Globalization;

namespace ResidualSheaf.Runner.Data;

/// <summary>
/// Rows of numbers from CSV text: comma-separated, one row per line, blank lines ignored. The first line is a header (skipped)
/// when any of its cells is not a number; every later cell must be one.
/// </summary>
public static class CsvMatrix
{
    /// <summary>Parses <paramref name="text"/>; widths and finiteness are checked by the caller (<see cref="DataMatrix"/>).</summary>
    /// <exception cref="DataFormatException">A cell of a data row is not a number.</exception>
    public static double[][] Parse(string text)
    {
        var rows = new List<double[]>();
        bool first = true;
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.Trim().Length == 0) continue;
            var cells = line.Split(',');
            var row = new double[cells.Length];
            int bad = -1;
            for (int j = 0; j < cells.Length && bad < 0; j++)
                if (!double.TryParse(cells[j].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out row[j])) bad = j;
            if (bad >= 0)
            {
                if (first)
                {
                    first = false;
                    continue;
                }
                throw new DataFormatException(rows.Count, $"cell {bad} ('{cells[bad].Trim()}') is not a number");
            }
            first = false;
            rows.Add(row);
        }
        return [.. rows];
    }
}

using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace ResidualSheaf.Runner.Output;

/// <summary>
/// Console tables that fit where they are printed. A terminal's own width is used; <c>COLUMNS</c>, when set, overrides it;
/// output that is not a terminal (a pipe, a file, a Slurm log) and has no <c>COLUMNS</c> gets no width limit and plain ASCII
/// borders instead of box drawing, so no number is ever split across lines.
/// </summary>
public static class ConsoleSetup
{
    /// <summary>Width used when output is not a terminal and COLUMNS is not set (wide enough never to wrap a row).</summary>
    public const int UnlimitedWidth = 4096;

    private static int _hooked;

    /// <summary>Applies the rules above to <see cref="AnsiConsole"/>.</summary>
    public static void Configure()
    {
        bool redirected = Console.IsOutputRedirected;
        if (Columns() is int columns) AnsiConsole.Profile.Width = columns;
        else if (redirected) AnsiConsole.Profile.Width = UnlimitedWidth;
        if (redirected && Interlocked.Exchange(ref _hooked, 1) == 0) AnsiConsole.Console.Pipeline.Attach(new AsciiTables());
    }

    /// <summary>Gives every table printed while output is not a terminal a plain ASCII border (+, -, |).</summary>
    private sealed class AsciiTables : IRenderHook
    {
        public IEnumerable<IRenderable> Process(RenderOptions options, IEnumerable<IRenderable> renderables)
        {
            foreach (var r in renderables)
            {
                if (r is Table t && Console.IsOutputRedirected) t.Border(TableBorder.Ascii);
                yield return r;
            }
        }
    }

    /// <summary>The <c>COLUMNS</c> environment variable, when it is a positive integer.</summary>
    public static int? Columns() =>
        int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), NumberStyles.None, CultureInfo.InvariantCulture, out int c) && c > 0 ? c : null;
}

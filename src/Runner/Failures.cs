using ResidualSheaf.Runner.Config;

namespace ResidualSheaf.Runner;

/// <summary>
/// The last line of defence of the command line: an exception no command handled becomes one message on stderr and a
/// documented exit code (2 bad input, 4 outputs could not be written, 1 anything else), never a .NET stack trace.
/// </summary>
public static class Failures
{
    private const int ENOSPC = 28, EDQUOT = 122;

    /// <summary>Runs the command and turns an escaping exception into a message and an exit code.</summary>
    public static int Guard(Func<int> command)
    {
        try
        {
            return command();
        }
        catch (Exception e)
        {
            var inner = Unwrap(e);
            switch (inner)
            {
                case ConfigException c:
                    Console.Error.WriteLine($"runner: {c.Message}");
                    return Program.BadInput;
                case OutOfMemoryException:
                    Console.Error.WriteLine($"runner: out of memory ({GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1e9:0.#} GB available): use a smaller network or fewer threads");
                    return Program.RunFailed;
                case var w when IsWriteFailure(w):
                    Console.Error.WriteLine($"runner: outputs could not be written: {Describe(w)}; files already written are kept");
                    return Program.WriteFailed;
                default:
                    Console.Error.WriteLine($"runner: internal error: {Describe(inner)}");
                    return Program.RunFailed;
            }
        }
    }

    /// <summary>The innermost exception of an aggregate (a failure inside a parallel loop or a task).</summary>
    public static Exception Unwrap(Exception e)
    {
        while (e is AggregateException { InnerExceptions.Count: 1 } a) e = a.InnerExceptions[0];
        return e is AggregateException agg && agg.InnerExceptions.Count > 0 ? Unwrap(agg.InnerExceptions[0]) : e;
    }

    /// <summary>True for "no space left on device" and "disk quota exceeded".</summary>
    public static bool IsDiskFull(Exception e)
    {
        var inner = Unwrap(e);
        return inner is IOException io && (io.HResult is ENOSPC or EDQUOT || (io.HResult & 0xFFFF) is 0x70 or 0x27
            || io.Message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase)
            || io.Message.Contains("quota", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>True when writing an output failed: a full disk or quota, another I/O error, or no permission.</summary>
    public static bool IsWriteFailure(Exception e)
    {
        var inner = Unwrap(e);
        return inner is UnauthorizedAccessException || (inner is IOException and not FileNotFoundException and not DirectoryNotFoundException) || IsDiskFull(inner);
    }

    /// <summary>A one-line description: the message, with "disk full" said plainly.</summary>
    public static string Describe(Exception e)
    {
        var inner = Unwrap(e);
        return IsDiskFull(inner) ? $"the disk is full ({inner.Message})" : $"{inner.GetType().Name}: {inner.Message}";
    }
}

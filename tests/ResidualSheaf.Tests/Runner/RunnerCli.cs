using ResidualSheaf.Runner;

namespace ResidualSheaf.Tests.Runner;

/// <summary>Runs the runner's command line in process with stdout and stderr captured (tests in the "Console" collection).</summary>
internal static class RunnerCli
{
    /// <summary>Exit code, stdout and stderr of <c>runner args…</c>.</summary>
    public static (int Code, string Out, string Error) Run(params string[] args)
    {
        var (err, @out) = (new StringWriter(), new StringWriter());
        var (oldErr, oldOut) = (Console.Error, Console.Out);
        Console.SetError(err);
        Console.SetOut(@out);
        try
        {
            return (Program.Main(args), @out.ToString(), err.ToString());
        }
        finally
        {
            Console.SetError(oldErr);
            Console.SetOut(oldOut);
        }
    }
}

namespace ResidualSheaf.Runner;

/// <summary>Entry point of the <c>runner</c> command.</summary>
public static class Program
{
    /// <summary>Runs the command line.</summary>
    public static int Main(string[] args)
    {
        Console.WriteLine("runner: not yet implemented");
        return 0;
    }
}

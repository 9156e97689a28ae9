namespace ResidualSheaf.Benchmarks;

/// <summary>The force evaluation against a TorchSharp forward + backward (filled in below).</summary>
internal static class DigitsForceReport
{
    public static void Run(DigitsCase c) => throw new NotImplementedException();
}

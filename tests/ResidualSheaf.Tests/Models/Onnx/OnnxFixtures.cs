namespace ResidualSheaf.Tests.Models.Onnx;

/// <summary>The committed ONNX fixtures (tests/fixtures/onnx, written by its export.py with PyTorch).</summary>
internal static class OnnxFixtures
{
    /// <summary>float64 ReLU networks exported from PyTorch, plus the hand-written graph exercising Gemm's attributes.</summary>
    public static readonly string[] Float64 =
    [
        "mlp.onnx", "resblock_after.onnx", "resblock_before.onnx", "stack_projection.onnx", "skip_across_two_blocks.onnx",
        "many_skips.onnx", "gemm_attributes.onnx",
    ];

    /// <summary>The folder holding the fixtures.</summary>
    public static string Folder { get; } = FindFolder();

    /// <summary>Full path of a fixture.</summary>
    public static string Path(string name) => System.IO.Path.Combine(Folder, name);

    private static string FindFolder()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(System.IO.Path.Combine(d.FullName, "ResidualSheaf.sln")))
                return System.IO.Path.Combine(d.FullName, "tests", "fixtures", "onnx");
        throw new DirectoryNotFoundException("repository root (ResidualSheaf.sln) not found above the test output");
    }
}

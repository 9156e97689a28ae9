using System.Buffers.Binary;

namespace ResidualSheaf.Tests.Plotting;

/// <summary>Minimal PNG checks: enough to tell a real image from an empty or truncated file without a decoder dependency.</summary>
internal static class PngFile
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>A fresh output path; PLOT_SAMPLES_DIR keeps the images for eyeballing, otherwise they go to a temp dir.</summary>
    public static string NewPath(string name)
    {
        var dir = Environment.GetEnvironmentVariable("PLOT_SAMPLES_DIR")
                  ?? Path.Combine(Path.GetTempPath(), "residualsheaf-plot-tests");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name + ".png");
        File.Delete(path);
        return path;
    }

    /// <summary>Asserts the file is a PNG and returns the size stored in its IHDR chunk.</summary>
    public static (int Width, int Height) AssertValid(string path)
    {
        Assert.True(File.Exists(path), $"{path} was not written");
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 33, "file too short for signature + IHDR");
        Assert.Equal(Signature, bytes[..8]);
        Assert.Equal("IHDR"u8.ToArray(), bytes[12..16]);
        int width = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4));
        int height = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4));
        Assert.True(width > 0 && height > 0);
        return (width, height);
    }

    /// <summary>Asserts a valid PNG of exactly the requested size.</summary>
    public static void AssertValid(string path, int width, int height) =>
        Assert.Equal((width, height), AssertValid(path));
}

namespace ResidualSheaf.Engine.Sheaves;

/// <summary>
/// The shape of a 2-D cross-correlation (ONNX Conv, PyTorch conv2d; groups = 1) on a C×H×W stalk stored channel-major
/// (index (c·H + h)·W + w, the flattening of an NCHW tensor with N = 1). Also describes a pooling window when the channel
/// counts are equal and the window is applied per channel.
/// </summary>
/// <param name="InChannels">C_in.</param>
/// <param name="Height">Input height H.</param>
/// <param name="Width">Input width W.</param>
/// <param name="OutChannels">C_out.</param>
/// <param name="KernelHeight">k_h.</param>
/// <param name="KernelWidth">k_w.</param>
/// <param name="StrideH">Stride along H.</param>
/// <param name="StrideW">Stride along W.</param>
/// <param name="PadTop">Zero rows above.</param>
/// <param name="PadLeft">Zero columns left.</param>
/// <param name="PadBottom">Zero rows below.</param>
/// <param name="PadRight">Zero columns right.</param>
/// <param name="DilationH">Dilation along H.</param>
/// <param name="DilationW">Dilation along W.</param>
public sealed record Conv2dGeometry(
    int InChannels, int Height, int Width, int OutChannels, int KernelHeight, int KernelWidth,
    int StrideH = 1, int StrideW = 1, int PadTop = 0, int PadLeft = 0, int PadBottom = 0, int PadRight = 0,
    int DilationH = 1, int DilationW = 1)
{
    /// <summary>Output height ⌊(H + p_t + p_b − d_h (k_h − 1) − 1) / s_h⌋ + 1.</summary>
    public int OutHeight => (Height + PadTop + PadBottom - DilationH * (KernelHeight - 1) - 1) / StrideH + 1;

    /// <summary>Output width, as <see cref="OutHeight"/>.</summary>
    public int OutWidth => (Width + PadLeft + PadRight - DilationW * (KernelWidth - 1) - 1) / StrideW + 1;

    /// <summary>Input stalk dimension C_in·H·W.</summary>
    public int InDimension => InChannels * Height * Width;

    /// <summary>Output stalk dimension C_out·H_out·W_out.</summary>
    public int OutDimension => OutChannels * OutHeight * OutWidth;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first impossible value (non-positive sizes, an empty output).</summary>
    public void Validate()
    {
        if (InChannels <= 0 || Height <= 0 || Width <= 0 || OutChannels <= 0)
            throw new ArgumentException($"channels and image sizes must be positive (C_in {InChannels}, H {Height}, W {Width}, C_out {OutChannels})");
        if (KernelHeight <= 0 || KernelWidth <= 0) throw new ArgumentException($"kernel {KernelHeight}×{KernelWidth} must be positive");
        if (StrideH <= 0 || StrideW <= 0) throw new ArgumentException($"strides ({StrideH}, {StrideW}) must be positive");
        if (DilationH <= 0 || DilationW <= 0) throw new ArgumentException($"dilations ({DilationH}, {DilationW}) must be positive");
        if (PadTop < 0 || PadLeft < 0 || PadBottom < 0 || PadRight < 0) throw new ArgumentException("pads must be non-negative");
        if (Height + PadTop + PadBottom - DilationH * (KernelHeight - 1) - 1 < 0 || Width + PadLeft + PadRight - DilationW * (KernelWidth - 1) - 1 < 0)
            throw new ArgumentException($"the dilated kernel does not fit the padded {Height}×{Width} input");
    }

    /// <summary>
    /// For output row <paramref name="i"/> and kernel row <paramref name="ky"/>: the input row read, or −1 when it lies in the padding.
    /// </summary>
    internal int InputRow(int i, int ky)
    {
        int r = i * StrideH - PadTop + ky * DilationH;
        return r >= 0 && r < Height ? r : -1;
    }

    /// <summary>For kernel column <paramref name="kx"/>: the output columns [j0, j1) whose input column lies inside the image.</summary>
    internal (int J0, int J1) ValidColumns(int kx)
    {
        // Input column j·s − p + kx·d ∈ [0, W) ⇔ j ∈ [⌈(p − kx·d)/s⌉, ⌊(W − 1 + p − kx·d)/s⌋].
        int shift = PadLeft - kx * DilationW;
        int j0 = shift <= 0 ? 0 : (shift + StrideW - 1) / StrideW;
        int top = Width - 1 + shift;
        int j1 = top < 0 ? 0 : Math.Min(OutWidth, top / StrideW + 1);
        return (j0, Math.Max(j0, j1));
    }

    /// <summary>Input column read by output column <paramref name="j"/> at kernel column <paramref name="kx"/> (inside the image).</summary>
    internal int InputColumn(int j, int kx) => j * StrideW - PadLeft + kx * DilationW;
}

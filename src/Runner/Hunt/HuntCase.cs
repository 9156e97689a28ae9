using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;

namespace ResidualSheaf.Runner.Hunt;

/// <summary>The sampled parameters of one case; a pure function of (config, case id).</summary>
/// <param name="Id">Case index.</param>
/// <param name="Architecture">The residual stack.</param>
/// <param name="Construction">junction or chord.</param>
/// <param name="WeightScale">Factor on the PyTorch-default weights.</param>
/// <param name="WeightSeed">torch.manual_seed of the weights.</param>
/// <param name="InputScale">Input standard deviation.</param>
/// <param name="InitialScale">Initial-cochain standard deviation.</param>
/// <param name="Alpha">Rate α.</param>
public sealed record HuntCase(long Id, ArchitectureSpec Architecture, SkipConstruction Construction, double WeightScale, long WeightSeed,
    double InputScale, double InitialScale, double Alpha)
{
    /// <summary>Streams of <see cref="CaseRandom"/>: parameters, input, initial cochain.</summary>
    public const int ParameterStream = 0, InputStream = 1, InitialStream = 2;

    /// <summary>Samples case <paramref name="id"/>.</summary>
    public static HuntCase Sample(HuntConfig cfg, long id)
    {
        var r = new CaseRandom(cfg.MasterSeed, id, ParameterStream);
        int blocks = cfg.Blocks.Min + r.NextInt(cfg.Blocks.Max - cfg.Blocks.Min + 1);
        var placement = cfg.Relu[r.NextInt(cfg.Relu.Length)] == "after" ? ReluPlacement.After : ReluPlacement.Before;
        var specs = new List<BlockSpec>();
        int inW = cfg.Widths[r.NextInt(cfg.Widths.Length)];
        for (int k = 0; k < blocks; k++)
        {
            int hidden = cfg.Hidden[r.NextInt(cfg.Hidden.Length)];
            int outW = cfg.Widths[r.NextInt(cfg.Widths.Length)];
            bool projection = outW != inW || r.NextDouble() < cfg.Projection;
            specs.Add(new BlockSpec(inW, hidden, outW, projection));
            inW = outW;
        }
        string construction = cfg.Constructions[r.NextInt(cfg.Constructions.Length)];
        return new HuntCase(id, ArchitectureSpec.Residual(specs, placement),
            construction == "chord" ? SkipConstruction.Chord : SkipConstruction.Junction,
            cfg.WeightScale.At(r.NextDouble()), r.NextSeed(), cfg.InputScale.At(r.NextDouble()), cfg.InitialScale.At(r.NextDouble()),
            cfg.Alpha.At(r.NextDouble()));
    }

    /// <summary>Compact architecture, e.g. <c>3-3-3;3-4-2P</c> (in-hidden-out, P = projection skip).</summary>
    public string ArchitectureText => string.Join(";", Architecture.Blocks!.Select(b => $"{b.In}-{b.Hidden}-{b.Out}{(b.Projection ? "P" : "")}"));
}

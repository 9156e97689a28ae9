using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Graph;
using ResidualSheaf.Models.Networks;

namespace ResidualSheaf.Runner.Hunt;

/// <summary>The sampled parameters of one case; a pure function of (config, case id).</summary>
/// <param name="Id">Case index.</param>
/// <param name="Architecture">The residual stack.</param>
/// <param name="Construction">junction or chord.</param>
/// <param name="WeightScale">Factor on the PyTorch-default weights (1 for a fixed network).</param>
/// <param name="WeightSeed">torch.manual_seed of the weights (0, unused, for a fixed network).</param>
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
        if (cfg.Fixed is { } fixedNetwork)
        {
            string fixedConstruction = cfg.Constructions[r.NextInt(cfg.Constructions.Length)];
            double input = cfg.InputScale.At(r.NextDouble()), init = cfg.InitialScale.At(r.NextDouble()), rate = cfg.Alpha.At(r.NextDouble());
            return new HuntCase(id, fixedNetwork.Architecture, fixedConstruction == "chord" ? SkipConstruction.Chord : SkipConstruction.Junction,
                1.0, 0, input, init, rate);
        }
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
        var arch = ArchitectureSpec.Residual(specs, placement);
        double weightScale = cfg.WeightScale.At(r.NextDouble());
        long weightSeed = r.NextSeed();
        double inputScale = cfg.InputScale.At(r.NextDouble()), initialScale = cfg.InitialScale.At(r.NextDouble()), alpha = cfg.Alpha.At(r.NextDouble());
        // The head is drawn after everything else, and only when heads are sampled: existing hunts keep their cases.
        if (cfg.SamplesHeads)
        {
            var head = OutputHeads.Parse(cfg.Heads[r.NextInt(cfg.Heads.Length)]);
            var mode = OutputHeads.ParseMode(cfg.HeadModes[r.NextInt(cfg.HeadModes.Length)]);
            int? classes = cfg.Classes is { } cs ? cs[r.NextInt(cs.Length)] : null;
            if (head != OutputHead.Identity) arch = arch.WithHead(head, mode, classes);
        }
        return new HuntCase(id, arch, construction == "chord" ? SkipConstruction.Chord : SkipConstruction.Junction,
            weightScale, weightSeed, inputScale, initialScale, alpha);
    }

    /// <summary>Compact architecture, e.g. <c>3-3-3;3-4-2P</c> (in-hidden-out, P = projection skip).</summary>
    public string ArchitectureText => string.Join(";", Architecture.Blocks!.Select(b => $"{b.In}-{b.Hidden}-{b.Out}{(b.Projection ? "P" : "")}")) +
        (Architecture.Head == OutputHead.Identity ? ""
            : $";{(Architecture.Classifier is int c ? $"C{c};" : "")}{OutputHeads.Name(Architecture.Head)}-{OutputHeads.Name(Architecture.HeadMode)}");
}

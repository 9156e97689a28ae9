using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Training;
using ResidualSheaf.Runner.Batch;
using ResidualSheaf.Runner.Output;
using ResidualSheaf.Runner.Plotting;

namespace ResidualSheaf.Runner.Jobs;

/// <summary>
/// Job train's <c>spectrum.csv</c> (<c>train.spectrum</c>): after each chosen epoch, a flushed row per diagnostic input with λ_1,
/// λ_max, κ of L_free and the per-block energies of their eigenvectors; at the end <c>spectrum.png</c> (medians and quartiles of
/// λ_1, λ_max and κ over the inputs, against the step).
/// </summary>
public sealed class TrainSpectrumFile : IDisposable
{
    private readonly RunContext _ctx;
    private readonly Config.TrainSpectrumConfig _cfg;
    private readonly TrainingSpectrum _spectrum;
    private readonly double[] _inputs;
    private readonly CsvTable _csv;
    private readonly List<(int Step, InputSpectrum[] Values)> _taken = [];

    private TrainSpectrumFile(RunContext ctx, Config.TrainSpectrumConfig cfg, SheafTrainingRun run, INetwork network)
    {
        _ctx = ctx;
        _cfg = cfg;
        _spectrum = new TrainingSpectrum(network, run.Flow, ctx.Config.Constructions[0]);
        _inputs = TrainingSpectrum.DiagnosticInputs(run.Flow.Input.Dimension, cfg.Count, cfg.Seed, cfg.Low, cfg.High);
        _csv = new CsvTable(ctx.Output.File("spectrum.csv"), Header(_spectrum));
    }

    /// <summary>The file of the run, or null when its config asks for no spectrum.</summary>
    public static TrainSpectrumFile? Open(RunContext ctx, SheafTrainingRun run, INetwork network) =>
        ctx.Config.Train!.Spectrum is { } s ? new TrainSpectrumFile(ctx, s, run, network) : null;

    /// <summary>The columns: epoch, step, input, λ's, then fiedler_energy_&lt;block&gt; and max_energy_&lt;block&gt; per block.</summary>
    public static string[] Header(TrainingSpectrum spectrum) =>
    [
        "epoch", "step", "input", "lambda_1", "lambda_max", "kappa", "zero_eigenvalues",
        .. spectrum.Blocks.Select(b => "fiedler_energy_" + b.Name), .. spectrum.Blocks.Select(b => "max_energy_" + b.Name),
    ];

    /// <summary>Writes the rows of <paramref name="epoch"/> if it is one of the chosen epochs.</summary>
    public void Write(int epoch, int step, ReadOnlySpan<double> theta)
    {
        if (Array.BinarySearch(_cfg.Epochs, epoch) < 0) return;
        var values = _spectrum.Compute(theta, _inputs, _cfg.Threshold);
        for (int i = 0; i < values.Length; i++)
        {
            var v = values[i];
            _csv.Row([epoch, step, i, v.LambdaOne, v.LambdaMax, v.Kappa, v.ZeroEigenvalues, .. v.FiedlerEnergy.Cast<object?>(), .. v.MaxEnergy.Cast<object?>()]);
        }
        _taken.Add((step, values));
    }

    /// <summary>spectrum.png.</summary>
    public void Plot()
    {
        if (_taken.Count == 0) return;
        var steps = _taken.Select(t => (double)t.Step).ToArray();
        var series = new List<(string, double[], double[])>();
        foreach (var (name, of) in new (string, Func<InputSpectrum, double>)[] { ("λ_1", v => v.LambdaOne), ("λ_max", v => v.LambdaMax), ("κ", v => v.Kappa) })
            foreach (var (q, label) in new[] { (0.5, "median"), (0.25, "q25"), (0.75, "q75") })
                series.Add(($"{name} {label}", steps, _taken.Select(t => Quantiles.Of(t.Values.Select(of).Where(double.IsFinite).Order().DefaultIfEmpty(double.NaN).ToList(), q)).ToArray()));
        TrainPlots.Save(_ctx.Output.File("spectrum.png"), $"{_ctx.Config.Name}: spectrum of L_free at {_cfg.Count} inputs", "step", "eigenvalue / κ", series);
    }

    /// <inheritdoc/>
    public void Dispose() => _csv.Dispose();
}

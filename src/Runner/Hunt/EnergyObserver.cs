using ResidualSheaf.Engine.Heat;

namespace ResidualSheaf.Runner.Hunt;

/// <summary>
/// The light observer of a hunt case: the energy check on every sample, with exactly the rules of the heat job's trace (so a
/// candidate's standalone re-run reproduces the hunt's numbers); nothing is written.
/// </summary>
/// <param name="equation">The case's heat equation.</param>
/// <param name="certifiedRate">2αλ_cert of the rate certificate, or null.</param>
/// <param name="rootEnergySlack">
/// Slack on √E for the certificate check: a computed state within the integrator's tolerance of one that satisfies the bound
/// has √E at most this much larger (√E = ‖r‖/√2 and r is Lipschitz with constant √λ_max).
/// </param>
public sealed class EnergyObserver(HeatEquation equation, double? certifiedRate = null, double rootEnergySlack = 0) : IHeatObserver
{
    private double _initialEnergy = double.NaN;

    private readonly int _edgeDimension = equation.Sheaf.EdgeDimension;
    private readonly double _affineScale = EnergyMonitor.AffineScale(equation.Sheaf);

    /// <summary>Energy watch (same threshold and rounding floor as the heat job's trace, so a re-run reproduces the counts).</summary>
    public EnergyMonitor Monitor { get; } = new(equation: equation);

    /// <summary>Switching events seen.</summary>
    public List<HeatEvent> Events { get; } = [];

    /// <summary>Largest E(t) / (E(0)e^{−rate·t}) over the samples with t &gt; 0 for the certified rate (null without one or before the first).</summary>
    public double? WorstCertificateRatio { get; private set; }

    /// <summary>Samples with √E(t) &gt; √(E(0)e^{−rate·t})·(1 + 1e−9) + rootEnergySlack: above the certified bound beyond the run's tolerance.</summary>
    public long CertificateViolations { get; private set; }

    /// <inheritdoc/>
    public void OnSample(in HeatSample sample)
    {
        Monitor.Add(sample.Time, sample.Energy, sample.State, _edgeDimension, _affineScale);
        if (double.IsNaN(_initialEnergy)) _initialEnergy = sample.Energy;
        if (certifiedRate is double rate && _initialEnergy > 0 && sample.Time > 0)
        {
            double bound = _initialEnergy * Math.Exp(-rate * sample.Time);
            if (bound > 0) WorstCertificateRatio = Math.Max(WorstCertificateRatio ?? double.NegativeInfinity, sample.Energy / bound);
            if (Math.Sqrt(Math.Max(sample.Energy, 0)) > Math.Sqrt(bound) * (1 + 1e-9) + rootEnergySlack) CertificateViolations++;
        }
    }

    /// <inheritdoc/>
    public void OnEvent(HeatEvent e) => Events.Add(e);
}

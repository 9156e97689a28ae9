using System.Diagnostics;
using ResidualSheaf.Engine;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Runner.Output;
using Serilog;

namespace ResidualSheaf.Runner.Jobs;

/// <summary>
/// Observes a heat run: writes <c>trace.csv</c> and <c>events.csv</c> row by row (flushed, so a killed run keeps them),
/// watches the energy on every sample, keeps the series the plots need and logs progress on runs longer than a second.
/// </summary>
public sealed class HeatTrace : IHeatObserver, IDisposable
{
    private readonly HeatSetup _setup;
    private readonly int _every;
    private readonly ILogger _log;
    private readonly CsvTable _trace;
    private readonly CsvTable _events;
    private readonly double[] _full;
    private readonly MaskPattern _masks;
    private readonly EdgeKind[] _kinds;
    private readonly double _affineScale;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly object?[] _row;
    private double _nextProgress = 1.0;
    private long _samples;
    private bool _eventSinceRow;
    private (double Time, double Energy, double Distance, ulong PatternId, double StepSize)? _lastUnwritten;

    /// <summary>Opens the two CSV files in the run folder.</summary>
    public HeatTrace(HeatSetup setup, int traceEvery, RunDirectory output, ILogger log)
    {
        _setup = setup;
        Monitor = new EnergyMonitor(equation: setup.Equation);
        _every = traceEvery;
        _log = log;
        var sheaf = setup.Problem.Sheaf;
        _full = setup.Problem.PinnedCochain();
        _masks = new MaskPattern(sheaf.TotalDimension);
        _kinds = sheaf.Edges.Select(e => e.Kind).Concat(sheaf.HasSmoothEdges ? [EdgeKind.Head] : []).Distinct().Order().ToArray();
        _affineScale = EnergyMonitor.AffineScale(sheaf);
        var header = new List<string> { "t", "E", "dE_dt", "distance_to_limit" };
        header.AddRange(_kinds.Select(k => "discord_" + k.ToString().ToLowerInvariant()));
        header.AddRange(sheaf.Edges.Select(e => "edge_" + e.Name));
        header.AddRange(sheaf.SmoothEdges.Select(e => "edge_" + e.Name));
        header.AddRange(Enumerable.Range(0, setup.Sheaf.Output.Dimension).Select(i => $"y{i}"));
        header.AddRange(["pattern", "step_size"]);
        _row = new object?[header.Count];
        _trace = new CsvTable(output.File("trace.csv"), header);
        _events = new CsvTable(output.File("events.csv"), ["t", "coordinate", "name", "kind", "direction", "sliding", "new_mode"]);
        foreach (var k in _kinds) DiscordByKind[k] = [];
        Outputs = Enumerable.Range(0, setup.Sheaf.Output.Dimension).Select(_ => new List<double>()).ToArray();
    }

    /// <summary>Energy watch over every sample.</summary>
    public EnergyMonitor Monitor { get; }

    /// <summary>Events in the order seen.</summary>
    public List<HeatEvent> Events { get; } = [];

    /// <summary>Times of the written rows.</summary>
    public List<double> Times { get; } = [];

    /// <summary>E at the written rows.</summary>
    public List<double> Energies { get; } = [];

    /// <summary>Distance to the limit at the written rows (NaN without a limit).</summary>
    public List<double> Distances { get; } = [];

    /// <summary>Discord per edge kind at the written rows.</summary>
    public Dictionary<EdgeKind, List<double>> DiscordByKind { get; } = [];

    /// <summary>Output stalk values at the written rows.</summary>
    public List<double>[] Outputs { get; }

    /// <summary>E at the first sample.</summary>
    public double InitialEnergy { get; private set; } = double.NaN;

    /// <summary>Largest E(t) / (E(0) e^{−2αλ_* t}) over the samples with t &gt; 0 (when λ_* is known; null before the first).</summary>
    /// <remarks>t = 0 is left out: there the ratio is 1 by definition, so including it made the figure read 1 on every run.</remarks>
    public double? WorstBoundRatio { get; private set; }

    /// <summary>Largest E(t) / (E(0) e^{−2αλ_cert t}) over the samples with t &gt; 0, λ_cert the rate certificate (null without one).</summary>
    public double? WorstCertificateRatio { get; private set; }

    /// <summary>Last sample's time, energy and distance.</summary>
    public (double T, double E, double Distance) Last { get; private set; } = (double.NaN, double.NaN, double.NaN);

    /// <summary>Samples observed.</summary>
    public long Samples => _samples;

    /// <inheritdoc/>
    public void OnSample(in HeatSample sample)
    {
        double time = sample.Time;
        var state = sample.State;
        var p = _setup.Problem;
        var eq = _setup.Equation;
        var free = p.FreeCoordinates;
        for (int i = 0; i < free.Count; i++) _full[free[i]] = state[i];
        double e = sample.Energy;
        double distance = double.NaN;
        if (_setup.Target is { } target)
        {
            distance = Numerics.MaxAbsDifference(state, target);
        }
        if (_samples == 0) InitialEnergy = e;
        Monitor.Add(time, e, state, p.Sheaf.EdgeDimension, _affineScale);
        if (_setup.LambdaStar is double ls && InitialEnergy > 0)
        {
            double bound = InitialEnergy * Math.Exp(-2 * _setup.Equation.Alpha * ls * time);
            if (bound > 0 && time > 0) WorstBoundRatio = Math.Max(WorstBoundRatio ?? double.NegativeInfinity, e / bound);
        }
        if (_setup.Certificate is { } cert && InitialEnergy > 0)
        {
            double bound = InitialEnergy * Math.Exp(-2 * _setup.Equation.Alpha * cert.LowerBound * time);
            if (bound > 0 && time > 0) WorstCertificateRatio = Math.Max(WorstCertificateRatio ?? double.NegativeInfinity, e / bound);
        }
        Last = (time, e, distance);

        bool write = _samples % _every == 0 || _eventSinceRow;
        _samples++;
        // A thinned-out sample costs no row (dE/dt, discord, formatting); only the last one is kept, to end the trace on it.
        if (write)
        {
            WriteRow(time, e, eq.EnergyRate(state), distance, sample.PatternId, sample.StepSize);
            _eventSinceRow = false;
            _lastUnwritten = null;
        }
        else _lastUnwritten = (time, e, distance, sample.PatternId, sample.StepSize);
        if (_clock.Elapsed.TotalSeconds >= _nextProgress)
        {
            _nextProgress = _clock.Elapsed.TotalSeconds + 1.0;
            _log.Information("… t = {T:G6}, E = {E:E3}, distance to limit = {D:E3}, {Samples} samples, {Events} switches",
                time, e, distance, _samples, Events.Count);
        }
    }

    /// <inheritdoc/>
    public void OnEvent(HeatEvent e)
    {
        Events.Add(e);
        _eventSinceRow = true;
        string direction = e.Kind switch { HeatEventKind.CrossUp => "up", HeatEventKind.CrossDown => "down", _ => "" };
        string sliding = e.Kind switch { HeatEventKind.SlideEnter => "entry", HeatEventKind.SlideExit => "exit", _ => "" };
        _events.Row(e.Time, e.Coordinate, e.Name, e.Kind.ToString(), direction, sliding, e.NewMode.ToString());
    }

    /// <summary>Writes the last sample if thinning skipped it, so the trace always ends at the final state.</summary>
    public void Finish()
    {
        if (_lastUnwritten is not var (time, e, distance, patternId, stepSize)) return;
        var free = _setup.Problem.FreeCoordinates;
        var state = new double[free.Count];
        for (int i = 0; i < state.Length; i++) state[i] = _full[free[i]];
        WriteRow(time, e, _setup.Equation.EnergyRate(state), distance, patternId, stepSize);
        _lastUnwritten = null;
    }

    /// <summary>One trace row for the sample whose full cochain is in _full.</summary>
    private void WriteRow(double time, double e, double rate, double distance, ulong patternId, double stepSize)
    {
        var p = _setup.Problem;
        int c = 0;
        _row[c++] = time;
        _row[c++] = e;
        _row[c++] = rate;
        _row[c++] = double.IsNaN(distance) ? null : distance;
        _masks.UpdateFrom(p.Sheaf, _full);
        var discord = DirichletEnergy.Discord(p.Sheaf, _full, _masks);
        foreach (var k in _kinds) _row[c++] = discord.ByKind.TryGetValue(k, out double v) ? v : 0.0;
        foreach (double v in discord.PerEdge) _row[c++] = v;
        foreach (double v in discord.PerSmoothEdge) _row[c++] = v;
        foreach (var k in _kinds) DiscordByKind[k].Add(discord.ByKind.TryGetValue(k, out double v) ? v : 0.0);
        var y = _setup.Sheaf.Output;
        for (int i = 0; i < y.Dimension; i++) _row[c++] = _full[y.Offset + i];
        _row[c++] = patternId;
        _row[c] = stepSize;
        _trace.Row(_row);
        Times.Add(time);
        Energies.Add(e);
        Distances.Add(distance);
        for (int i = 0; i < y.Dimension; i++) Outputs[i].Add(_full[y.Offset + i]);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _trace.Dispose();
        _events.Dispose();
    }
}

namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// One sample of a heat run, as stop rules and observers see it. The state is a view of a workspace, valid only during the call;
/// <see cref="Energy"/> and <see cref="Force"/> are computed on first use and shared by every rule and the observer of that sample.
/// </summary>
public readonly ref struct HeatSample
{
    private readonly SampleContext _context;

    internal HeatSample(SampleContext context, double time, ReadOnlySpan<double> state, double stepSize, ulong patternId)
    {
        _context = context;
        Time = time;
        State = state;
        StepSize = stepSize;
        PatternId = patternId;
    }

    /// <summary>The time.</summary>
    public double Time { get; }

    /// <summary>The free coordinates.</summary>
    public ReadOnlySpan<double> State { get; }

    /// <summary>The step (or sample spacing) that led here; 0 at the first sample.</summary>
    public double StepSize { get; }

    /// <summary>The activation pattern (<see cref="HeatPattern.Id"/>).</summary>
    public ulong PatternId { get; }

    /// <summary>The Dirichlet energy E(c) (soft-pin terms included).</summary>
    public double Energy => _context.Energy(State);

    /// <summary>The method's velocity ċ at the state (frozen modes, sliding components 0); counted in the run's nfev.</summary>
    public ReadOnlySpan<double> Force => _context.Force(State);
}

/// <summary>The lazily computed quantities of the current sample (one instance per run, reset at every sample).</summary>
internal sealed class SampleContext(HeatEquation equation, UnitMode[] modes)
{
    private readonly double[] _force = new double[equation.FreeDimension];
    private bool _haveEnergy, _haveForce;
    private double _energy;

    /// <summary>Force evaluations made for samples (the method adds its own).</summary>
    public long Evaluations { get; private set; }

    /// <summary>True when a force computed for this sample was not finite.</summary>
    public bool ForceNotFinite { get; private set; }

    /// <summary>Starts a new sample; <paramref name="force"/> is the force at the state when the caller already has it.</summary>
    public void Reset(ReadOnlySpan<double> force)
    {
        _haveEnergy = false;
        _haveForce = !force.IsEmpty;
        ForceNotFinite = false;
        if (_haveForce)
        {
            force.CopyTo(_force);
            CheckFinite();
        }
    }

    public double Energy(ReadOnlySpan<double> state)
    {
        if (!_haveEnergy)
        {
            _energy = equation.Energy(state);
            _haveEnergy = true;
        }
        return _energy;
    }

    public ReadOnlySpan<double> Force(ReadOnlySpan<double> state)
    {
        if (!_haveForce)
        {
            equation.Force(state, modes, _force);
            Evaluations++;
            _haveForce = true;
            CheckFinite();
        }
        return _force;
    }

    private void CheckFinite()
    {
        foreach (double v in _force)
        {
            if (double.IsFinite(v)) continue;
            ForceNotFinite = true;
            return;
        }
    }
}

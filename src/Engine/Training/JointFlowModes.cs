using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.Sheaves;

namespace ResidualSheaf.Engine.Training;

public sealed partial class JointFlow
{
    // Scratch of SurfaceForces, made on first use: one sample's cochain with the surface coordinates on 0, its derivative.
    private Scratch? _surface;
    private double[] _surfaceC = [], _surfaceF = [];

    /// <summary>Switching units of one sample: the sheaf's mask-carrying coordinates (the ReLU pre-activations).</summary>
    public int UnitsPerSample => _maskCoordinates.Length;

    /// <summary>Switching units of the batch: sample s's unit u is unit s · <see cref="UnitsPerSample"/> + u.</summary>
    public int Units => Samples * UnitsPerSample;

    /// <summary>The joint-state index of a unit's pre-activation z_j (its switching coordinate).</summary>
    public int SwitchIndex(int unit) => unit / UnitsPerSample * StalkDimension + _maskCoordinates[unit % UnitsPerSample];

    /// <summary>
    /// Whether frozen modes describe this sheaf's flow: every ReLU mask acts on its own tail coordinates (so that on z_j = 0 the
    /// mask θ_j moves ż_j alone, linearly) and no head map switches. True for the MLP, junction and chord sheaves the product builds.
    /// </summary>
    public bool SupportsFrozenModes => _edges.All(e => e.HeadMap is not SwitchingMap
        && (e.TailMap is not SwitchingMap m || m.MaskOffset == Sheaf.Vertices[e.Tail].Offset));

    /// <summary>The modes of the state's masks: Active where z_j ≥ 0 (the masks' own convention), else Inactive.</summary>
    public void ModesFromState(ReadOnlySpan<double> state, Span<UnitMode> modes)
    {
        CheckModes(modes.Length);
        for (int unit = 0; unit < modes.Length; unit++) modes[unit] = state[SwitchIndex(unit)] >= 0 ? UnitMode.Active : UnitMode.Inactive;
    }

    /// <summary>
    /// The right-hand side at frozen modes (switching-aware integration): θ_j = 1 for Active and 0 for Inactive units whatever the
    /// sign of z_j, and the z_j-component of a Sliding unit zeroed (Filippov sliding on z_j = 0: the convex combination of the two
    /// sides that keeps z_j on the surface; at z_j = 0 no other component depends on θ_j). Caller's thread (the adaptive
    /// integrators hand spans, so the chunk workers are not used); allocation-free.
    /// </summary>
    /// <exception cref="ArgumentException">The modes do not have one entry per unit.</exception>
    public void Derivative(ReadOnlySpan<double> state, Span<double> derivative, UnitMode[] modes)
    {
        CheckModes(modes.Length);
        _workModes = modes;
        try
        {
            Derivative(state, derivative);
        }
        finally
        {
            _workModes = null;
        }
    }

    /// <summary>
    /// The two surface forces of sample <paramref name="sample"/>'s units on their surfaces: the z_j-component of the flow with
    /// z_j = 0 and θ_j = 0 (<paramref name="inactive"/>, w_j) and θ_j = 1 (<paramref name="active"/>, w_j + a_j), the other units at
    /// <paramref name="modes"/>. Filled for every Sliding unit of the sample and for <paramref name="unit"/> (a unit of the sample
    /// arriving on its surface; −1 for none); the other entries are not meaningful. All of them come from two evaluations of the
    /// sample's force: on the surface a unit's θ_j moves its own component only.
    /// </summary>
    /// <exception cref="ArgumentException">Spans of the wrong length, or a unit outside the sample.</exception>
    public void SurfaceForces(ReadOnlySpan<double> state, ReadOnlySpan<UnitMode> modes, int sample, int unit, Span<double> inactive, Span<double> active)
    {
        CheckModes(modes.Length);
        int u0 = sample * UnitsPerSample;
        if (inactive.Length != UnitsPerSample || active.Length != UnitsPerSample)
            throw new ArgumentException($"surface force spans of {inactive.Length} and {active.Length}; {UnitsPerSample} (units per sample) expected");
        if (unit >= 0 && (unit < u0 || unit >= u0 + UnitsPerSample))
            throw new ArgumentException($"unit {unit} is not one of sample {sample}'s units", nameof(unit));
        if (_surface is null)
        {
            var s0 = _scratch[0];
            _surface = new Scratch(0, 0, new double[s0.R.Length], new double[s0.Phi.Length], new MaskPattern(StalkDimension), new double[ParameterLength]);
            (_surfaceC, _surfaceF) = (new double[StalkDimension], new double[StalkDimension]);
        }
        var theta = state.Slice(ParameterOffset, ParameterLength);
        state.Slice(sample * StalkDimension, StalkDimension).CopyTo(_surfaceC);
        int local = unit < 0 ? -1 : unit - u0;
        for (int u = 0; u < UnitsPerSample; u++)
            if (u == local || modes[u0 + u] == UnitMode.Sliding) _surfaceC[_maskCoordinates[u]] = 0;
        for (int side = 0; side < 2; side++)
        {
            MasksFromModes(modes, sample, _surface.Masks, local, side);
            SampleDerivative(sample, _surfaceC, _surfaceF, theta, _surface.DTheta, _surface);
            var target = side == 0 ? inactive : active;
            for (int u = 0; u < UnitsPerSample; u++) target[u] = _surfaceF[_maskCoordinates[u]];
        }
    }

    // θ from the modes of sample s; Sliding units and the unit `forced` (local index, −1 none) get `surfaceTheta`.
    private void MasksFromModes(ReadOnlySpan<UnitMode> modes, int s, MaskPattern masks, int forced, double surfaceTheta)
    {
        var theta = masks.Theta;
        int u0 = s * _maskCoordinates.Length;
        for (int u = 0; u < _maskCoordinates.Length; u++)
        {
            var m = modes[u0 + u];
            theta[_maskCoordinates[u]] = u == forced || m == UnitMode.Sliding ? surfaceTheta : m == UnitMode.Active ? 1.0 : 0.0;
        }
    }

    private void ZeroSliding(ReadOnlySpan<UnitMode> modes, int s, Span<double> f)
    {
        int u0 = s * _maskCoordinates.Length;
        for (int u = 0; u < _maskCoordinates.Length; u++)
            if (modes[u0 + u] == UnitMode.Sliding) f[_maskCoordinates[u]] = 0;
    }

    private void CheckModes(int length)
    {
        if (length != Units) throw new ArgumentException($"{length} modes; the batch has {Units} switching units ({Samples} samples × {UnitsPerSample})", "modes");
    }
}

namespace ResidualSheaf.Engine.Training;

/// <summary>The reference library's deterministic stalk initialisations (its <c>random</c> one draws from torch: see Models).</summary>
public static class StalkInitialisation
{
    /// <summary>Every stalk zero (the input pinned afterwards).</summary>
    public static void Zeros(JointFlow flow, Span<double> state)
    {
        state[..flow.ParameterOffset].Clear();
        flow.ApplyPins(state);
    }

    /// <summary>Every sample's cochain is the forward pass under the state's current parameters (the harmonic extension).</summary>
    public static void ForwardPass(JointFlow flow, Span<double> state, ReadOnlySpan<double> inputs)
    {
        var theta = state.Slice(flow.ParameterOffset, flow.ParameterLength).ToArray();
        int n0 = flow.Input.Dimension;
        for (int s = 0; s < flow.Samples; s++) flow.Forward(theta, inputs.Slice(s * n0, n0), flow.Stalks(state, s));
        flow.ApplyPins(state);
    }
}

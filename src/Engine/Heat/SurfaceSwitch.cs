namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// What every event-driven integrator does at a switching surface, written once: the event record, the classification of units that
/// start exactly on their surface, and the switch at a located root (z_j := 0, new mode by <see cref="SurfaceDecision"/>).
/// </summary>
internal static class SurfaceSwitch
{
    /// <summary>The event of <paramref name="unit"/> (switching unit index) at time <paramref name="t"/>.</summary>
    public static HeatEvent Event(HeatEquation equation, double t, int unit, HeatEventKind kind, UnitMode mode)
    {
        int j = equation.SwitchingCoordinates[unit];
        return new HeatEvent(t, j, equation.Sheaf.CoordinateName(j), kind, mode);
    }

    /// <summary>
    /// Units exactly on their surface at the start (<paramref name="modes"/> already from the state's signs) are classified at once by
    /// their two surface forces; sliding entries and repelling points are reported to <paramref name="report"/> (crossings and grazes
    /// are not events at the start). Stops at the first report that returns false and returns false then.
    /// <paramref name="surfaceEvaluations"/> counts the surface-force evaluations made.
    /// </summary>
    public static bool ClassifyOnSurface(HeatEquation equation, ReadOnlySpan<double> state, UnitMode[] modes, double t,
        Func<HeatEvent, bool> report, out int surfaceEvaluations)
    {
        surfaceEvaluations = 0;
        var position = equation.SwitchingFreeIndices;
        for (int u = 0; u < modes.Length; u++)
        {
            if (state[position[u]] != 0) continue;
            equation.SurfaceForces(state, modes, u, out double f0, out double f1);
            surfaceEvaluations++;
            // Active as the side "came from": a unit starting on its surface is neither a crossing nor a graze.
            var (mode, kind) = SurfaceDecision.Classify(f0, f1, UnitMode.Active);
            modes[u] = mode;
            if (kind is HeatEventKind.SlideEnter or HeatEventKind.Repelling && !report(Event(equation, t, u, kind, mode))) return false;
        }
        return true;
    }

    /// <summary>
    /// The switch of <paramref name="unit"/> at time <paramref name="t"/>, <paramref name="state"/> being the state at the root:
    /// z_j := 0, then a crossing is decided from the surface forces there and a sliding exit from the function that fired. Updates
    /// <paramref name="modes"/> and returns the event.
    /// </summary>
    public static HeatEvent Apply(HeatEquation equation, double t, double[] state, UnitMode[] modes, int unit, SwitchFunction fired)
    {
        state[equation.SwitchingFreeIndices[unit]] = 0.0;
        UnitMode mode;
        HeatEventKind kind;
        if (fired == SwitchFunction.Crossing)
        {
            equation.SurfaceForces(state, modes, unit, out double f0, out double f1);
            (mode, kind) = SurfaceDecision.Classify(f0, f1, modes[unit]);
        }
        else
        {
            // The piecewise flows track w_j and w_j + a_j as two functions and know which one fired; re-deciding from the forces at
            // the root would agree except when both vanish together, and cost a surface evaluation.
            (mode, kind) = SurfaceDecision.Exit(fired);
        }
        modes[unit] = mode;
        return Event(equation, t, unit, kind, mode);
    }
}

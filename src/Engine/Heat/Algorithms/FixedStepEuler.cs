namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// The authors' discretisation: forward Euler c ← c + dt·Force(c) with masks from the state, stopped by a <see cref="ChangeStop"/>
/// when the problem has one (the same arithmetic and step counts as <see cref="AuthorsEuler.Run"/>). Switches are sign changes
/// between steps.
/// </summary>
/// <param name="Dt">The step.</param>
public sealed record FixedStepEuler(double Dt = 0.01) : HeatAlgorithm
{
    /// <summary>The observer sees every k-th step (and the last).</summary>
    public int SampleEvery { get; init; } = 1;

    /// <inheritdoc/>
    public override string Name => $"authors' Euler, dt = {Dt:g4}";

    /// <inheritdoc/>
    public override void Validate()
    {
        CheckPositive(Dt, nameof(Dt));
        if (SampleEvery < 1) throw new ArgumentException($"{nameof(SampleEvery)} must be at least 1 (got {SampleEvery}).", nameof(SampleEvery));
    }

    /// <inheritdoc/>
    public override string? Unsupported(HeatProblem problem) => null;

    internal override HeatSolution Run(HeatRun run, ReadOnlySpan<double> initial) => EulerHeatRun.Run(run, initial, this);
}

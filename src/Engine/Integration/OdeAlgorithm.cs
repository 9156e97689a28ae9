namespace ResidualSheaf.Engine.Integration;

/// <summary>An integration method (the "algorithm" of problem/algorithm/solution); creates its stepper per solve.</summary>
public abstract class OdeAlgorithm
{
    /// <summary>Short method name.</summary>
    public abstract string Name { get; }

    /// <summary>Order of the propagated solution.</summary>
    public abstract int Order { get; }

    internal abstract Stepper CreateStepper(OdeProblem problem, OdeStatistics stats);

    /// <inheritdoc/>
    public override string ToString() => Name;
}

namespace ResidualSheaf.Engine.Integration;

/// <summary>Bogacki–Shampine 3(2): adaptive, FSAL, cubic Hermite dense output (MATLAB ode23 / SciPy RK23).</summary>
public sealed class BogackiShampine32 : OdeAlgorithm
{
    internal static readonly double[] C = [0, 1.0 / 2, 3.0 / 4, 1];
    internal static readonly double[][] A = [[], [1.0 / 2], [0, 3.0 / 4]];
    internal static readonly double[] B = [2.0 / 9, 1.0 / 3, 4.0 / 9];

    /// <summary>Error weights over stages 1..4 (third minus second order solution).</summary>
    internal static readonly double[] E = [5.0 / 72, -1.0 / 12, -1.0 / 9, 1.0 / 8];

    /// <inheritdoc/>
    public override string Name => "BS3";

    /// <inheritdoc/>
    public override int Order => 3;

    internal override Stepper CreateStepper(OdeProblem problem, OdeStatistics stats) => new Bs3Stepper(problem.Dimension, problem.Rhs, stats);

    private sealed class Bs3Stepper(int n, OdeRhs rhs, OdeStatistics stats) : ExplicitRkStepper(n, rhs, stats, C, A, B)
    {
        private readonly HermiteSegment _dense = new(n);

        public override int Order => 3;

        protected override DenseSegment CurrentSegment => _dense;

        protected override double EstimateError(double h) => EmbeddedError(h, E);

        protected override void BuildDense() => _dense.Set(TOld, T, YOld, Y, FOld, F);
    }
}

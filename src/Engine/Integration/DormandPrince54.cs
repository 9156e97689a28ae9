namespace ResidualSheaf.Engine.Integration;

/// <summary>Dormand–Prince 5(4) (DOPRI5): FSAL, PI step-size control, Hairer's initial step, 4th-order dense output of the 5th-order solution.</summary>
public sealed class DormandPrince54 : OdeAlgorithm
{
    internal static readonly double[] C = [0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1];

    internal static readonly double[][] A =
    [
        [],
        [1.0 / 5],
        [3.0 / 40, 9.0 / 40],
        [44.0 / 45, -56.0 / 15, 32.0 / 9],
        [19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729],
        [9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656],
    ];

    internal static readonly double[] B = [35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84];

    /// <summary>Error weights over stages 1..7 (5th minus embedded 4th order).</summary>
    internal static readonly double[] E = [-71.0 / 57600, 0, 71.0 / 16695, -71.0 / 1920, 17253.0 / 339200, -22.0 / 525, 1.0 / 40];

    /// <summary>Dense output weights d_j (Hairer's contd5, Shampine's 1986 continuous extension).</summary>
    internal static readonly double[] D =
    [
        -12715105075.0 / 11282082432, 0, 87487479700.0 / 32700410799, -10690763975.0 / 1880347072,
        701980252875.0 / 199316789632, -1453857185.0 / 822651844, 69997945.0 / 29380423,
    ];

    /// <summary>PI controller β (Hairer's DOPRI5 default 0.04).</summary>
    public double Beta { get; init; } = 0.04;

    /// <inheritdoc/>
    public override string Name => "DP5";

    /// <inheritdoc/>
    public override int Order => 5;

    internal override Stepper CreateStepper(OdeProblem problem, OdeStatistics stats) => new Dp5Stepper(problem.Dimension, problem.Rhs, stats, Beta);

    private sealed class Dp5Stepper(int n, OdeRhs rhs, OdeStatistics stats, double beta) : ExplicitRkStepper(n, rhs, stats, C, A, B)
    {
        private readonly AlternatingPolySegment _dense = new(n, 4);

        public override int Order => 5;

        public override double Beta => beta;

        protected override DenseSegment CurrentSegment => _dense;

        protected override double EstimateError(double h) => EmbeddedError(h, E);

        protected override void BuildDense()
        {
            double h = T - TOld;
            _dense.T0 = TOld;
            _dense.H = h;
            _dense.Start = TOld;
            _dense.End = T;
            double[] y0 = YOld, y1 = Y, k1 = FOld, k7 = F;
            double[] r1 = _dense.R[0], r2 = _dense.R[1], r3 = _dense.R[2], r4 = _dense.R[3];
            double[] k3 = AcceptedStage(2), k4 = AcceptedStage(3), k5 = AcceptedStage(4), k6 = AcceptedStage(5);
            for (int i = 0; i < N; i++)
            {
                double ydiff = y1[i] - y0[i];
                double bspl = (h * k1[i]) - ydiff;
                _dense.Y0[i] = y0[i];
                r1[i] = ydiff;
                r2[i] = bspl;
                r3[i] = ydiff - (h * k7[i]) - bspl;
                r4[i] = h * ((D[0] * k1[i]) + (D[2] * k3[i]) + (D[3] * k4[i]) + (D[4] * k5[i]) + (D[5] * k6[i]) + (D[6] * k7[i]));
            }
        }
    }
}

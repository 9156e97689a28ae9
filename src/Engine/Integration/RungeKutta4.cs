namespace ResidualSheaf.Engine.Integration;

/// <summary>Classical fourth-order Runge–Kutta with a fixed step (cubic Hermite dense output).</summary>
/// <param name="dt">Step size (positive).</param>
public sealed class RungeKutta4(double dt) : OdeAlgorithm
{
    /// <summary>Step size.</summary>
    public double Dt { get; } = double.IsFinite(dt) && dt > 0 ? dt : throw new ArgumentException($"dt must be positive and finite (got {dt}).", nameof(dt));

    /// <inheritdoc/>
    public override string Name => "RK4";

    /// <inheritdoc/>
    public override int Order => 4;

    internal override Stepper CreateStepper(OdeProblem problem, OdeStatistics stats) => new Rk4Stepper(problem.Dimension, problem.Rhs, stats, Dt);

    private sealed class Rk4Stepper(int n, OdeRhs rhs, OdeStatistics stats, double dt) : Stepper(n, rhs, stats)
    {
        private readonly double[] _k2 = new double[n];
        private readonly double[] _k3 = new double[n];
        private readonly double[] _k4 = new double[n];
        private readonly double[] _tmp = new double[n];
        private readonly HermiteSegment _dense = new(n);

        public override int Order => 4;

        public override bool IsAdaptive => false;

        public override double FixedStep => dt;

        protected override DenseSegment CurrentSegment => _dense;

        public override double TryStep(double tNew)
        {
            EnsureF();
            double h = tNew - T;
            double[] y = Y, f = F, tmp = _tmp;
            for (int i = 0; i < N; i++)
            {
                tmp[i] = y[i] + (0.5 * h * f[i]);
            }

            Eval(T + (0.5 * h), tmp, _k2);
            for (int i = 0; i < N; i++)
            {
                tmp[i] = y[i] + (0.5 * h * _k2[i]);
            }

            Eval(T + (0.5 * h), tmp, _k3);
            for (int i = 0; i < N; i++)
            {
                tmp[i] = y[i] + (h * _k3[i]);
            }

            Eval(tNew, tmp, _k4);
            for (int i = 0; i < N; i++)
            {
                YNew[i] = y[i] + (h / 6.0 * (f[i] + (2 * _k2[i]) + (2 * _k3[i]) + _k4[i]));
            }

            TNew = tNew;
            return 0;
        }

        protected override void OnAccept() => FValid = false;

        protected override void BuildDense()
        {
            EnsureF();
            _dense.Set(TOld, T, YOld, Y, FOld, F);
        }
    }
}

namespace ResidualSheaf.Engine.Integration;

/// <summary>Explicit Euler with a fixed step, optionally stopping when max|Δy| &lt; <see cref="StopTolerance"/> (status Converged).</summary>
public sealed class ExplicitEuler : OdeAlgorithm
{
    /// <summary>Creates the method.</summary>
    /// <param name="dt">Step size (positive).</param>
    /// <param name="stopTolerance">Optional stop rule tolerance on max|y_{n+1} − y_n|.</param>
    public ExplicitEuler(double dt, double? stopTolerance = null)
    {
        if (!double.IsFinite(dt) || dt <= 0)
        {
            throw new ArgumentException($"dt must be positive and finite (got {dt}).", nameof(dt));
        }

        if (stopTolerance is double tol && (!double.IsFinite(tol) || tol <= 0))
        {
            throw new ArgumentException($"stopTolerance must be positive and finite (got {tol}).", nameof(stopTolerance));
        }

        Dt = dt;
        StopTolerance = stopTolerance;
    }

    /// <summary>Step size.</summary>
    public double Dt { get; }

    /// <summary>Stop rule tolerance (null: integrate to the end).</summary>
    public double? StopTolerance { get; }

    /// <inheritdoc/>
    public override string Name => "Euler";

    /// <inheritdoc/>
    public override int Order => 1;

    internal override Stepper CreateStepper(OdeProblem problem, OdeStatistics stats) => new EulerStepper(problem.Dimension, problem.Rhs, stats, Dt, StopTolerance);

    private sealed class EulerStepper(int n, OdeRhs rhs, OdeStatistics stats, double dt, double? stopTol) : Stepper(n, rhs, stats)
    {
        private readonly HermiteSegment _dense = new(n);

        public override int Order => 1;

        public override bool IsAdaptive => false;

        public override double FixedStep => dt;

        protected override DenseSegment CurrentSegment => _dense;

        public override double TryStep(double tNew)
        {
            EnsureF();
            double h = tNew - T;
            for (int i = 0; i < N; i++)
            {
                YNew[i] = Y[i] + (h * F[i]);
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

        public override bool IsConverged()
        {
            if (stopTol is not double tol)
            {
                return false;
            }

            double m = 0;
            for (int i = 0; i < N; i++)
            {
                m = Math.Max(m, Math.Abs(Y[i] - YOld[i]));
            }

            return m < tol;
        }
    }
}

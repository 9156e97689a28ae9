namespace ResidualSheaf.Engine.Integration;

/// <summary>Dormand–Prince 8(5,3) (Hairer's DOP853): FSAL, 12 evaluations per step, 7th-order dense output (3 extra evaluations per step when used).</summary>
public sealed class Dop853 : OdeAlgorithm
{
    /// <inheritdoc/>
    public override string Name => "DOP853";

    /// <inheritdoc/>
    public override int Order => 8;

    internal override Stepper CreateStepper(OdeProblem problem, OdeStatistics stats) => new Dop853Stepper(problem.Dimension, problem.Rhs, stats);

    private sealed class Dop853Stepper : ExplicitRkStepper
    {
        private readonly double[] _e3;
        private readonly AlternatingPolySegment _dense;

        public Dop853Stepper(int n, OdeRhs rhs, OdeStatistics stats)
            : base(n, rhs, stats, Dop853Coefficients.C, Dop853Coefficients.A, Dop853Coefficients.B, extraStages: 3)
        {
            _e3 = new double[12];
            for (int j = 0; j < 12; j++)
            {
                _e3[j] = Dop853Coefficients.B[j] - Dop853Coefficients.Bhh[j];
            }

            _dense = new AlternatingPolySegment(n, 7);
        }

        public override int Order => 8;

        public override int ErrorOrder => 7;

        public override double MinFactor => 0.333;

        public override double MaxFactor => 6.0;

        protected override DenseSegment CurrentSegment => _dense;

        protected override double EstimateError(double h)
        {
            double[] e5 = Dop853Coefficients.E5;
            double err5 = 0, err3 = 0;
            for (int i = 0; i < N; i++)
            {
                double s5 = 0, s3 = 0;
                for (int j = 0; j < 12; j++)
                {
                    double k = K[j][i];
                    s5 += e5[j] * k;
                    s3 += _e3[j] * k;
                }

                double sc = Atol[i] + (Rtol[i] * Math.Max(Math.Abs(Y[i]), Math.Abs(YNew[i])));
                s5 /= sc;
                s3 /= sc;
                err5 += s5 * s5;
                err3 += s3 * s3;
            }

            double deno = err5 + (0.01 * err3);
            if (deno <= 0)
            {
                deno = 1;
            }

            return Math.Abs(h) * err5 / Math.Sqrt(deno * N);
        }

        protected override void BuildDense()
        {
            double h = T - TOld;
            double[][] a = Dop853Coefficients.A;
            double[] c = Dop853Coefficients.C;
            for (int s = 13; s < 16; s++)
            {
                Span<double> tmp = Tmp;
                YOld.AsSpan().CopyTo(tmp);
                for (int j = 0; j < s; j++)
                {
                    if (a[s][j] != 0)
                    {
                        Axpy(h * a[s][j], AcceptedStage(j), tmp);
                    }
                }

                Eval(TOld + (c[s] * h), tmp, K[s]);
            }

            _dense.T0 = TOld;
            _dense.H = h;
            _dense.Start = TOld;
            _dense.End = T;
            double[][] r = _dense.R;
            double[][] d = Dop853Coefficients.D;
            double[] fOld = FOld, fNew = F;
            for (int i = 0; i < N; i++)
            {
                double dy = Y[i] - YOld[i];
                _dense.Y0[i] = YOld[i];
                r[0][i] = dy;
                r[1][i] = (h * fOld[i]) - dy;
                r[2][i] = (2 * dy) - (h * (fNew[i] + fOld[i]));
                for (int q = 0; q < 4; q++)
                {
                    double[] dq = d[q];
                    double sum = 0;
                    for (int j = 0; j < 16; j++)
                    {
                        if (dq[j] != 0)
                        {
                            sum += dq[j] * AcceptedStage(j)[i];
                        }
                    }

                    r[3 + q][i] = h * sum;
                }
            }
        }
    }
}

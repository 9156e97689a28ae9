using ResidualSheaf.Engine.LinearAlgebra;

namespace ResidualSheaf.Engine.Integration;

/// <summary>
/// Rodas4 (Hairer–Wanner RODAS, order 4(3)): stiffly accurate, L-stable Rosenbrock method with 3rd-order dense output.
/// Uses the problem's Jacobian when given, forward differences otherwise; LU of I/(hγ) − J by <see cref="DenseLu"/> (bit for bit MathNet's managed LU, faster),
/// or, when J is sparse (a sheaf Laplacian: a few non-zeros per row), by <see cref="ShiftedSparseLu"/>, which gives the same numbers
/// at a cost proportional to the non-zeros and hands back to the dense factor wherever its argument for equality does not hold.
/// </summary>
public sealed class Rodas4 : OdeAlgorithm
{
    // Coefficients of Hairer's RODAS (rodas.f, ROCOE method 1), also used by OrdinaryDiffEq.jl's Rodas4.
    internal const double Gamma = 0.25;
    internal const double C2 = 0.386, C3 = 0.21, C4 = 0.63;
    internal const double D1 = 0.25, D2 = -0.1043, D3 = 0.1035, D4 = -0.0362;
    internal const double A21 = 1.544;
    internal const double A31 = 0.9466785280815826, A32 = 0.2557011698983284;
    internal const double A41 = 3.314825187068521, A42 = 2.896124015972201, A43 = 0.9986419139977817;
    internal const double A51 = 1.221224509226641, A52 = 6.019134481288629, A53 = 12.53708332932087, A54 = -0.6878860361058950;
    internal const double C21 = -5.6688;
    internal const double C31 = -2.430093356833875, C32 = -0.2063599157091915;
    internal const double C41 = -0.1073529058151375, C42 = -9.594562251023355, C43 = -20.47028614809616;
    internal const double C51 = 7.496443313967647, C52 = -10.24680431464352, C53 = -33.99990352819905, C54 = 11.70890893206160;
    internal const double C61 = 8.083246795921522, C62 = -7.981132988064893, C63 = -31.52159432874371, C64 = 16.31930543123136, C65 = -6.058818238834054;
    internal const double H21 = 10.12623508344586, H22 = -7.487995877610167, H23 = -34.80091861555747, H24 = -7.992771707568823, H25 = 1.025137723295662;
    internal const double H31 = -0.6762803392801253, H32 = 6.087714651680015, H33 = 16.43084320892478, H34 = 24.76722511418386, H35 = -6.594389125716872;

    /// <inheritdoc/>
    public override string Name => "Rodas4";

    /// <inheritdoc/>
    public override int Order => 4;

    internal override Stepper CreateStepper(OdeProblem problem, OdeStatistics stats) => new Rodas4Stepper(problem, stats);

    private sealed class Rodas4Stepper : Stepper
    {
        private readonly OdeJacobian? _jacobian;
        private readonly OdeSparseJacobian? _sparseJacobian;
        private readonly bool _autonomous;
        private readonly bool _constantJacobian;
        private readonly double[,]? _jac2d;
        private readonly double[] _jac;
        private readonly double[] _w;
        private readonly int[] _ipiv;
        private readonly double[] _dT;
        private readonly double[] _k1, _k2, _k3, _k4, _k5, _k6, _du, _u;
        private readonly RodasSegment _dense;
        private readonly double[] _luWork;
        private ShiftedSparseLu? _sparse;
        private bool _sparseLoaded;
        private bool _sparseFactored;
        private bool _denseFactored;
        private double _shift;
        private bool _jacValid;

        // With a sparse Jacobian the dense one is evaluated only when the dense factor needs it, at the (t, y) of the sparse one.
        private bool _denseJacValid;
        private double _jacT;
        private readonly double[] _jacY;

        public Rodas4Stepper(OdeProblem problem, OdeStatistics stats)
            : base(problem.Dimension, problem.Rhs, stats)
        {
            int n = problem.Dimension;
            _jacobian = problem.Jacobian;
            _sparseJacobian = problem.SparseJacobian;
            if (_sparseJacobian is not null && _jacobian is null)
                throw new ArgumentException("Rodas4: a sparse Jacobian needs the dense Jacobian too (the dense factor's fallback).", nameof(problem));
            _jacY = _sparseJacobian is null ? [] : new double[n];
            _autonomous = problem.IsAutonomous;
            _constantJacobian = problem.JacobianConstantBetweenRestarts && problem.IsAutonomous;
            _jac2d = _jacobian is null ? null : new double[n, n];
            _jac = new double[n * n];
            _w = new double[n * n];
            _ipiv = new int[n];
            _luWork = new double[2 * n];
            _dT = new double[n];
            _k1 = new double[n];
            _k2 = new double[n];
            _k3 = new double[n];
            _k4 = new double[n];
            _k5 = new double[n];
            _k6 = new double[n];
            _du = new double[n];
            _u = new double[n];
            _dense = new RodasSegment(n);
        }

        public override int Order => 4;

        public override int ErrorOrder => 3;

        public override double MinFactor => 0.2;

        public override double MaxFactor => 6.0;

        protected override DenseSegment CurrentSegment => _dense;

        protected override void OnRestart() => _jacValid = false;

        protected override void OnAccept()
        {
            // An affine f keeps its Jacobian until the next restart: re-evaluating it would give the same matrix.
            if (!_constantJacobian) _jacValid = false;
            FValid = false;
        }

        private void ComputeJacobian()
        {
            int n = N;
            Stats.Njev++;
            _sparse ??= new ShiftedSparseLu(n);
            if (_sparseJacobian is not null)
            {
                _jacT = T;
                Y.AsSpan().CopyTo(_jacY);
                _denseJacValid = false;
                _sparseLoaded = _sparse.Load(_sparseJacobian(T, Y));
                if (!_sparseLoaded) EnsureDenseJacobian();
            }
            else if (_jacobian is not null && _jac2d is not null)
            {
                DenseJacobian(T, Y);
                // The sparse factor is used only where it reproduces the dense one (Load refuses dense or non-finite Jacobians).
                _sparseLoaded = _sparse.Load(_jac);
            }
            else
            {
                Y.AsSpan().CopyTo(_u);
                for (int j = 0; j < n; j++)
                {
                    double yj = _u[j];
                    double delta = Math.Sqrt(1e-16 * Math.Max(1e-5, Math.Abs(yj)));
                    _u[j] = yj + delta;
                    delta = _u[j] - yj;
                    Eval(T, _u, _du);
                    _u[j] = yj;
                    for (int i = 0; i < n; i++)
                    {
                        _jac[(j * n) + i] = (_du[i] - F[i]) / delta;
                    }
                }

                _sparseLoaded = _sparse.Load(_jac);
            }

            if (_autonomous)
            {
                Array.Clear(_dT);
            }
            else
            {
                double delta = Math.Sqrt(2.2e-16) * Math.Max(1e-5, Math.Abs(T));
                double tp = T + delta;
                delta = tp - T;
                Eval(tp, Y, _du);
                for (int i = 0; i < n; i++)
                {
                    _dT[i] = (_du[i] - F[i]) / delta;
                }
            }
        }

        private void DenseJacobian(double t, double[] y)
        {
            int n = N;
            _jacobian!(t, y, _jac2d!);
            for (int j = 0; j < n; j++)
            {
                for (int i = 0; i < n; i++)
                {
                    _jac[(j * n) + i] = _jac2d![i, j];
                }
            }
        }

        private void EnsureDenseJacobian()
        {
            if (_sparseJacobian is null || _denseJacValid) return;
            DenseJacobian(_jacT, _jacY);
            _denseJacValid = true;
        }

        private void Solve(double[] b)
        {
            if (_sparseFactored && _sparse!.Solve(b)) return;
            FactorDense();
            DenseLu.Solve(_w, N, _ipiv, b);
        }

        // W = I/(hγ) − J and its dense LU, once per step attempt (also the fallback of a sparse solve that refused its input).
        private void FactorDense()
        {
            if (_denseFactored) return;
            EnsureDenseJacobian();
            int n = N;
            for (int k = 0; k < _w.Length; k++)
            {
                _w[k] = -_jac[k];
            }

            for (int i = 0; i < n; i++)
            {
                _w[(i * n) + i] += _shift;
            }

            DenseLu.Factor(_w, n, _ipiv, _luWork);
            _denseFactored = true;
        }

        public override double TryStep(double tNew)
        {
            EnsureF();
            if (!_jacValid)
            {
                ComputeJacobian();
                _jacValid = true;
            }

            int n = N;
            double h = tNew - T;
            double inv = 1.0 / (h * Gamma);
            _shift = inv;
            _denseFactored = false;
            _sparseFactored = _sparseLoaded && _sparse!.Factor(inv);
            if (!_sparseFactored) FactorDense();
            Stats.Nlu++;

            double[] y = Y, f = F, dT = _dT, u = _u, du = _du;
            double[] k1 = _k1, k2 = _k2, k3 = _k3, k4 = _k4, k5 = _k5, k6 = _k6;
            double hd1 = h * D1, hd2 = h * D2, hd3 = h * D3, hd4 = h * D4;
            double ih = 1.0 / h;

            for (int i = 0; i < n; i++)
            {
                k1[i] = f[i] + (hd1 * dT[i]);
            }

            Solve(k1);

            for (int i = 0; i < n; i++)
            {
                u[i] = y[i] + (A21 * k1[i]);
            }

            Eval(T + (C2 * h), u, du);
            for (int i = 0; i < n; i++)
            {
                k2[i] = du[i] + (hd2 * dT[i]) + (ih * C21 * k1[i]);
            }

            Solve(k2);

            for (int i = 0; i < n; i++)
            {
                u[i] = y[i] + (A31 * k1[i]) + (A32 * k2[i]);
            }

            Eval(T + (C3 * h), u, du);
            for (int i = 0; i < n; i++)
            {
                k3[i] = du[i] + (hd3 * dT[i]) + (ih * ((C31 * k1[i]) + (C32 * k2[i])));
            }

            Solve(k3);

            for (int i = 0; i < n; i++)
            {
                u[i] = y[i] + (A41 * k1[i]) + (A42 * k2[i]) + (A43 * k3[i]);
            }

            Eval(T + (C4 * h), u, du);
            for (int i = 0; i < n; i++)
            {
                k4[i] = du[i] + (hd4 * dT[i]) + (ih * ((C41 * k1[i]) + (C42 * k2[i]) + (C43 * k3[i])));
            }

            Solve(k4);

            for (int i = 0; i < n; i++)
            {
                u[i] = y[i] + (A51 * k1[i]) + (A52 * k2[i]) + (A53 * k3[i]) + (A54 * k4[i]);
            }

            Eval(tNew, u, du);
            for (int i = 0; i < n; i++)
            {
                k5[i] = du[i] + (ih * ((C51 * k1[i]) + (C52 * k2[i]) + (C53 * k3[i]) + (C54 * k4[i])));
            }

            Solve(k5);

            for (int i = 0; i < n; i++)
            {
                u[i] += k5[i];
            }

            Eval(tNew, u, du);
            for (int i = 0; i < n; i++)
            {
                k6[i] = du[i] + (ih * ((C61 * k1[i]) + (C62 * k2[i]) + (C63 * k3[i]) + (C64 * k4[i]) + (C65 * k5[i])));
            }

            Solve(k6);

            for (int i = 0; i < n; i++)
            {
                YNew[i] = u[i] + k6[i];
            }

            TNew = tNew;
            return ErrorNorm(k6);
        }

        protected override void BuildDense()
        {
            _dense.T0 = TOld;
            _dense.H = T - TOld;
            _dense.Start = TOld;
            _dense.End = T;
            for (int i = 0; i < N; i++)
            {
                _dense.Y0[i] = YOld[i];
                _dense.Y1[i] = Y[i];
                _dense.P1[i] = (H21 * _k1[i]) + (H22 * _k2[i]) + (H23 * _k3[i]) + (H24 * _k4[i]) + (H25 * _k5[i]);
                _dense.P2[i] = (H31 * _k1[i]) + (H32 * _k2[i]) + (H33 * _k3[i]) + (H34 * _k4[i]) + (H35 * _k5[i]);
            }
        }
    }

    /// <summary>Rodas dense output y(θ) = (1−θ) y0 + θ (y1 + (1−θ)(P1 + θ P2)).</summary>
    private sealed class RodasSegment : DenseSegment
    {
        public RodasSegment(int n)
        {
            Y0 = new double[n];
            Y1 = new double[n];
            P1 = new double[n];
            P2 = new double[n];
        }

        public double T0 { get; set; }

        public double H { get; set; }

        public double[] Y0 { get; }

        public double[] Y1 { get; }

        public double[] P1 { get; }

        public double[] P2 { get; }

        public override void Evaluate(double t, Span<double> y)
        {
            double th = (t - T0) / H;
            double th1 = 1 - th;
            for (int i = 0; i < y.Length; i++)
            {
                y[i] = (th1 * Y0[i]) + (th * (Y1[i] + (th1 * (P1[i] + (th * P2[i])))));
            }
        }

        public override DenseSegment Clone()
        {
            var c = new RodasSegment(Y0.Length) { T0 = T0, H = H, Start = Start, End = End };
            Y0.AsSpan().CopyTo(c.Y0);
            Y1.AsSpan().CopyTo(c.Y1);
            P1.AsSpan().CopyTo(c.P1);
            P2.AsSpan().CopyTo(c.P2);
            return c;
        }
    }
}

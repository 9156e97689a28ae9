namespace ResidualSheaf.Engine.Integration;

/// <summary>
/// RKC (Sommeijer, Shampine &amp; Verwer 1997): second-order, damped s-stage Runge–Kutta–Chebyshev for stiff problems whose
/// Jacobian has its eigenvalues close to the negative real axis (diffusion, gradient flows). The number of stages grows like
/// √(hρ), so stiffness costs √ρ evaluations per unit time instead of ρ, with no Jacobian and no linear algebra.
/// </summary>
/// <remarks>
/// ρ (the spectral radius of ∂f/∂y) comes from <see cref="OdeProblem.SpectralRadius"/> when given, else from RKC's nonlinear power
/// method on f (warm-started with the last eigenvector, ×1.2 for safety), refreshed every <see cref="SpectralRadiusInterval"/>
/// accepted steps and after a rejection. Error estimate and stage count follow the authors' rkc.f; dense output is cubic Hermite.
/// </remarks>
public sealed class Rkc : OdeAlgorithm
{
    /// <summary>Accepted steps between two estimates of ρ (rkc.f: 25).</summary>
    public int SpectralRadiusInterval { get; init; } = 25;

    /// <inheritdoc/>
    public override string Name => "RKC";

    /// <inheritdoc/>
    public override int Order => 2;

    internal override Stepper CreateStepper(OdeProblem problem, OdeStatistics stats)
    {
        if (SpectralRadiusInterval < 1)
            throw new ArgumentException($"SpectralRadiusInterval must be at least 1 (got {SpectralRadiusInterval}).", nameof(SpectralRadiusInterval));
        return new RkcStepper(problem.Dimension, problem.Rhs, stats, problem.SpectralRadius, SpectralRadiusInterval);
    }

    private sealed class RkcStepper(int n, OdeRhs rhs, OdeStatistics stats, OdeSpectralRadius? spectralRadius, int interval)
        : Stepper(n, rhs, stats)
    {
        // ε = 2/13 damping: stability interval ≈ 0.653 s², hence s = 1 + ⌊√(1 + 1.54 hρ)⌋ (rkc.f).
        private const double Damping = 2.0 / 13.0;
        private const double StageFactor = 1.54;
        private const double Eps = 2.220446049250313e-16;
        private const int PowerIterations = 50;

        private readonly double[] _b1 = new double[n];
        private readonly double[] _b2 = new double[n];
        private readonly double[] _b3 = new double[n];
        private readonly double[] _fStage = new double[n];
        private readonly double[] _fNew = new double[n];
        private readonly double[] _err = new double[n];
        private readonly double[] _v = new double[n];
        private readonly double[] _fv = new double[n];
        private readonly double[] _eigen = new double[n];
        private readonly HermiteSegment _dense = new(n);
        private bool _haveEigen;
        private double _rho = double.NaN;
        private int _acceptedSinceRho;
        private bool _rhoSinceAccept;
        private bool _attemptPending;
        private int _maxStages;

        public override int Order => 2;

        public override int ErrorOrder => 2;

        public override double Safety => 0.8;

        public override double MinFactor => 0.1;

        public override double MaxFactor => 10.0;

        protected override DenseSegment CurrentSegment => _dense;

        /// <summary>Spectral radius in use (NaN before the first step).</summary>
        public double SpectralRadius => _rho;

        public override double StableStepLimit()
        {
            RefreshSpectralRadius();
            if (_maxStages == 0)
            {
                // Roundoff in the Chebyshev recursion grows like s²u: rkc.f keeps s ≤ √(rtol / 10u).
                double rtol = double.PositiveInfinity;
                foreach (double r in Rtol) rtol = Math.Min(rtol, r);
                _maxStages = Math.Max(2, (int)Math.Round(Math.Sqrt(Math.Max(rtol, Eps) / (10 * Eps))));
            }

            return _rho > 0 ? ((((double)_maxStages * _maxStages) - 1) / (StageFactor * _rho)) : double.PositiveInfinity;
        }

        public override double TryStep(double tNew)
        {
            EnsureF();
            RefreshSpectralRadius();
            _attemptPending = true;
            double h = tNew - T;
            int s = 1 + (int)Math.Sqrt(1 + (StageFactor * Math.Abs(h) * _rho));
            if (_maxStages > 0) s = Math.Min(s, _maxStages);
            ChebyshevStages(h, s);
            TNew = tNew;
            Eval(tNew, YNew, _fNew);

            // rkc.f's estimate (1/15)(12(yₙ − yₙ₊₁) + 6h(fₙ + fₙ₊₁)) of the local error.
            double[] y = Y, yNew = YNew, f = F, fNew = _fNew, err = _err;
            for (int i = 0; i < N; i++) err[i] = (0.8 * (y[i] - yNew[i])) + (0.4 * h * (f[i] + fNew[i]));
            return ErrorNorm(err);
        }

        private void ChebyshevStages(double h, int s)
        {
            double w0m1 = Damping / ((double)s * s);
            double w0 = 1 + w0m1;
            double temp1 = w0m1 * (w0 + 1);
            double temp2 = Math.Sqrt(temp1);
            double arg = s * Math.Log(w0 + temp2);
            double w1 = Math.Sinh(arg) * temp1 / ((Math.Cosh(arg) * s * temp2) - (w0 * Math.Sinh(arg)));
            double bjm1 = 1 / (4 * w0 * w0);
            double bjm2 = bjm1;
            double[] y0 = Y, f0 = F;
            double[] yjm2 = y0, yjm1 = _b1, next = _b2, spare = _b3;
            double mus = w1 * bjm1;
            for (int i = 0; i < N; i++) yjm1[i] = y0[i] + (h * mus * f0[i]);
            double thjm2 = 0, thjm1 = mus;
            double zjm1 = w0, zjm2 = 1, dzjm1 = 1, dzjm2 = 0, d2zjm1 = 0, d2zjm2 = 0;
            for (int j = 2; j <= s; j++)
            {
                double zj = (2 * w0 * zjm1) - zjm2;
                double dzj = (2 * w0 * dzjm1) - dzjm2 + (2 * zjm1);
                double d2zj = (2 * w0 * d2zjm1) - d2zjm2 + (4 * dzjm1);
                double bj = d2zj / (dzj * dzj);
                double ajm1 = 1 - (zjm1 * bjm1);
                double mu = 2 * w0 * bj / bjm1;
                double nu = -bj / bjm2;
                double musj = mu * w1 / w0;
                Eval(T + (h * thjm1), yjm1, _fStage);
                double[] target = j == s ? YNew : next;
                double c0 = 1 - mu - nu, hm = h * musj, hma = hm * ajm1;
                double[] fs = _fStage;
                for (int i = 0; i < N; i++)
                    target[i] = (mu * yjm1[i]) + (nu * yjm2[i]) + (c0 * y0[i]) + (hm * fs[i]) - (hma * f0[i]);
                double thj = (mu * thjm1) + (nu * thjm2) + (musj * (1 - ajm1));
                if (j == s) break;
                double[] freed = yjm2;
                yjm2 = yjm1;
                yjm1 = next;
                next = ReferenceEquals(freed, y0) ? spare : freed;
                (thjm2, thjm1) = (thjm1, thj);
                (bjm2, bjm1) = (bjm1, bj);
                (zjm2, zjm1) = (zjm1, zj);
                (dzjm2, dzjm1) = (dzjm1, dzj);
                (d2zjm2, d2zjm1) = (d2zjm1, d2zj);
            }
        }

        private void RefreshSpectralRadius()
        {
            // A rejected attempt (a second TryStep without Accept) re-estimates once, as rkc.f does.
            bool rejected = _attemptPending && !_rhoSinceAccept;
            if (!double.IsNaN(_rho) && _acceptedSinceRho < interval && !rejected) return;
            EnsureF();
            _rho = spectralRadius is not null ? Math.Abs(spectralRadius(T, Y)) : PowerMethod();
            _acceptedSinceRho = 0;
            _rhoSinceAccept = true;
        }

        /// <summary>rkc.f's rkcrho: power iteration on v ↦ f(t, yₙ + v) − f(t, yₙ) with ‖v‖ = √u‖yₙ‖, ×1.2.</summary>
        private double PowerMethod()
        {
            double[] y = Y, f = F, v = _v, fv = _fv;
            ReadOnlySpan<double> guess = _haveEigen ? _eigen : f;
            double ynrm = Norm(y), vnrm = Norm(guess);
            double dynrm;
            if (ynrm != 0 && vnrm != 0)
            {
                dynrm = ynrm * Math.Sqrt(Eps);
                for (int i = 0; i < N; i++) v[i] = y[i] + (guess[i] * (dynrm / vnrm));
            }
            else if (ynrm != 0)
            {
                dynrm = ynrm * Math.Sqrt(Eps);
                for (int i = 0; i < N; i++) v[i] = y[i] + (y[i] * Math.Sqrt(Eps));
            }
            else if (vnrm != 0)
            {
                dynrm = Eps;
                for (int i = 0; i < N; i++) v[i] = guess[i] * (dynrm / vnrm);
            }
            else
            {
                dynrm = Eps;
                Array.Fill(v, dynrm);
            }

            double sigma = 0, largest = 0;
            for (int iter = 1; iter <= PowerIterations; iter++)
            {
                Eval(T, v, fv);
                double dfnrm = 0;
                for (int i = 0; i < N; i++) dfnrm += (fv[i] - f[i]) * (fv[i] - f[i]);
                dfnrm = Math.Sqrt(dfnrm);
                double sigmaOld = sigma;
                sigma = dfnrm / dynrm;
                largest = Math.Max(largest, sigma);
                if (iter >= 2 && Math.Abs(sigma - sigmaOld) <= 0.01 * Math.Max(sigma, 1e-300))
                {
                    for (int i = 0; i < N; i++) _eigen[i] = v[i] - y[i];
                    _haveEigen = true;
                    return 1.2 * sigma;
                }

                if (dfnrm != 0)
                {
                    for (int i = 0; i < N; i++) v[i] = y[i] + ((fv[i] - f[i]) * (dynrm / dfnrm));
                }
                else
                {
                    // f did not change: perturb one component and go on (rkc.f).
                    int k = iter % N;
                    v[k] = y[k] - (v[k] - y[k]);
                }
            }

            // No convergence in 50 iterations: the largest Rayleigh-like quotient seen, with the safety factor; error control guards the rest.
            return 1.2 * largest;
        }

        private static double Norm(ReadOnlySpan<double> x)
        {
            double s = 0;
            foreach (double v in x) s += v * v;
            return Math.Sqrt(s);
        }

        protected override void OnAccept()
        {
            _fNew.AsSpan().CopyTo(F);
            FValid = true;
            _attemptPending = false;
            _rhoSinceAccept = false;
            _acceptedSinceRho++;
        }

        protected override void OnRestart() => _attemptPending = false;

        protected override void BuildDense() => _dense.Set(TOld, T, YOld, Y, FOld, F);
    }
}

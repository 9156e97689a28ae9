using System.Numerics;
using System.Runtime.InteropServices;

namespace ResidualSheaf.Engine.Integration;

/// <summary>
/// Tsitouras 5(4) (Tsitouras 2011, "Runge–Kutta pairs of order 5(4) satisfying only the first column simplifying assumption"; the
/// default method of DifferentialEquations.jl): 7 stages, FSAL (6 evaluations per step), PI step-size control, Hairer's initial
/// step, Tsitouras' 4th-order dense output of the 5th-order solution (free: built from the step's stages).
/// </summary>
/// <remarks>
/// Coefficients as in OrdinaryDiffEq.jl's <c>Tsit5ConstantCache</c> / <c>Tsit5Interp</c> (Float64 values). Compared with
/// <see cref="DormandPrince54"/> the pair has smaller principal error coefficients of the 5th-order solution, so it usually needs
/// fewer steps at the same tolerance.
/// </remarks>
public sealed class Tsit5 : OdeAlgorithm
{
    internal static readonly double[] C = [0, 0.161, 0.327, 0.9, 0.9800255409045097, 1];

    internal static readonly double[][] A =
    [
        [],
        [0.161],
        [-0.008480655492356989, 0.335480655492357],
        [2.8971530571054935, -6.359448489975075, 4.3622954328695815],
        [5.325864828439257, -11.748883564062828, 7.4955393428898365, -0.09249506636175525],
        [5.86145544294642, -12.92096931784711, 8.159367898576159, -0.071584973281401, -0.028269050394068383],
    ];

    /// <summary>Weights of the 5th-order solution (the FSAL 7th row a_7j; b_7 = 0).</summary>
    internal static readonly double[] B =
        [0.09646076681806523, 0.01, 0.4798896504144996, 1.379008574103742, -3.290069515436081, 2.324710524099774];

    /// <summary>Error weights over stages 1..7 (embedded 4th-order minus 5th-order weights, OrdinaryDiffEq's btilde).</summary>
    internal static readonly double[] E =
    [
        -0.00178001105222577714, -0.0008164344596567469, 0.007880878010261995, -0.1447110071732629, 0.5823571654525552,
        -0.45808210592918697, 1.0 / 66,
    ];

    /// <summary>
    /// Dense output: b_j(θ) = Σ_m R[m][j] θ^(m+1) over stages j = 1..7 (R[0] is θ¹: only stage 1, with weight 1), so that
    /// y(t0 + θh) = y0 + h Σ_j b_j(θ) k_j and b_j(1) = b_j.
    /// </summary>
    internal static readonly double[][] R =
    [
        [1.0, 0, 0, 0, 0, 0, 0],
        [-2.763706197274826, 0.13169999999999998, 3.9302962368947516, -12.411077166933676, 37.50931341651104, -27.896526289197286, 1.5],
        [2.9132554618219126, -0.2234, -5.941033872131505, 30.33818863028232, -88.1789048947664, 65.09189467479366, -4],
        [-1.0530884977290216, 0.1017, 2.490627285651253, -16.548102889244902, 47.37952196281928, -34.87065786149661, 2.5],
    ];

    /// <summary>PI controller β (DifferentialEquations.jl's default for Tsit5: β₂ = 2/25, i.e. β₁ = 1/5 − 3β₂/4 = 0.14).</summary>
    public double Beta { get; init; } = 0.08;

    /// <inheritdoc/>
    public override string Name => "Tsit5";

    /// <inheritdoc/>
    public override int Order => 5;

    internal override Stepper CreateStepper(OdeProblem problem, OdeStatistics stats) => new Tsit5Stepper(problem.Dimension, problem.Rhs, stats, Beta);

    private sealed class Tsit5Stepper(int n, OdeRhs rhs, OdeStatistics stats, double beta) : ExplicitRkStepper(n, rhs, stats, C, A, B)
    {
        private readonly PowerSegment _dense = new(n);

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
            double[] k1 = FOld, k2 = AcceptedStage(1), k3 = AcceptedStage(2), k4 = AcceptedStage(3);
            double[] k5 = AcceptedStage(4), k6 = AcceptedStage(5), k7 = F;
            double[] r2 = R[1], r3 = R[2], r4 = R[3];
            double[] q1 = _dense.Q1, q2 = _dense.Q2, q3 = _dense.Q3, q4 = _dense.Q4;
            YOld.AsSpan().CopyTo(_dense.Y0);
            for (int i = 0; i < N; i++)
            {
                double a1 = k1[i], a2 = k2[i], a3 = k3[i], a4 = k4[i], a5 = k5[i], a6 = k6[i], a7 = k7[i];
                q1[i] = h * a1;
                q2[i] = h * ((r2[0] * a1) + (r2[1] * a2) + (r2[2] * a3) + (r2[3] * a4) + (r2[4] * a5) + (r2[5] * a6) + (r2[6] * a7));
                q3[i] = h * ((r3[0] * a1) + (r3[1] * a2) + (r3[2] * a3) + (r3[3] * a4) + (r3[4] * a5) + (r3[5] * a6) + (r3[6] * a7));
                q4[i] = h * ((r4[0] * a1) + (r4[1] * a2) + (r4[2] * a3) + (r4[3] * a4) + (r4[4] * a5) + (r4[5] * a6) + (r4[6] * a7));
            }
        }
    }

    /// <summary>y(θ) = Y0 + θ(Q1 + θ(Q2 + θ(Q3 + θ Q4))), θ = (t − T0)/H: the interpolant in power form, evaluated by Horner.</summary>
    private sealed class PowerSegment : DenseSegment
    {
        public PowerSegment(int n)
        {
            Y0 = new double[n];
            Q1 = new double[n];
            Q2 = new double[n];
            Q3 = new double[n];
            Q4 = new double[n];
        }

        public double T0 { get; set; }

        public double H { get; set; }

        public double[] Y0 { get; }

        public double[] Q1 { get; }

        public double[] Q2 { get; }

        public double[] Q3 { get; }

        public double[] Q4 { get; }

        public override void Evaluate(double t, Span<double> y)
        {
            double th = (t - T0) / H;
            int i = 0;
            if (Vector.IsHardwareAccelerated && y.Length >= Vector<double>.Count)
            {
                // Event location interpolates the whole state at every sample; lanes repeat the scalar expression's operations in order.
                var vy = MemoryMarshal.Cast<double, Vector<double>>(y);
                var y0 = MemoryMarshal.Cast<double, Vector<double>>(Y0.AsSpan(0, y.Length));
                var q1 = MemoryMarshal.Cast<double, Vector<double>>(Q1.AsSpan(0, y.Length));
                var q2 = MemoryMarshal.Cast<double, Vector<double>>(Q2.AsSpan(0, y.Length));
                var q3 = MemoryMarshal.Cast<double, Vector<double>>(Q3.AsSpan(0, y.Length));
                var q4 = MemoryMarshal.Cast<double, Vector<double>>(Q4.AsSpan(0, y.Length));
                Vector<double> vth = new(th);
                for (int k = 0; k < vy.Length; k++)
                {
                    vy[k] = y0[k] + (vth * (q1[k] + (vth * (q2[k] + (vth * (q3[k] + (vth * q4[k])))))));
                }

                i = vy.Length * Vector<double>.Count;
            }

            for (; i < y.Length; i++)
            {
                y[i] = Y0[i] + (th * (Q1[i] + (th * (Q2[i] + (th * (Q3[i] + (th * Q4[i])))))));
            }
        }

        public override DenseSegment Clone()
        {
            var c = new PowerSegment(Y0.Length) { T0 = T0, H = H, Start = Start, End = End };
            Y0.AsSpan().CopyTo(c.Y0);
            Q1.AsSpan().CopyTo(c.Q1);
            Q2.AsSpan().CopyTo(c.Q2);
            Q3.AsSpan().CopyTo(c.Q3);
            Q4.AsSpan().CopyTo(c.Q4);
            return c;
        }
    }
}

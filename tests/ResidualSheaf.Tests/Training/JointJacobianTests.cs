using ResidualSheaf.Engine.Integration;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Graph;

namespace ResidualSheaf.Tests.Training;

/// <summary>
/// The joint Jacobian rodas4 uses: every column against central finite differences of the right-hand side (MLP and residual,
/// junction and chord, each head), −D⁻¹J symmetric (a Hessian), held rows zero; and rodas4 with it, integrating the joint ODE,
/// lands where dp5 at a much tighter tolerance does, as does rkc.
/// </summary>
public class JointJacobianTests
{
    [Theory]
    [MemberData(nameof(TrainingNetworks.Cases), MemberType = typeof(TrainingNetworks))]
    public void JacobianIsTheFiniteDifferenceOfTheRightHandSide(string kind, OutputHead head, SkipConstruction construction)
    {
        const double alpha = 0.7, beta = 0.3, h = 1e-6;
        var (flow, state) = TrainingNetworks.Problem(kind, head, construction, alpha, beta);
        int n = flow.StateLength;
        var jacobian = new double[n, n];
        flow.Jacobian(state, jacobian);
        var plus = new double[n];
        var minus = new double[n];
        double worst = 0, scale = 0;
        for (int j = 0; j < n; j++)
        {
            double keep = state[j];
            state[j] = keep + h;
            flow.Derivative(state, plus);
            state[j] = keep - h;
            flow.Derivative(state, minus);
            state[j] = keep;
            for (int i = 0; i < n; i++)
            {
                double fd = (plus[i] - minus[i]) / (2 * h);
                worst = Math.Max(worst, Math.Abs(jacobian[i, j] - fd));
                scale = Math.Max(scale, Math.Abs(fd));
            }
        }
        Assert.True(scale > 0.5, $"the Jacobian is nearly zero ({scale})");
        Assert.True(worst < 1e-7 * scale, $"largest difference {worst:e3} (largest entry {scale:e3})");

        // −D⁻¹J is the Hessian of the potential: symmetric on the moving coordinates; held rows (the pinned input) are zero.
        var pinned = new HashSet<int>(Enumerable.Range(flow.Input.Offset, flow.Input.Dimension));
        bool Held(int i) => i < flow.ParameterOffset && pinned.Contains(i % flow.StalkDimension);
        double D(int i) => i < flow.ParameterOffset ? alpha : beta;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                if (Held(i)) Assert.Equal(0.0, jacobian[i, j]);
                else if (!Held(j)) Assert.Equal(jacobian[i, j] / D(i), jacobian[j, i] / D(j), 1e-12);
            }
    }

    [Fact]
    public void FirstLayerParameterBlockIsMinusBetaTimesTheInputsGramMatrix()
    {
        // The pinned input x is data, so the first layer's block of J is constant: ∂Ẇ_kj/∂W_lm = −β δ_kl Σ_s x̃_j x̃_m with
        // x̃ = (x, 1) (the bias as a last column) — the matrix behind Euler's bound dt·β·λ_max(Σ x̃x̃ᵀ) < 2 (docs/training-integration.md).
        const double beta = 0.3;
        var (flow, state) = TrainingNetworks.Problem("mlp", OutputHead.Identity, beta: beta);
        var (x, _) = TrainingNetworks.Batch(TrainingNetworks.Network("mlp", OutputHead.Identity), OutputHead.Identity, 11);
        var jacobian = new double[flow.StateLength, flow.StateLength];
        flow.Jacobian(state, jacobian);
        var first = flow.Parameters[0];
        int n0 = first.Columns, p0 = flow.ParameterOffset;
        double Tilde(int s, int j) => j < n0 ? x[s * n0 + j] : 1.0;
        int Index(int k, int j) => p0 + (j < n0 ? first.WeightOffset + k * n0 + j : first.BiasOffset + k);
        for (int k = 0; k < first.Rows; k++)
            for (int j = 0; j <= n0; j++)
                for (int l = 0; l < first.Rows; l++)
                    for (int m = 0; m <= n0; m++)
                    {
                        double gram = 0;
                        for (int s = 0; s < flow.Samples; s++) gram += Tilde(s, j) * Tilde(s, m);
                        Assert.Equal(k == l ? -beta * gram : 0.0, jacobian[Index(k, j), Index(l, m)], 1e-12);
                    }
    }

    [Theory]
    [InlineData("rodas4")]
    [InlineData("rkc")]
    public void StiffMethodsOnTheJointOdeAgreeWithTightDormandPrince(string method)
    {
        var (flow, state) = TrainingNetworks.Problem("mlp", OutputHead.Identity, alpha: 1.0, beta: 0.2);
        var (reference, _) = Solve(flow, state, "dp5", 1e-11, 1e-13);
        var (result, stats) = Solve(flow, state, method, 1e-8, 1e-10);
        double worst = 0;
        for (int i = 0; i < state.Length; i++) worst = Math.Max(worst, Math.Abs(result[i] - reference[i]));
        Assert.True(worst < 1e-5, $"{method} vs dp5: largest difference {worst:e3} ({stats})");
        if (method == "rodas4") Assert.True(stats.Njev > 0 && stats.Nlu >= stats.Accepted, stats.ToString());
    }

    private static (double[] State, OdeStatistics Stats) Solve(Engine.Training.JointFlow flow, double[] state, string method, double rtol, double atol)
    {
        var problem = new OdeProblem((_, y, dy) => flow.Derivative(y, dy), state, 0, 0.5)
        {
            IsAutonomous = true,
            Jacobian = method == "rodas4" ? (_, y, j) => flow.Jacobian(y, j) : null,
        };
        var solution = Ode.Solve(problem, OdeAlgorithms.Create(method), new OdeOptions { Rtol = rtol, Atol = atol, SaveEveryStep = false, MaxSteps = 2_000_000 });
        Assert.Equal(OdeStatus.Success, solution.Status);
        return ([.. solution.FinalState], solution.Statistics);
    }
}

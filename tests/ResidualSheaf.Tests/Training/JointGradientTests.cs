using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Graph;
using static TorchSharp.torch;

namespace ResidualSheaf.Tests.Training;

/// <summary>
/// The joint right-hand side is −(α ∇_c, β ∇_θ) of the training potential: against central finite differences of the potential
/// (every weight, bias and free stalk coordinate; masks depend on stalks only, so the potential is smooth in θ), for MLP and residual
/// networks (junction and chord) under each head; and ∂E/∂W of an MLP against TorchSharp autograd of the edge energies written
/// as tensor expressions here.
/// </summary>
public class JointGradientTests
{
    [Theory]
    [MemberData(nameof(TrainingNetworks.Cases), MemberType = typeof(TrainingNetworks))]
    public void RightHandSideIsTheScaledNegativeGradient(string kind, OutputHead head, SkipConstruction construction)
    {
        const double alpha = 0.7, beta = 0.3, h = 1e-6;
        var (flow, state) = TrainingNetworks.Problem(kind, head, construction, alpha, beta);
        var f = new double[flow.StateLength];
        flow.Derivative(state, f);
        var pinned = new HashSet<int>(Enumerable.Range(flow.Input.Offset, flow.Input.Dimension));
        double worst = 0;
        int checkedCount = 0;
        for (int j = 0; j < flow.StateLength; j++)
        {
            bool isStalk = j < flow.ParameterOffset;
            if (isStalk && pinned.Contains(j % flow.StalkDimension)) { Assert.Equal(0.0, f[j]); continue; }
            double keep = state[j];
            state[j] = keep + h;
            double ep = flow.Energy(state);
            state[j] = keep - h;
            double em = flow.Energy(state);
            state[j] = keep;
            double expected = -(isStalk ? alpha : beta) * (ep - em) / (2 * h);
            worst = Math.Max(worst, Math.Abs(f[j] - expected) / Math.Max(1, Math.Abs(expected)));
            checkedCount++;
        }
        Assert.True(checkedCount > 100);
        Assert.True(worst < 1e-7, $"largest relative difference {worst:e3}");
    }

    [Fact]
    public void WeightGradientOfAnMlpMatchesAutograd()
    {
        var (flow, state) = TrainingNetworks.Problem("mlp", OutputHead.Identity, beta: 1.0);
        var f = new double[flow.StateLength];
        flow.Derivative(state, f);
        int b = flow.Samples;
        // Stalks as (dim, batch) tensors and weights with requires_grad; E = ½ Σ ‖W a + b − z‖² + ½ Σ ‖a − R(z) z‖² + ½ ‖z3 − y‖².
        using var scope = NewDisposeScope();
        Tensor Stalk(string name)
        {
            var v = flow.Sheaf.Vertex(name);
            var values = new double[v.Dimension * b];
            for (int s = 0; s < b; s++)
                for (int i = 0; i < v.Dimension; i++) values[i * b + s] = state[s * flow.StalkDimension + v.Offset + i];
            return tensor(values, [v.Dimension, b], ScalarType.Float64);
        }
        var (x, z1, a1, z2, a2, z3) = (Stalk("x"), Stalk("z1"), Stalk("a1"), Stalk("z2"), Stalk("a2"), Stalk("z3"));
        var ps = flow.Parameters;
        var w = ps.Select(p => tensor(state.AsSpan(flow.ParameterOffset + p.WeightOffset, p.Rows * p.Columns).ToArray(), [p.Rows, p.Columns], ScalarType.Float64).requires_grad_()).ToArray();
        var bias = ps.Select(p => tensor(state.AsSpan(flow.ParameterOffset + p.BiasOffset, p.Rows).ToArray(), [p.Rows, 1], ScalarType.Float64).requires_grad_()).ToArray();
        var energy = (w[0].mm(x) + bias[0] - z1).square().sum() + (w[1].mm(a1) + bias[1] - z2).square().sum() + (w[2].mm(a2) + bias[2] - z3).square().sum();
        (energy * 0.5).backward();
        double worst = 0;
        for (int l = 0; l < 3; l++)
        {
            var gw = w[l].grad!.contiguous().data<double>().ToArray();
            var gb = bias[l].grad!.contiguous().data<double>().ToArray();
            for (int k = 0; k < gw.Length; k++) worst = Math.Max(worst, Math.Abs(f[flow.ParameterOffset + ps[l].WeightOffset + k] + gw[k]));
            for (int k = 0; k < gb.Length; k++) worst = Math.Max(worst, Math.Abs(f[flow.ParameterOffset + ps[l].BiasOffset + k] + gb[k]));
        }
        Assert.True(worst < 1e-12, $"largest difference {worst:e3}");
    }
}

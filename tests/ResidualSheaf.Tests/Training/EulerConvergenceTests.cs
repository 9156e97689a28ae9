using ResidualSheaf.Engine.Integration;
using ResidualSheaf.Engine.Training;
using ResidualSheaf.Models.Graph;
using Xunit.Abstractions;

namespace ResidualSheaf.Tests.Training;

/// <summary>
/// The joint ODE integrated adaptively (Dormand–Prince 5(4) at rtol = atol = 1e−12 on the flow's right-hand side, masks
/// recomputed inside it) is the limit of the reference Euler scheme: over t ∈ [0, 0.4] the Euler error at the end falls by a
/// factor ≈ 2 per halving of dt (first order), for an MLP and a residual network.
/// </summary>
public class EulerConvergenceTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("mlp", OutputHead.Identity)]
    [InlineData("resnet", OutputHead.Sigmoid)]
    public void EulerConvergesToTheAdaptiveSolutionAtFirstOrder(string kind, OutputHead head)
    {
        const double tEnd = 0.4;
        var (flow, state0) = TrainingNetworks.Problem(kind, head, alpha: 1.0, beta: 0.5);
        var problem = new OdeProblem((_, y, dy) => flow.Derivative(y, dy), state0, 0, tEnd);
        var reference = Ode.Solve(problem, OdeAlgorithms.Create("dp5"), new OdeOptions { Rtol = 1e-12, Atol = 1e-12 });
        Assert.Equal(OdeStatus.Success, reference.Status);
        var errors = new List<double>();
        foreach (int n in new[] { 25, 50, 100, 200 })
        {
            var s = (double[])state0.Clone();
            var euler = new EulerTraining(flow, tEnd / n);
            for (int k = 0; k < n; k++) euler.Step(s);
            errors.Add(s.Zip(reference.FinalState, (a, b) => Math.Abs(a - b)).Max());
        }
        output.WriteLine($"{kind}: Euler errors at dt = {tEnd / 25}, /2, /4, /8: {string.Join(", ", errors.Select(e => e.ToString("e3")))}");
        for (int i = 1; i < errors.Count; i++)
        {
            double ratio = errors[i - 1] / errors[i];
            Assert.InRange(ratio, 1.8, 2.2);
        }
    }
}

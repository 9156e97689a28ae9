using System.Diagnostics;
using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.Integration;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Runner.Hunt;
using ResidualSheaf.Runner.Jobs;
using Xunit.Abstractions;

namespace ResidualSheaf.Tests.Heat;

/// <summary>
/// The issue's monotonicity study: random initial cochains for each construction and ReLU placement of the lab's block
/// (torch.manual_seed(42)), every integration mode. The exact piecewise flow must never raise E; every increase another mode shows
/// is classified and printed; on the junction sheaf the exact flow must reach the forward pass from every start. The default run uses 25 starts per configuration to keep the suite
/// quick; <c>RS_STUDY_STARTS=200</c> gives the issue's full study (about five minutes on two cores).
/// </summary>
public sealed class EnergyMonotonicityStudyTests(ITestOutputHelper output)
{
    private static readonly int Starts = int.TryParse(Environment.GetEnvironmentVariable("RS_STUDY_STARTS"), out int n) && n > 0 ? n : 25;

    [Trait("Category", "Slow")] // measured: among the slowest tests of a full run (./test.sh --quick leaves it out)
    [Fact]
    public void ExactFlowNeverRaisesTheEnergyAndEveryOtherIncreaseIsClassified()
    {
        var clock = Stopwatch.StartNew();
        var modes = new (string Name, TestOptions Options)[]
        {
            ("exact", new TestOptions { Method = TestMethod.ExactPiecewise }),
            ("switching-aware dp5", new TestOptions { Method = TestMethod.SwitchingAware, Algorithm = new DormandPrince54(), Rtol = 1e-10, Atol = 1e-12 }),
            ("plain dp5", new TestOptions { Method = TestMethod.Plain, Algorithm = new DormandPrince54(), Rtol = 1e-10, Atol = 1e-12, MaxSteps = 20_000 }),
            ("authors-euler", new TestOptions { Method = TestMethod.AuthorsEuler, EulerDt = 0.01, EulerTolerance = 1e-12 }),
        };
        foreach (var placement in new[] { ReluPlacement.After, ReluPlacement.Before })
        {
            var net = TorchReference.PyTorchDefault(ArchitectureSpec.Residual([new BlockSpec(3, 3, 3, false)], placement), 42);
            var x = InputSampler.Normal(1, 3, 0)[0];
            foreach (var construction in new[] { SkipConstruction.Junction, SkipConstruction.Chord })
            {
                var ns = SheafConstructor.Build(net, construction);
                var problem = ns.Problem(x);
                var target = problem.Restrict(DirichletSolver.Solve(problem, initialMasks: ns.ForwardMasks(x)).Cochain);
                var eq = new HeatEquation(problem);
                var starts = InputSampler.Normal(Starts, eq.FreeDimension, 1000);
                foreach (var (name, baseOptions) in modes)
                {
                    bool euler = baseOptions.Method == TestMethod.AuthorsEuler;
                    var options = baseOptions with
                    {
                        Target = target,
                        StopDistance = euler ? null : 1e-9,
                        EndTime = 2000,
                        ExtraRules = euler ? [] : [new PlateauStop(100, target, PlateauStop.DistanceFactor * 1e-9)],
                    };
                    int runsWithIncrease = 0, increases = 0, notSettled = 0;
                    var statuses = new Dictionary<string, int>();
                    var byCause = new Dictionary<EnergyIncreaseCause, int>();
                    double largest = 0;
                    foreach (var c0 in starts)
                    {
                        var observer = new EnergyObserver(eq);
                        var sol = TestSolve.Run(eq, c0, options, observer);
                        var found = observer.Monitor.Classify(sol.Events);
                        bool plateau = sol.Reason == StopReason.Plateau;
                        if (sol.Status != HeatStatus.Converged && !plateau) notSettled++;
                        string st = plateau ? "Plateau" : sol.Status.ToString();
                        statuses[st] = statuses.GetValueOrDefault(st) + 1;
                        if (found.Count > 0) runsWithIncrease++;
                        increases += found.Count;
                        foreach (var f in found)
                        {
                            byCause[f.Cause] = byCause.GetValueOrDefault(f.Cause) + 1;
                            largest = Math.Max(largest, f.Relative);
                        }
                    }
                    output.WriteLine($"{construction,-8} ReLU {placement,-6} {name,-20}: {runsWithIncrease,3}/{Starts} runs with an increase " +
                                     $"({increases} increases: {string.Join(", ", byCause.Select(p => $"{HeatJob.CauseName(p.Key)} {p.Value}"))}; " +
                                     $"largest relative {largest:E2}); endings {string.Join(", ", statuses.Select(p => $"{p.Key} {p.Value}"))}; not settled {notSettled}");
                    if (name != "exact") continue;
                    // Ground truth: the exact flow never raises E, and on the junction sheaf (δ_Ω unitriangular) it reaches the
                    // forward pass from every start.
                    Assert.Equal(0, increases);
                    if (construction == SkipConstruction.Junction) Assert.Equal(Starts, statuses.GetValueOrDefault(nameof(HeatStatus.Converged)));
                }
            }
        }
        output.WriteLine($"study time {clock.Elapsed.TotalSeconds:F1} s");
    }
}

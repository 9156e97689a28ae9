using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Ensembles;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.Integration;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Tests.Heat;

namespace ResidualSheaf.Tests.Ensembles;

/// <summary>The ensemble solver: same results for every thread count, resume by skipping, failures isolated, cancellation.</summary>
public sealed class EnsembleTests
{
    private static readonly NetworkSheaf Block =
        SheafConstructor.Build(TorchReference.PyTorchDefault(ArchitectureSpec.Residual([new BlockSpec(3, 3, 3, false)], ReluPlacement.After), 42));

    private static EnsembleProblem<HeatEquation, HeatSolution> Starts(int count, out double[] target)
    {
        var x = InputSampler.Normal(1, 3, 0)[0];
        var problem = Block.Problem(x);
        var forward = problem.Restrict(DirichletSolver.Solve(problem).Cochain);
        target = forward;
        var items = Enumerable.Range(0, count).Select(i => (long)i).ToArray();
        return HeatEnsemble.Create(items, () => new HeatEquation(problem),
            (k, eq) => new HeatProblem(eq, HeatReference.Normal(eq.FreeDimension, 1000 + (int)k)) { EndTime = 2000, StopRules = [new DistanceStop(forward, 1e-9)] },
            new OdeFlow(new DormandPrince54()));
    }

    private sealed class Collect<T> : IEnsembleSink<T>
    {
        public Dictionary<long, T> Results { get; } = [];

        public List<long> Order { get; } = [];

        public List<long> Failed { get; } = [];

        public List<long> Skipped { get; } = [];

        public void OnResult(long item, T result)
        {
            Results.Add(item, result);
            Order.Add(item);
        }

        public void OnFailure(long item, Exception error) => Failed.Add(item);

        public void OnSkipped(long item) => Skipped.Add(item);
    }

    [Fact]
    public void ResultsAreIdenticalForEveryThreadCountAndEachEqualsItsOwnSolve()
    {
        var problem = Starts(12, out var forward);
        var runs = new[] { 1, 2, 5 }.Select(threads =>
        {
            var sink = new Collect<HeatSolution>();
            var summary = EnsembleSolver.Solve(problem, threads, sink);
            Assert.Equal(new EnsembleSummary(12, 0, 0, false), summary);
            return sink.Results;
        }).ToArray();
        // An independent reference: each item solved alone on a fresh equation.
        var x = InputSampler.Normal(1, 3, 0)[0];
        for (long k = 0; k < 12; k++)
        {
            var eq = new HeatEquation(Block.Problem(x));
            var alone = HeatSolver.Solve(new HeatProblem(eq, HeatReference.Normal(eq.FreeDimension, 1000 + (int)k)) { EndTime = 2000, StopRules = [new DistanceStop(forward, 1e-9)] },
                new OdeFlow(new DormandPrince54()));
            foreach (var r in runs)
            {
                Assert.Equal(alone.Status, r[k].Status);
                Assert.Equal(alone.FinalState, r[k].FinalState);
                Assert.Equal(alone.FinalTime, r[k].FinalTime);
                Assert.Equal(alone.Statistics, r[k].Statistics);
                Assert.Equal(alone.Events, r[k].Events);
            }
        }
    }

    [Fact]
    public void SkippedItemsAreNotSolvedAndFailuresDoNotStopTheOthers()
    {
        var items = Enumerable.Range(0, 20).Select(i => (long)i).ToArray();
        var problem = new EnsembleProblem<int[], long>(items, () => new int[1], (k, ws, _) =>
        {
            ws[0]++;
            return k == 7 ? throw new InvalidOperationException("item 7 fails") : k * k;
        })
        { Skip = k => k % 5 == 0 };
        var sink = new Collect<long>();
        var summary = EnsembleSolver.Solve(problem, 3, sink);
        Assert.Equal(new EnsembleSummary(15, 4, 1, false), summary);
        Assert.Equal([0, 5, 10, 15], sink.Skipped.Order());
        Assert.Equal([7], sink.Failed);
        Assert.All(sink.Results, p => Assert.Equal(p.Key * p.Key, p.Value));
        Assert.DoesNotContain(7, sink.Results.Keys);
    }

    [Fact]
    public void OrderedSinkReleasesResultsInItemOrderWhateverTheFinishingOrder()
    {
        var items = Enumerable.Range(0, 40).Select(i => (long)i).ToArray();
        // Early items are slow, so with several threads they finish after later ones.
        var problem = new EnsembleProblem<object, long>(items, () => new object(), (k, _, _) =>
        {
            Thread.Sleep(k < 4 ? 30 : 1);
            return -k;
        })
        { Skip = k => k == 3 };
        var seen = new List<long>();
        var ordered = new OrderedSink<long>(items, (k, r) =>
        {
            Assert.Equal(-k, r);
            seen.Add(k);
        });
        EnsembleSolver.Solve(problem, 4, ordered);
        Assert.Equal(items.Where(k => k != 3), seen);
    }

    [Fact]
    public void CancellationStopsHandingOutItems()
    {
        using var cts = new CancellationTokenSource();
        var items = Enumerable.Range(0, 1000).Select(i => (long)i).ToArray();
        int started = 0;
        var problem = new EnsembleProblem<object, int>(items, () => new object(), (k, _, cancel) =>
        {
            if (Interlocked.Increment(ref started) == 10) cts.Cancel();
            cancel.ThrowIfCancellationRequested();
            return 0;
        });
        var sink = new Collect<int>();
        var summary = EnsembleSolver.Solve(problem, 2, sink, cts.Token);
        Assert.True(summary.Cancelled);
        Assert.True(started < 20, $"{started} items started after cancellation at the 10th");
        Assert.Empty(sink.Failed);
    }
}

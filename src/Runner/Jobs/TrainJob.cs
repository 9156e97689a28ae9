using System.Diagnostics;
using System.Text.Json.Nodes;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Engine.Training;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Onnx;
using ResidualSheaf.Models.Training;
using ResidualSheaf.Models.Weights;
using ResidualSheaf.Runner.Output;
using ResidualSheaf.Runner.Plotting;
using TorchSharp;

namespace ResidualSheaf.Runner.Jobs;

/// <summary>
/// Job train: sheaf-based training by the reference library's Euler scheme (epochs × steps, warm or cold start), then the
/// gradient-descent baseline from the same initial weights; history.csv (one flushed row per epoch), the trained weights
/// (JSON, state_dict, ONNX), summary.json and the loss and discord figures.
/// </summary>
public sealed class TrainJob : IJob
{
    /// <summary>The columns of history.csv (docs/outputs.md).</summary>
    public static readonly string[] Columns =
    [
        "method", "epoch", "step", "time", "train_loss", "test_loss", "discord_weight", "discord_relu", "discord_skip", "discord_sum",
        "discord_chord", "discord_output", "delta_w", "wall_seconds",
    ];

    /// <inheritdoc/>
    public int Run(RunContext ctx, CancellationToken cancel)
    {
        var cfg = ctx.Config;
        var t = cfg.Train!;
        var data = ctx.TrainData!;
        var net = ctx.Network!;
        double beta = t.Beta ?? 1.0 / data.TrainCount;
        var flow = TrainingSheaf.Create(net, cfg.Constructions[0], data.TrainInputs, data.TrainTargets, t.Alpha, beta);
        bool ce = flow.Head.IsClassifier;
        WeightJson.Write(ctx.Output.File("weights.json"), net, cfg.Weights.Provenance(cfg.Seed));
        var state = new double[flow.StateLength];
        flow.InitialParameters().CopyTo(state, flow.ParameterOffset);
        void Initialise(Span<double> s)
        {
            switch (t.Init)
            {
                case "random": RandomStalks.Draw(flow, s, t.InitSeed); break;
                case "zeros": StalkInitialisation.Zeros(flow, s); break;
                default: StalkInitialisation.ForwardPass(flow, s, data.TrainInputs); break;
            }
        }
        Initialise(state);

        var sheafRows = new List<(LossPoint Point, double[] Discord)>();
        var predTrain = new double[data.TrainTargets.Length];
        var predTest = new double[data.TestTargets.Length];
        var cochain = new double[flow.StalkDimension];
        var previous = state.AsSpan(flow.ParameterOffset).ToArray();
        var clock = Stopwatch.StartNew();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        using (var csv = new CsvTable(ctx.Output.File("history.csv"), Columns))
        {
            void Row(int epoch, int steps, ReadOnlySpan<double> s)
            {
                cancel.ThrowIfCancellationRequested();
                var theta = s.Slice(flow.ParameterOffset, flow.ParameterLength);
                flow.Predict(theta, data.TrainInputs, predTrain, cochain);
                flow.Predict(theta, data.TestInputs, predTest, cochain);
                double train = TrainingLoss.Of(predTrain, data.TrainTargets, data.OutputWidth, ce);
                double test = data.TestCount == 0 ? double.NaN : TrainingLoss.Of(predTest, data.TestTargets, data.OutputWidth, ce);
                var byKind = new double[Enum.GetValues<EdgeKind>().Length];
                double output = flow.Discord(s, byKind);
                double dw = 0;
                for (int i = 0; i < theta.Length; i++) dw += (theta[i] - previous[i]) * (theta[i] - previous[i]);
                theta.CopyTo(previous);
                double[] discord = [byKind[(int)EdgeKind.Weight], byKind[(int)EdgeKind.Relu], byKind[(int)EdgeKind.Skip], byKind[(int)EdgeKind.Sum],
                    byKind[(int)EdgeKind.Chord], output];
                sheafRows.Add((new LossPoint(steps, train, test), discord));
                csv.Row("sheaf", epoch, steps, steps * t.Dt, train, test, discord[0], discord[1], discord[2], discord[3], discord[4], discord[5],
                    Math.Sqrt(dw), clock.Elapsed.TotalSeconds);
            }
            Row(0, 0, state);
            var euler = new EulerTraining(flow, t.Dt);
            euler.Train(state, new TrainingSchedule(t.Epochs, t.StepsPerEpoch, t.Dt, t.WarmStart), Initialise, Row);
            double sheafWall = clock.Elapsed.TotalSeconds, sheafCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            var trained = TrainingSheaf.Trained(net, flow, state.AsSpan(flow.ParameterOffset));
            WriteWeights(ctx, trained, "trained", "sheaf training");

            var gdRows = new List<LossPoint>();
            double gdWall = 0, gdCpu = 0, lr = t.BaselineLearningRate ?? (ce ? 0.01 : 0.005);
            if (t.Baseline)
            {
                clock.Restart();
                cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                var gd = GradientDescentBaseline.Run(net, data, ce, lr, t.Epochs * t.StepsPerEpoch, t.StepsPerEpoch, p =>
                {
                    gdRows.Add(p);
                    csv.Row("gd", p.Step / t.StepsPerEpoch, p.Step, p.Step, p.TrainLoss, p.TestLoss, null, null, null, null, null, null, null,
                        clock.Elapsed.TotalSeconds);
                }, cancel);
                gdWall = clock.Elapsed.TotalSeconds;
                gdCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
                WriteWeights(ctx, gd, "gd", "gradient descent baseline");
            }
            var summary = Summary(cfg, flow, data, beta, lr, sheafRows, gdRows, (sheafWall, sheafCpu), (gdWall, gdCpu));
            Plot(ctx, sheafRows, gdRows, t.Dt);
            summary["provenance"] = Provenance.Json();
            JsonFile.Write(ctx.Output.File("summary.json"), summary);
            ctx.Log.Information("sheaf training: train loss {Train:E4}, test {Test:E4} in {Wall:F1} s; gradient descent: train {GdTrain:E4}, test {GdTest:E4} in {GdWall:F1} s",
                sheafRows[^1].Point.TrainLoss, sheafRows[^1].Point.TestLoss, sheafWall,
                gdRows.Count > 0 ? gdRows[^1].TrainLoss : double.NaN, gdRows.Count > 0 ? gdRows[^1].TestLoss : double.NaN, gdWall);
        }
        return 0;
    }

    private static void WriteWeights(RunContext ctx, INetwork net, string stem, string source)
    {
        WeightJson.Write(ctx.Output.File($"{stem}.json"), net, source);
        StateDictFile.Write(ctx.Output.File($"{stem}_state_dict.pt"), net, torch.ScalarType.Float64);
        File.WriteAllBytes(ctx.Output.File($"{stem}.onnx"), OnnxWriter.Write(net));
    }

    private static JsonObject Summary(Config.RunConfig cfg, JointFlow flow, TrainingData data, double beta, double lr,
        List<(LossPoint Point, double[] Discord)> sheaf, List<LossPoint> gd, (double Wall, double Cpu) sheafTime, (double Wall, double Cpu) gdTime)
    {
        var t = cfg.Train!;
        var o = new JsonObject
        {
            ["name"] = cfg.Name,
            ["job"] = cfg.Job,
            ["network"] = ctxDescribe(cfg, flow),
            ["construction"] = cfg.Constructions[0].ToString().ToLowerInvariant(),
            ["head"] = flow.Head.Name,
            ["loss"] = flow.Head.IsClassifier ? "cross-entropy" : "mse",
            ["n_train"] = data.TrainCount,
            ["n_test"] = data.TestCount,
            ["alpha"] = t.Alpha,
            ["beta"] = beta,
            ["beta_times_n_train"] = beta * data.TrainCount,
            ["dt"] = t.Dt,
            ["epochs"] = t.Epochs,
            ["steps_per_epoch"] = t.StepsPerEpoch,
            ["steps"] = t.Epochs * t.StepsPerEpoch,
            ["trained_parameters"] = new JsonArray(flow.Parameters.Select(p => (JsonNode?)p.Name).ToArray()),
            ["sheaf"] = new JsonObject
            {
                ["initial_train_loss"] = JsonFile.Num(sheaf[0].Point.TrainLoss),
                ["final_train_loss"] = JsonFile.Num(sheaf[^1].Point.TrainLoss),
                ["final_test_loss"] = JsonFile.Num(sheaf[^1].Point.TestLoss),
                ["wall_seconds"] = sheafTime.Wall,
                ["cpu_seconds"] = sheafTime.Cpu,
            },
        };
        if (gd.Count > 0)
            o["gd"] = new JsonObject
            {
                ["learning_rate"] = lr,
                ["initial_train_loss"] = JsonFile.Num(gd[0].TrainLoss),
                ["final_train_loss"] = JsonFile.Num(gd[^1].TrainLoss),
                ["final_test_loss"] = JsonFile.Num(gd[^1].TestLoss),
                ["wall_seconds"] = gdTime.Wall,
                ["cpu_seconds"] = gdTime.Cpu,
            };
        return o;

        static string ctxDescribe(Config.RunConfig c, JointFlow f) => $"{f.Sheaf.Vertices.Count} vertices, {f.Sheaf.Edges.Count} edges, {f.ParameterLength} parameters";
    }

    private static void Plot(RunContext ctx, List<(LossPoint Point, double[] Discord)> sheaf, List<LossPoint> gd, double dt)
    {
        var steps = sheaf.Select(r => (double)r.Point.Step).ToArray();
        var series = new List<(string, double[], double[])>
        {
            ("sheaf, train", steps, sheaf.Select(r => r.Point.TrainLoss).ToArray()),
            ("sheaf, test", steps, sheaf.Select(r => r.Point.TestLoss).ToArray()),
        };
        if (gd.Count > 0)
        {
            var gs = gd.Select(p => (double)p.Step).ToArray();
            series.Add(("gradient descent, train", gs, gd.Select(p => p.TrainLoss).ToArray()));
            series.Add(("gradient descent, test", gs, gd.Select(p => p.TestLoss).ToArray()));
        }
        TrainPlots.Save(ctx.Output.File("loss.png"), $"{ctx.Config.Name}: forward-pass loss", "step", "loss", series);
        string[] kinds = ["weight", "relu", "skip", "sum", "chord", "output"];
        var discord = Enumerable.Range(0, kinds.Length)
            .Where(k => sheaf.Any(r => r.Discord[k] > 0))
            .Select(k => (kinds[k] + " edges", steps, sheaf.Select(r => r.Discord[k]).ToArray())).ToList();
        TrainPlots.Save(ctx.Output.File("discord.png"), $"{ctx.Config.Name}: discord by edge type (sum over samples, dt = {dt:g3})", "step", "Σ ‖δc‖²", discord);
    }
}

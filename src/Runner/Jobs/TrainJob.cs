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
        "discord_chord", "discord_output", "delta_w", "wall_seconds", "nfev", "accepted_steps", "rejected_steps",
        "njev", "nlu", "switches", "sliding_episodes",
    ];

    /// <inheritdoc/>
    public int Run(RunContext ctx, CancellationToken cancel)
    {
        var cfg = ctx.Config;
        var t = cfg.Train!;
        var data = ctx.TrainData!;
        var net = ctx.Network!;
        using var run = SheafTrainingRun.Create(cfg, net, data);
        var flow = run.Flow;
        bool ce = run.CrossEntropy;
        WeightJson.Write(ctx.Output.File("weights.json"), net, cfg.Weights.Provenance(cfg.Seed));
        var sheafRows = new List<TrainingEpoch>();
        var clock = Stopwatch.StartNew();
        using (var csv = new CsvTable(ctx.Output.File("history.csv"), Columns))
        using (var spectrum = TrainSpectrumFile.Open(ctx, run, net))
        {
            void Row(TrainingEpoch r)
            {
                cancel.ThrowIfCancellationRequested();
                sheafRows.Add(r);
                var d = r.Discord;
                csv.Row("sheaf", r.Epoch, r.Steps, r.Steps * t.Dt, r.TrainLoss, r.TestLoss, d[0], d[1], d[2], d[3], d[4], d[5], r.DeltaTheta,
                    clock.Elapsed.TotalSeconds, r.Integrator?.Nfev, r.Integrator?.Accepted, r.Integrator?.Rejected,
                    r.Integrator?.Njev, r.Integrator?.Nlu, r.Integrator?.Switches, r.Integrator?.SlidingEpisodes);
                spectrum?.Write(r.Epoch, r.Steps, run.Theta);
            }
            string? failure = null;
            try
            {
                run.Train(Row, cancel);
            }
            catch (TrainingFailedException e)
            {
                failure = e.Message;
                ctx.Log.Error("Sheaf training stopped: {Failure}; the rows so far and the weights reached are kept (exit 3)", failure);
            }
            var (sheafWall, sheafCpu) = run.Time;
            WriteWeights(ctx, run.Trained(net), "trained", "sheaf training");

            var gdRows = new List<LossPoint>();
            double gdWall = 0, gdCpu = 0, lr = t.BaselineLearningRate ?? (ce ? 0.01 : 0.005);
            if (t.Baseline && failure is null)
            {
                clock.Restart();
                var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                var gd = GradientDescentBaseline.Run(net, data, ce, lr, t.BaselineSteps ?? t.Epochs * t.StepsPerEpoch, t.StepsPerEpoch, p =>
                {
                    gdRows.Add(p);
                    csv.Row("gd", p.Step / t.StepsPerEpoch, p.Step, p.Step, p.TrainLoss, p.TestLoss, null, null, null, null, null, null, null,
                        clock.Elapsed.TotalSeconds, null, null, null, null, null, null, null);
                }, cancel);
                gdWall = clock.Elapsed.TotalSeconds;
                gdCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
                WriteWeights(ctx, gd, "gd", "gradient descent baseline");
            }
            var summary = Summary(cfg, run, data, lr, sheafRows, gdRows, (sheafWall, sheafCpu), (gdWall, gdCpu));
            Plot(ctx, sheafRows, gdRows, t.Dt);
            spectrum?.Plot();
            summary["sheaf"]!["status"] = failure ?? "completed";
            summary["provenance"] = Provenance.Json();
            JsonFile.Write(ctx.Output.File("summary.json"), summary);
            if (failure is not null) return HeatJob.IntegrationFault;
            ctx.Log.Information("sheaf training: train loss {Train:E4}, test {Test:E4} in {Wall:F1} s; gradient descent: train {GdTrain:E4}, test {GdTest:E4} in {GdWall:F1} s",
                sheafRows[^1].TrainLoss, sheafRows[^1].TestLoss, sheafWall,
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

    private static JsonObject Summary(Config.RunConfig cfg, SheafTrainingRun run, TrainingData data, double lr,
        List<TrainingEpoch> sheaf, List<LossPoint> gd, (double Wall, double Cpu) sheafTime, (double Wall, double Cpu) gdTime)
    {
        var t = cfg.Train!;
        var flow = run.Flow;
        double beta = run.Beta;
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
                ["method"] = t.Method,
                ["initial_train_loss"] = JsonFile.Num(sheaf[0].TrainLoss),
                ["final_train_loss"] = JsonFile.Num(sheaf[^1].TrainLoss),
                ["final_test_loss"] = JsonFile.Num(sheaf[^1].TestLoss),
                ["wall_seconds"] = sheafTime.Wall,
                ["cpu_seconds"] = sheafTime.Cpu,
            },
        };
        if (sheaf[^1].Integrator is { } st)
            o["sheaf"]!["integrator"] = new JsonObject
            {
                ["rtol"] = t.Rtol,
                ["atol"] = t.Atol,
                ["nfev"] = st.Nfev,
                ["steps"] = st.Accepted + st.Rejected,
                ["accepted"] = st.Accepted,
                ["rejected"] = st.Rejected,
                ["njev"] = st.Njev,
                ["nlu"] = st.Nlu,
                ["switching_aware"] = t.SwitchingAware,
                ["switches"] = st.Switches,
                ["sliding_episodes"] = st.SlidingEpisodes,
            };
        if (gd.Count > 0)
            o["gd"] = new JsonObject
            {
                ["learning_rate"] = lr,
                ["steps"] = gd[^1].Step,
                ["initial_train_loss"] = JsonFile.Num(gd[0].TrainLoss),
                ["final_train_loss"] = JsonFile.Num(gd[^1].TrainLoss),
                ["final_test_loss"] = JsonFile.Num(gd[^1].TestLoss),
                ["wall_seconds"] = gdTime.Wall,
                ["cpu_seconds"] = gdTime.Cpu,
            };
        return o;

        static string ctxDescribe(Config.RunConfig c, JointFlow f) => $"{f.Sheaf.Vertices.Count} vertices, {f.Sheaf.Edges.Count} edges, {f.ParameterLength} parameters";
    }

    private static void Plot(RunContext ctx, List<TrainingEpoch> sheaf, List<LossPoint> gd, double dt)
    {
        var steps = sheaf.Select(r => (double)r.Steps).ToArray();
        var series = new List<(string, double[], double[])>
        {
            ("sheaf, train", steps, sheaf.Select(r => r.TrainLoss).ToArray()),
            ("sheaf, test", steps, sheaf.Select(r => r.TestLoss).ToArray()),
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

using Google.Protobuf;
using Onnx;
using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.Integration;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Graph;
using ResidualSheaf.Models.Onnx;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Tests.Heads;
using ResidualSheaf.Tests.Heat;
using Xunit.Abstractions;

namespace ResidualSheaf.Tests.Models.Onnx;

/// <summary>
/// A final Sigmoid, or Softmax over the last axis, of a PyTorch export is the Output node's head: the sheaf gets a_out and the
/// smooth edge, its harmonic extension (forward substitution through the head) is ONNX Runtime's output on the file itself, and
/// switching-aware heat runs reach it. Heads anywhere else, over another axis, over one output, and LogSoftmax are refused
/// naming the node; the writer writes a head that reads back the same.
/// </summary>
public sealed class OnnxHeadTests(ITestOutputHelper output)
{
    public static TheoryData<string, OutputHead, OutputEdgeMode> Fixtures() => new()
    {
        { "residual_softmax.onnx", OutputHead.Softmax, OutputEdgeMode.Jacobian },
        { "residual_softmax.onnx", OutputHead.Softmax, OutputEdgeMode.Identity },
        { "sigmoid_mlp.onnx", OutputHead.Sigmoid, OutputEdgeMode.Jacobian },
        { "sigmoid_mlp.onnx", OutputHead.Sigmoid, OutputEdgeMode.Identity },
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void HarmonicExtensionThroughTheHeadEqualsOnnxRuntime(string fixture, OutputHead head, OutputEdgeMode mode)
    {
        var net = OnnxNetwork.Load(OnnxFixtures.Path(fixture), mode);
        Assert.Equal(head, net.Graph.Output.Head);
        Assert.Equal(mode, net.Graph.Output.Mode);
        var sheaf = SheafConstructor.Build(net);
        Assert.Equal(OutputHeads.VertexName, sheaf.Output.Name);
        var edge = Assert.Single(sheaf.Sheaf.SmoothEdges);
        Assert.Equal(sheaf.Output.Id, edge.Head);
        using var ort = OnnxRuntimeReference.Open(OnnxFixtures.Path(fixture));
        var inputs = InputSampler.Normal(60, net.InputDimension, 16, scale: 2.0);
        double worst = 0, lo = 1, hi = 0;
        int active = 0, inactive = 0;
        foreach (var x in inputs)
        {
            var sol = DirichletSolver.Solve(sheaf.Problem(x));
            Assert.Equal(DirichletMethod.ForwardSubstitution, sol.Method);
            Assert.True(sol.Residual <= 1e-12, $"residual {sol.Residual}");
            var y = sheaf.OutputOf(sol.Cochain);
            var reference = ort.Forward(x);
            Assert.Equal(reference.Length, y.Length);
            for (int i = 0; i < y.Length; i++)
            {
                worst = Math.Max(worst, Math.Abs(y[i] - reference[i]));
                lo = Math.Min(lo, y[i]);
                hi = Math.Max(hi, y[i]);
            }
            if (head == OutputHead.Softmax) Assert.True(Math.Abs(y.Sum() - 1) <= 1e-14, $"Σ a_out = {y.Sum()}");
            foreach (int j in sheaf.Sheaf.MaskCoordinates) if (sol.Masks.Theta[j] == 1) active++; else inactive++;
        }
        output.WriteLine($"{fixture} ({mode}): max |sheaf − ONNX Runtime| = {worst:E2} over {inputs.Length} inputs; a_out in [{lo:F4}, {hi:F4}]");
        Assert.True(worst <= 1e-12, $"max |sheaf − ONNX Runtime| = {worst:E3}");
        // The outputs are probabilities strictly inside (0, 1) and spread out: the head is applied, not skipped.
        Assert.True(lo > 0 && hi < 1 && hi - lo > 0.1, $"a_out in [{lo}, {hi}]");
        Assert.True(active > 0 && inactive > 0, $"active {active}, inactive {inactive}");
    }

    [Theory]
    [InlineData("residual_softmax.onnx", "rodas4")]
    [InlineData("residual_softmax.onnx", "dp5")]
    [InlineData("sigmoid_mlp.onnx", "rodas4")]
    [InlineData("sigmoid_mlp.onnx", "dp5")]
    public void HeatRunConvergesToOnnxRuntimesOutput(string fixture, string method)
    {
        var net = OnnxNetwork.Load(OnnxFixtures.Path(fixture));
        var sheaf = SheafConstructor.Build(net);
        using var ort = OnnxRuntimeReference.Open(OnnxFixtures.Path(fixture));
        HeatAlgorithm algorithm = method == "rodas4"
            ? new OdeFlow(new Rodas4()) { Rtol = 1e-10, Atol = 1e-12 }
            : new OdeFlow(new DormandPrince54()) { Rtol = 1e-10, Atol = 1e-12 };
        for (int trial = 0; trial < 2; trial++)
        {
            var x = InputSampler.Normal(1, net.InputDimension, 7 + trial)[0];
            var problem = sheaf.Problem(x);
            var forward = problem.Restrict(DirichletSolver.Solve(problem).Cochain);
            var eq = new HeatEquation(problem);
            var run = HeatSolver.Solve(new HeatProblem(eq, HeatReference.Normal(eq.FreeDimension, 5 + trial, scale: 2.0))
            {
                EndTime = 1e5,
                StopRules = [new DistanceStop(forward, 1e-10)],
            }, algorithm);
            Assert.True(run.Status == HeatStatus.Converged, $"{run.Status}: {run.Message}");
            var y = sheaf.OutputOf(problem.Embed(run.FinalState));
            double vsOrt = HeatReference.MaxDiff(y, ort.Forward(x));
            output.WriteLine($"{fixture} {method} trial {trial}: t = {run.FinalTime:G4}, |a_out − ONNX Runtime| = {vsOrt:E2}");
            Assert.True(vsOrt <= 1e-9, $"{fixture} {method}: heat output vs ONNX Runtime {vsOrt:E3}");
        }
    }

    /// <summary>Graphs written here: x [1, 3] → Gemm → then the given tail of nodes, ending in y.</summary>
    private static byte[] Graph(int outputs, params NodeProto[] tail)
    {
        var g = new GraphProto { Name = "heads" };
        g.Node.Add(OnnxRuntimeLoadTests.Node("Gemm", ["x", "W", "b"], "z", ("transB", 1)));
        g.Node.AddRange(tail);
        var rng = new Random(3);
        g.Initializer.Add(OnnxRuntimeLoadTests.Tensor("W", [outputs, 3], Enumerable.Range(0, 3 * outputs).Select(_ => rng.NextDouble() - 0.5).ToArray()));
        g.Initializer.Add(OnnxRuntimeLoadTests.Tensor("b", [outputs], Enumerable.Range(0, outputs).Select(_ => rng.NextDouble() - 0.5).ToArray()));
        g.Initializer.Add(OnnxRuntimeLoadTests.Tensor("W2", [outputs, outputs], Enumerable.Range(0, outputs * outputs).Select(_ => rng.NextDouble() - 0.5).ToArray()));
        g.Input.Add(OnnxRuntimeLoadTests.Value("x", [1, 3]));
        g.Output.Add(OnnxRuntimeLoadTests.Value("y", [1, outputs]));
        var model = new ModelProto { IrVersion = 8, Graph = g };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model.ToByteArray();
    }

    /// <summary>The refused heads, each as (graph bytes, node named, message part); shared with the config tests.</summary>
    public static TheoryData<string, string, string> RefusedHeads() => new()
    {
        { "sigmoid-then-gemm", "sigmoid_s", "sigmoid is not the last node before the graph output" },
        { "softmax-then-relu", "softmax_s", "softmax is not the last node before the graph output" },
        { "softmax-axis-0", "softmax_y", "Softmax over axis 0" },
        { "logsoftmax", "logsoftmax_y", "LogSoftmax is not supported" },
        { "softmax-one-output", "softmax_y", "Softmax over one output" },
    };

    /// <summary>The bytes of a refused-head graph named in <see cref="RefusedHeads"/>.</summary>
    public static byte[] RefusedHead(string name) => name switch
    {
        "sigmoid-then-gemm" => Graph(2, OnnxRuntimeLoadTests.Node("Sigmoid", ["z"], "s"), OnnxRuntimeLoadTests.Node("Gemm", ["s", "W2"], "y", ("transB", 1))),
        "softmax-then-relu" => Graph(2, OnnxRuntimeLoadTests.Node("Softmax", ["z"], "s", ("axis", -1)), OnnxRuntimeLoadTests.Node("Relu", ["s"], "y")),
        "softmax-axis-0" => Graph(3, OnnxRuntimeLoadTests.Node("Softmax", ["z"], "y", ("axis", 0))),
        "logsoftmax" => Graph(3, OnnxRuntimeLoadTests.Node("LogSoftmax", ["z"], "y", ("axis", -1))),
        "softmax-one-output" => Graph(1, OnnxRuntimeLoadTests.Node("Softmax", ["z"], "y", ("axis", -1))),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(RefusedHeads))]
    public void MisplacedOrUnsupportedHeadIsRefusedNamingTheNode(string graph, string node, string problem)
    {
        var e = Assert.Throws<OnnxModelException>(() => OnnxNetwork.FromBytes(RefusedHead(graph), graph));
        Assert.Equal(node, e.Node);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void SoftmaxWithTheDefaultAxisOfEachOpsetIsTheHead()
    {
        // Opset 13: default axis −1; opset 11: default axis 1, the last axis of [1, k]. Both are the head; ONNX Runtime agrees.
        foreach (int opset in new[] { 11, 13 })
        {
            var model = ModelProto.Parser.ParseFrom(Graph(3, OnnxRuntimeLoadTests.Node("Softmax", ["z"], "y")));
            model.OpsetImport[0].Version = opset;
            var bytes = model.ToByteArray();
            var net = OnnxNetwork.FromBytes(bytes, $"opset {opset}");
            Assert.Equal(OutputHead.Softmax, net.Graph.Output.Head);
            using var ort = OnnxRuntimeReference.FromBytes(bytes);
            var sheaf = SheafConstructor.Build(net);
            foreach (var x in InputSampler.Normal(10, 3, 5, scale: 2.0))
            {
                var y = sheaf.OutputOf(DirichletSolver.Solve(sheaf.Problem(x)).Cochain);
                Assert.True(HeatReference.MaxDiff(y, ort.Forward(x)) <= 1e-12);
            }
        }
    }

    public static TheoryData<string, OutputHead> Networks()
    {
        var d = new TheoryData<string, OutputHead>();
        foreach (var k in HeadNetworks.Kinds)
            foreach (var h in new[] { OutputHead.Sigmoid, OutputHead.Softmax })
                d.Add(k, h);
        return d;
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void WrittenHeadReadsBackAsTheSameSheaf(string kind, OutputHead head)
    {
        var native = HeadNetworks.Network(kind, head);
        var bytes = OnnxWriter.Write(native);
        var back = OnnxNetwork.FromBytes(bytes, kind);
        Assert.Equal(head, back.Graph.Output.Head);
        var a = SheafConstructor.Build(native);
        var b = SheafConstructor.Build(back);
        Assert.Equal(a.Sheaf.Vertices, b.Sheaf.Vertices);
        Assert.Equal(a.Sheaf.Edges.Select(e => (e.Name, e.Tail, e.Head, e.Kind, e.Layer)), b.Sheaf.Edges.Select(e => (e.Name, e.Tail, e.Head, e.Kind, e.Layer)));
        Assert.Equal(a.Sheaf.SmoothEdges.Select(e => (e.Name, e.Tail, e.Head)), b.Sheaf.SmoothEdges.Select(e => (e.Name, e.Tail, e.Head)));
        using var ort = OnnxRuntimeReference.FromBytes(bytes);
        using var torch64 = TorchReference.Create(native, TorchSharp.torch.ScalarType.Float64);
        foreach (var x in InputSampler.Normal(50, native.InputDimension, 2, scale: 2.0))
        {
            Assert.Equal(DirichletSolver.Solve(a.Problem(x)).Cochain, DirichletSolver.Solve(b.Problem(x)).Cochain);
            // ONNX Runtime on the written file against TorchSharp's torch.sigmoid / torch.softmax: checks the writer itself.
            Assert.True(HeatReference.MaxDiff(ort.Forward(x), torch64.Forward(x)) <= 1e-12);
        }
    }
}

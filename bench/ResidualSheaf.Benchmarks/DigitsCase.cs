using ResidualSheaf.Engine.Dirichlet;
using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Models.Onnx;
using ResidualSheaf.Models.Torch;
using ResidualSheaf.Runner.Data;

namespace ResidualSheaf.Benchmarks;

/// <summary>
/// The digits ResNet heat problem (issue 19): a fixture model of tests/fixtures/digits (junction sheaf), test image
/// <see cref="Image"/> pinned, initial free cochain InputSampler.Normal(1, |Ω|, seed) (= the config's initial kind normal, seed),
/// α = 1. With image 0 and seed 1 this is configs/heat-digits-resnet-logits.json.
/// </summary>
public sealed class DigitsCase : IHeatCase
{
    /// <summary>Builds the case from <c>tests/fixtures/digits/&lt;model&gt;</c>.</summary>
    public DigitsCase(string model = "digits_resnet_logits.onnx", int image = 0, long seed = 1)
    {
        Model = model;
        Image = image;
        Network = OnnxNetwork.Load(Fixture(model));
        Sheaf = SheafConstructor.Build(Network, SkipConstruction.Junction);
        X = NpyMatrix.Parse(File.ReadAllBytes(Fixture("test_images.npy")))[image];
        Problem = Sheaf.Problem(X);
        var sol = DirichletSolver.Solve(Problem);
        if (sol.Method != DirichletMethod.ForwardSubstitution) throw new InvalidOperationException($"expected forward substitution, got {sol.Method}");
        CStar = Problem.Restrict(sol.Cochain);
        Equation = new HeatEquation(Problem);
        C0 = InputSampler.Normal(1, Equation.FreeDimension, seed)[0];
        InitialDistance = Distance(C0);
    }

    /// <summary>The fixture file name.</summary>
    public string Model { get; }

    /// <summary>Row of test_images.npy.</summary>
    public int Image { get; }

    /// <summary>The network read from ONNX.</summary>
    public OnnxNetwork Network { get; }

    /// <summary>Its junction sheaf.</summary>
    public NetworkSheaf Sheaf { get; }

    /// <summary>The input image (64 pixels).</summary>
    public double[] X { get; }

    /// <inheritdoc/>
    public DirichletProblem Problem { get; }

    /// <inheritdoc/>
    public HeatEquation Equation { get; }

    /// <inheritdoc/>
    public double[] CStar { get; }

    /// <inheritdoc/>
    public double[] C0 { get; }

    /// <inheritdoc/>
    public double InitialDistance { get; }

    /// <summary>‖c − c*‖∞.</summary>
    public double Distance(ReadOnlySpan<double> c) => IHeatCase.MaxDistance(c, CStar);

    /// <summary>tests/fixtures/digits/<paramref name="name"/>, found above the bench's output folder.</summary>
    public static string Fixture(string name)
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "ResidualSheaf.sln"))) return Path.Combine(d.FullName, "tests", "fixtures", "digits", name);
        throw new FileNotFoundException("ResidualSheaf.sln not found above " + AppContext.BaseDirectory);
    }
}

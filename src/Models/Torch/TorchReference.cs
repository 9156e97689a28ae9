using ResidualSheaf.Models.Graph;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace ResidualSheaf.Models.Torch;

/// <summary>
/// TorchSharp modules for every architecture: seeded PyTorch-default initialisation (torch.manual_seed + module creation in
/// the Python order), and reference forward passes in float64 or float32 with the engine's weights copied in.
/// </summary>
public sealed class TorchReference : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _module;
    private readonly nn.Module<Tensor, Tensor>? _classifier;
    private readonly OutputHead _head;
    private readonly ScalarType _dtype;

    private TorchReference(nn.Module<Tensor, Tensor> module, nn.Module<Tensor, Tensor>? classifier, OutputHead head, ScalarType dtype)
    {
        _module = module;
        _classifier = classifier;
        _head = head;
        _dtype = dtype;
    }

    /// <summary>The TorchSharp module of the body (parameter names as in the PyTorch state_dict); a classifier and the head follow it.</summary>
    public nn.Module<Tensor, Tensor> Module => _module;

    /// <summary>
    /// The output head as torch applies it: torch.sigmoid, or torch.softmax over the last dimension (the output), or nothing.
    /// </summary>
    public static Tensor ApplyHead(OutputHead head, Tensor z) => head switch
    {
        OutputHead.Identity => z,
        OutputHead.Sigmoid => torch.sigmoid(z),
        OutputHead.Softmax => torch.softmax(z, -1),
        _ => throw new NotSupportedException($"output head {head}"),
    };

    /// <summary>A module of the network's architecture in the given precision holding the network's weights.</summary>
    public static TorchReference Create(INetwork network, ScalarType dtype = ScalarType.Float64)
    {
        TorchRuntime.EnsureLoaded();
        var spec = ArchitectureSpec.Of(network);
        var (module, classifier) = NewModules(spec, dtype);
        var byName = network.Layers.ToDictionary(l => l.Name);
        var parameters = module.named_parameters().ToList();
        if (classifier is not null) parameters.AddRange(classifier.named_parameters().Select(p => ("classifier." + p.name, p.parameter)));
        using (no_grad())
        {
            foreach (var (name, p) in parameters)
            {
                int dot = name.LastIndexOf('.');
                string layer = name[..dot], kind = name[(dot + 1)..];
                var l = byName[layer];
                double[] values = kind == "weight" ? l.Weight : l.Bias ?? throw new InvalidOperationException($"{layer} has no bias");
                using var t = tensor(values, dtype: ScalarType.Float64).reshape(p.shape).to_type(dtype);
                p.copy_(t);
            }
        }
        module.eval();
        classifier?.eval();
        return new TorchReference(module, classifier, spec.Head, dtype);
    }

    /// <summary>The network created the way PyTorch would: torch.manual_seed(seed), then the modules in the Python order.</summary>
    public static INetwork PyTorchDefault(ArchitectureSpec spec, long seed)
    {
        TorchRuntime.EnsureLoaded();
        // manual_seed sets the process-wide generator: without the lock, concurrent callers would interleave their draws.
        lock (SeedLock) return PyTorchDefaultLocked(spec, seed);
    }

    /// <summary>Serialises every use of libtorch's global generator in the product (manual_seed and the draws after it).</summary>
    internal static readonly object SeedLock = new();

    /// <summary>
    /// The reference library's initialisation (<c>NeuralSheaf(layer_dims, seed)</c>, heads-and-training.md §3): torch.manual_seed(seed),
    /// then per layer in order torch.randn(out, in, dtype=float64) · (2/in)^0.5 (He normal), biases zero. Projections (residual stacks,
    /// which the library does not have) are drawn the same way in their creation order.
    /// </summary>
    public static INetwork NeuralSheafDefault(ArchitectureSpec spec, long seed)
    {
        TorchRuntime.EnsureLoaded();
        lock (SeedLock)
        {
            using var scope = NewDisposeScope();
            torch.manual_seed(seed);
            var arrays = new Dictionary<string, NamedArray>(StringComparer.Ordinal);
            foreach (var (name, o, i, bias) in spec.Parameters())
            {
                // Python's `(2.0 / n_in) ** 0.5` is pow(·, 0.5), which Math.Pow calls too; the product is libtorch's, as there.
                using var w = (randn(o, i, dtype: ScalarType.Float64) * Math.Pow(2.0 / i, 0.5)).contiguous();
                arrays[name + ".weight"] = new NamedArray([o, i], w.data<double>().ToArray());
                if (bias) arrays[name + ".bias"] = new NamedArray([o], new double[o]);
            }
            return WeightSet.FromArrays(spec, arrays, $"neural-sheaf initialisation (seed {seed})");
        }
    }

    private static INetwork PyTorchDefaultLocked(ArchitectureSpec spec, long seed)
    {
        // Every temporary tensor (state_dict views, detach results) is freed here, under the lock, rather than by a finalizer
        // thread racing another caller inside libtorch: a 2-thread hunt segfaulted in libtorch_cpu.so before this scope existed.
        using var scope = NewDisposeScope();
        torch.manual_seed(seed);
        // PyTorch's default dtype is float32: the seeded weights are float32 numbers, carried exactly into float64.
        var (module, classifier) = NewModules(spec, ScalarType.Float32);
        using var body = module;
        using var head = classifier;
        var arrays = new Dictionary<string, NamedArray>(StringComparer.Ordinal);
        var state = module.state_dict().ToList();
        if (classifier is not null) state.AddRange(classifier.state_dict().Select(kv => KeyValuePair.Create("classifier." + kv.Key, kv.Value)));
        foreach (var (name, t) in state)
        {
            using var d = t.detach().to_type(ScalarType.Float64).contiguous();
            arrays[name] = new NamedArray(t.shape.ToArray(), d.data<double>().ToArray());
        }
        return WeightSet.FromArrays(spec, arrays, $"seeded module (seed {seed})");
    }

    /// <summary>The body module and, for a residual classifier, the classifier nn.Linear created after it (PyTorch's order).</summary>
    private static (nn.Module<Tensor, Tensor> Body, nn.Module<Tensor, Tensor>? Classifier) NewModules(ArchitectureSpec spec, ScalarType dtype)
    {
        if (spec.IsMlp) return (new MlpModule(spec.Widths!, dtype), null);
        bool after = spec.Placement == ReluPlacement.After;
        var blocks = spec.Blocks!.Select(b => (nn.Module<Tensor, Tensor>)new ResBlockModule(b.In, b.Hidden, b.Out, b.Projection, after, dtype)).ToArray();
        var body = blocks.Length == 1 ? blocks[0] : new ResStackModule(blocks);
        var classifier = spec.Classifier is int c ? nn.Linear(spec.Blocks![^1].Out, c, hasBias: true, dtype: dtype) : null;
        return (body, classifier);
    }

    /// <summary>The module's output for input x, computed in the module's precision and returned as float64.</summary>
    public double[] Forward(ReadOnlySpan<double> x)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var input = tensor(x.ToArray(), dtype: ScalarType.Float64).to_type(_dtype);
        var h = _module.forward(input);
        if (_classifier is not null) h = _classifier.forward(h);
        var y = ApplyHead(_head, h).to_type(ScalarType.Float64).contiguous();
        return y.data<double>().ToArray();
    }

    /// <summary>The module's output (head applied) for a batch whose rows are samples, with autograd as the caller has it.</summary>
    public Tensor ForwardBatch(Tensor x)
    {
        var h = _module.forward(x);
        if (_classifier is not null) h = _classifier.forward(h);
        return ApplyHead(_head, h);
    }

    /// <summary>The state_dict of the body followed by the classifier's under <c>classifier.</c> (the names WeightSet uses).</summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, t) in _module.state_dict()) state[name] = t;
        if (_classifier is not null)
            foreach (var (name, t) in _classifier.state_dict()) state["classifier." + name] = t;
        return state;
    }

    /// <summary>Every parameter of the module and its classifier, in state_dict order.</summary>
    public IReadOnlyList<(string Name, Tensor Parameter)> NamedParameters() =>
        [.. _module.named_parameters().Select(p => (p.name, (Tensor)p.parameter)),
            .. (_classifier?.named_parameters() ?? []).Select(p => ("classifier." + p.name, (Tensor)p.parameter))];

    /// <inheritdoc/>
    public void Dispose()
    {
        _module.Dispose();
        _classifier?.Dispose();
    }
}

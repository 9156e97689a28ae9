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
    private readonly ScalarType _dtype;

    private TorchReference(nn.Module<Tensor, Tensor> module, ScalarType dtype)
    {
        _module = module;
        _dtype = dtype;
    }

    /// <summary>The TorchSharp module (parameter names as in the PyTorch state_dict).</summary>
    public nn.Module<Tensor, Tensor> Module => _module;

    /// <summary>A module of the network's architecture in the given precision holding the network's weights.</summary>
    public static TorchReference Create(INetwork network, ScalarType dtype = ScalarType.Float64)
    {
        TorchRuntime.EnsureLoaded();
        var module = NewModule(ArchitectureSpec.Of(network), dtype);
        var byName = network.Layers.ToDictionary(l => l.Name);
        using (no_grad())
        {
            foreach (var (name, p) in module.named_parameters())
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
        return new TorchReference(module, dtype);
    }

    /// <summary>The network created the way PyTorch would: torch.manual_seed(seed), then the modules in the Python order.</summary>
    public static INetwork PyTorchDefault(ArchitectureSpec spec, long seed)
    {
        TorchRuntime.EnsureLoaded();
        // manual_seed sets the process-wide generator: without the lock, concurrent callers would interleave their draws.
        lock (SeedLock) return PyTorchDefaultLocked(spec, seed);
    }

    private static readonly object SeedLock = new();

    private static INetwork PyTorchDefaultLocked(ArchitectureSpec spec, long seed)
    {
        // Every temporary tensor (state_dict views, detach results) is freed here, under the lock, rather than by a finalizer
        // thread racing another caller inside libtorch: a 2-thread hunt segfaulted in libtorch_cpu.so before this scope existed.
        using var scope = NewDisposeScope();
        torch.manual_seed(seed);
        // PyTorch's default dtype is float32: the seeded weights are float32 numbers, carried exactly into float64.
        using var module = NewModule(spec, ScalarType.Float32);
        var arrays = new Dictionary<string, NamedArray>(StringComparer.Ordinal);
        foreach (var (name, t) in module.state_dict())
        {
            using var d = t.detach().to_type(ScalarType.Float64).contiguous();
            arrays[name] = new NamedArray(t.shape.ToArray(), d.data<double>().ToArray());
        }
        return WeightSet.FromArrays(spec, arrays, $"seeded module (seed {seed})");
    }

    private static nn.Module<Tensor, Tensor> NewModule(ArchitectureSpec spec, ScalarType dtype)
    {
        if (spec.IsMlp) return new MlpModule(spec.Widths!, dtype);
        bool after = spec.Placement == ReluPlacement.After;
        var blocks = spec.Blocks!.Select(b => (nn.Module<Tensor, Tensor>)new ResBlockModule(b.In, b.Hidden, b.Out, b.Projection, after, dtype)).ToArray();
        return blocks.Length == 1 ? blocks[0] : new ResStackModule(blocks);
    }

    /// <summary>The module's output for input x, computed in the module's precision and returned as float64.</summary>
    public double[] Forward(ReadOnlySpan<double> x)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var input = tensor(x.ToArray(), dtype: ScalarType.Float64).to_type(_dtype);
        var y = _module.forward(input).to_type(ScalarType.Float64).contiguous();
        return y.data<double>().ToArray();
    }

    /// <inheritdoc/>
    public void Dispose() => _module.Dispose();
}

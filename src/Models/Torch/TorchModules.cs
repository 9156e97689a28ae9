using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ResidualSheaf.Models.Torch;

/// <summary>TorchSharp equivalent of the Python <c>ResBlock</c>: fc1, fc2 and an optional bias-free projection, created in that order.</summary>
internal sealed class ResBlockModule : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly Linear fc2;
    private readonly Linear? proj;
    private readonly bool _reluAfter;

    public ResBlockModule(int n, int m, int o, bool projection, bool reluAfter, ScalarType dtype) : base("ResBlock")
    {
        fc1 = nn.Linear(n, m, hasBias: true, dtype: dtype);
        fc2 = nn.Linear(m, o, hasBias: true, dtype: dtype);
        proj = projection ? nn.Linear(n, o, hasBias: false, dtype: dtype) : null;
        _reluAfter = reluAfter;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var branch = fc2.forward(nn.functional.relu(fc1.forward(x)));
        var skip = proj is null ? x : proj.forward(x);
        var y = _reluAfter ? nn.functional.relu(branch + skip) : nn.functional.relu(branch) + skip;
        return y.MoveToOuterDisposeScope();
    }
}

/// <summary>A stack of residual blocks held in a ModuleList named "blocks" (state_dict keys blocks.k.fc1.weight, …).</summary>
internal sealed class ResStackModule : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> blocks;

    public ResStackModule(IEnumerable<nn.Module<Tensor, Tensor>> items) : base("ResStack")
    {
        blocks = nn.ModuleList(items.ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = x;
        foreach (var b in blocks) h = b.forward(h);
        return h.MoveToOuterDisposeScope();
    }
}

/// <summary>An MLP with layers fc1 … fck and ReLU between them (identity output).</summary>
internal sealed class MlpModule : nn.Module<Tensor, Tensor>
{
    private readonly List<Linear> _layers = [];

    public MlpModule(int[] widths, ScalarType dtype) : base("MLP")
    {
        for (int l = 1; l < widths.Length; l++)
        {
            var lin = nn.Linear(widths[l - 1], widths[l], hasBias: true, dtype: dtype);
            _layers.Add(lin);
            register_module($"fc{l}", lin);
        }
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = x;
        for (int l = 0; l < _layers.Count; l++)
        {
            h = _layers[l].forward(h);
            if (l < _layers.Count - 1) h = nn.functional.relu(h);
        }
        return h.MoveToOuterDisposeScope();
    }
}

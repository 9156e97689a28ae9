using ResidualSheaf.Engine.Sheaves;

namespace ResidualSheaf.Models.Graph;

/// <summary>The output heads' functions, names and width rules, shared by the graph, the networks and the sheaf contributor.</summary>
public static class OutputHeads
{
    /// <summary>Name of the vertex a non-identity head adds (a_out).</summary>
    public const string VertexName = "a_out";

    /// <summary>Name of the smooth edge z → a_out.</summary>
    public const string EdgeName = "head";

    /// <summary>The heads as configs spell them.</summary>
    public static readonly string[] Names = ["identity", "sigmoid", "softmax"];

    /// <summary>The output-edge modes as configs spell them.</summary>
    public static readonly string[] ModeNames = ["jacobian", "identity"];

    /// <summary>The config spelling of a head.</summary>
    public static string Name(OutputHead head) => head.ToString().ToLowerInvariant();

    /// <summary>The config spelling of a mode.</summary>
    public static string Name(OutputEdgeMode mode) => mode.ToString().ToLowerInvariant();

    /// <summary>The head of a config spelling (one of <see cref="Names"/>).</summary>
    public static OutputHead Parse(string name) => name switch
    {
        "identity" => OutputHead.Identity,
        "sigmoid" => OutputHead.Sigmoid,
        "softmax" => OutputHead.Softmax,
        _ => throw new ArgumentException($"'{name}' is not one of: {string.Join(", ", Names)}"),
    };

    /// <summary>The mode of a config spelling (one of <see cref="ModeNames"/>).</summary>
    public static OutputEdgeMode ParseMode(string name) => name switch
    {
        "jacobian" => OutputEdgeMode.Jacobian,
        "identity" => OutputEdgeMode.Identity,
        _ => throw new ArgumentException($"'{name}' is not one of: {string.Join(", ", ModeNames)}"),
    };

    /// <summary>φ of a non-identity head; null for the identity.</summary>
    public static SmoothFunction? Function(OutputHead head) => head switch
    {
        OutputHead.Identity => null,
        OutputHead.Sigmoid => Sigmoid.Instance,
        OutputHead.Softmax => Softmax.Instance,
        _ => throw new NotSupportedException($"output head {head}"),
    };

    /// <summary>Throws unless the head makes sense on <paramref name="width"/> outputs (softmax over one output is the constant 1).</summary>
    public static void CheckWidth(OutputHead head, int width)
    {
        if (Function(head) is { } f && width < f.MinimumDimension)
            throw new ArgumentException($"a {f.Name} head needs at least {f.MinimumDimension} outputs, the network has {width}");
    }

    /// <summary>"" for the identity head, else e.g. ", sigmoid head (jacobian mode)" (a suffix of a network's description).</summary>
    public static string Describe(OutputNode output) =>
        output.Head == OutputHead.Identity ? "" : $", {Name(output.Head)} head ({Name(output.Mode)} mode)";

    /// <summary>The head applied to the last value (a copy for the non-identity heads).</summary>
    public static double[] Apply(OutputHead head, double[] z)
    {
        var f = Function(head);
        if (f is null) return z;
        var y = new double[z.Length];
        f.Evaluate(z, y);
        return y;
    }
}

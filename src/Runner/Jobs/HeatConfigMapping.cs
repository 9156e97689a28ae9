using ResidualSheaf.Engine.Heat;
using ResidualSheaf.Engine.Integration;

namespace ResidualSheaf.Runner.Jobs;

/// <summary>Config spellings of methods and integrators → engine objects.</summary>
public static class HeatConfigMapping
{
    /// <summary>switching-aware | plain | exact | authors-euler.</summary>
    public static HeatMethod Method(string name) => name switch
    {
        "plain" => HeatMethod.Plain,
        "exact" => HeatMethod.ExactPiecewise,
        "authors-euler" => HeatMethod.AuthorsEuler,
        "switching-aware" => HeatMethod.SwitchingAware,
        _ => throw new ArgumentException($"unknown method '{name}'", nameof(name)),
    };

    /// <summary>dp5 | bs3 | dop853 | rodas4.</summary>
    public static OdeAlgorithm Algorithm(string name) => name switch
    {
        "bs3" => new BogackiShampine32(),
        "dop853" => new Dop853(),
        "rodas4" => new Rodas4(),
        "dp5" => new DormandPrince54(),
        _ => throw new ArgumentException($"unknown integrator '{name}'", nameof(name)),
    };
}

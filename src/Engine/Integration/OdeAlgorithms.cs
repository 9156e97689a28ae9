using System.Diagnostics.CodeAnalysis;

namespace ResidualSheaf.Engine.Integration;

/// <summary>
/// The one place where integration methods are known by their config name (lower case, as spelt in <c>heat.integrator</c>).
/// A new method is one <see cref="OdeAlgorithm"/> class plus one line here.
/// </summary>
public static class OdeAlgorithms
{
    // Order is the order of Names (the order configs and error messages list them in).
    private static readonly (string Name, Func<OdeAlgorithm> Create)[] Registry =
    [
        ("dp5", () => new DormandPrince54()),
        ("bs3", () => new BogackiShampine32()),
        ("dop853", () => new Dop853()),
        ("rodas4", () => new Rodas4()),
        ("rkc", () => new Rkc()),
        ("tsit5", () => new Tsit5()),
    ];

    /// <summary>The registered config names, in registration order.</summary>
    public static IReadOnlyList<string> Names { get; } = Array.AsReadOnly(Array.ConvertAll(Registry, r => r.Name));

    /// <summary>Creates a new instance (default settings) of the method registered as <paramref name="name"/> (case-sensitive).</summary>
    /// <param name="name">Config name, e.g. <c>dp5</c>.</param>
    /// <param name="algorithm">The new method, or null when the name is not registered.</param>
    /// <returns>True when <paramref name="name"/> is registered.</returns>
    public static bool TryCreate(string? name, [NotNullWhen(true)] out OdeAlgorithm? algorithm)
    {
        foreach ((string n, Func<OdeAlgorithm> create) in Registry)
        {
            if (string.Equals(n, name, StringComparison.Ordinal))
            {
                algorithm = create();
                return true;
            }
        }

        algorithm = null;
        return false;
    }

    /// <summary>Creates the method registered as <paramref name="name"/>.</summary>
    /// <param name="name">Config name, e.g. <c>dp5</c>.</param>
    /// <returns>A new instance with default settings.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not registered.</exception>
    public static OdeAlgorithm Create(string name) =>
        TryCreate(name, out OdeAlgorithm? algorithm)
            ? algorithm
            : throw new ArgumentException($"unknown integrator '{name}' (known: {string.Join(", ", Names)})", nameof(name));

    /// <summary>The config name of <paramref name="algorithm"/>'s method (its registered type), or its lower-case display name.</summary>
    public static string NameOf(OdeAlgorithm algorithm)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        foreach ((string n, Func<OdeAlgorithm> create) in Registry)
            if (create().GetType() == algorithm.GetType()) return n;
        return algorithm.Name.ToLowerInvariant();
    }
}

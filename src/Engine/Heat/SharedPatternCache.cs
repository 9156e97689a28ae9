using System.Collections.Concurrent;
using ResidualSheaf.Engine.Sheaves;

namespace ResidualSheaf.Engine.Heat;

/// <summary>
/// The per-pattern work of the exact piecewise flow — eigendecomposition of α L(σ)[F,F], its Cholesky factor, δ_Ω(σ) on F and
/// the sliding units' rows — shared by every heat equation of one sheaf with the same pinned coordinates and α (a batch of inputs
/// with shared weights): L(σ) does not depend on the pinned values, only b̃ and c* do, and those stay per equation. Thread-safe;
/// each pattern is built once (by whichever equation meets it first) from the pattern alone, so the numbers are the same for
/// every thread count and order, and equal to those of an unshared run.
/// </summary>
public sealed class SharedPatternCache
{
    private readonly ConcurrentDictionary<ExactPiecewiseIntegrator.ModeKey, Lazy<ExactPiecewiseIntegrator.PatternShape>> _shapes = new();
    private readonly int[] _pinned;
    private readonly int[] _pinnedMasks;
    private readonly Sheaves.CellularSheaf _sheaf;
    private readonly double _alpha;
    private long _lookups, _misses;

    /// <summary>The cache for equations like <paramref name="template"/> (same sheaf, pinned coordinates and α; no soft pins).</summary>
    /// <exception cref="ArgumentException">The template has soft pins (their targets would enter L(σ)'s right-hand side only, but their strengths enter L).</exception>
    public SharedPatternCache(HeatEquation template)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (template.SoftPins.Count > 0) throw new ArgumentException("a shared pattern cache does not take soft pins", nameof(template));
        _sheaf = template.Sheaf;
        _alpha = template.Alpha;
        _pinned = template.Problem.Pins.Values.Keys.Order().ToArray();
        var pinnedSet = _pinned.ToHashSet();
        _pinnedMasks = _sheaf.MaskCoordinates.Where(pinnedSet.Contains).ToArray();
    }

    /// <summary>Patterns built (each one eigendecomposition and factorisation).</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Pattern look-ups answered from the cache.</summary>
    public long Hits => Interlocked.Read(ref _lookups) - Misses;

    /// <summary>Patterns held.</summary>
    public int Count => _shapes.Count;

    /// <summary>Throws unless <paramref name="eq"/> has this cache's sheaf, pinned coordinates and α and no soft pins.</summary>
    internal void CheckCompatible(HeatEquation eq)
    {
        if (!ReferenceEquals(eq.Sheaf, _sheaf) || eq.Alpha != _alpha || eq.SoftPins.Count > 0 ||
            !eq.Problem.Pins.Values.Keys.Order().SequenceEqual(_pinned))
            throw new ArgumentException("the equation's sheaf, pinned coordinates, α or soft pins differ from the shared pattern cache's", nameof(eq));
    }

    /// <summary>The shape of (σ, S) for <paramref name="eq"/>: the key includes the masks of pinned mask coordinates (set by the pinned values).</summary>
    internal ExactPiecewiseIntegrator.PatternShape ShapeFor(UnitMode[] modes, HeatEquation eq)
    {
        var full = new UnitMode[modes.Length + _pinnedMasks.Length];
        modes.CopyTo(full, 0);
        var masks = MaskPattern.From(_sheaf, eq.Problem.PinnedCochain());
        for (int i = 0; i < _pinnedMasks.Length; i++) full[modes.Length + i] = masks.Theta[_pinnedMasks[i]] == 1.0 ? UnitMode.Active : UnitMode.Inactive;
        var key = ExactPiecewiseIntegrator.ModeKey.Of(full);
        Interlocked.Increment(ref _lookups);
        var lazy = _shapes.GetOrAdd(key, _ => new Lazy<ExactPiecewiseIntegrator.PatternShape>(() =>
        {
            Interlocked.Increment(ref _misses);
            return ExactPiecewiseIntegrator.BuildShape(eq, (UnitMode[])modes.Clone());
        }, LazyThreadSafetyMode.ExecutionAndPublication));
        return lazy.Value;
    }
}

using System.Diagnostics;

namespace ResidualSheaf.Runner.Hunt;

/// <summary>
/// Where a hunt case's time went, phase by phase (seconds of the worker thread): set-up (network, sheaf, static solve, spectra),
/// λ_*, the rate certificate, the stationary-point enumeration, the case's own run, and the exact and tightened re-runs of a
/// candidate. Not a results.csv column (it varies between runs); the hunt sums it into its log and summary.json.
/// </summary>
public sealed class CasePhases
{
    /// <summary>Phase names, in the order they run.</summary>
    public static readonly string[] Names = ["setup", "lambda_star", "certificate", "stationary", "run", "exact", "tight"];

    private readonly double[] _seconds = new double[Names.Length];
    private long _mark = Stopwatch.GetTimestamp();

    /// <summary>Seconds per phase, in <see cref="Names"/> order.</summary>
    public IReadOnlyList<double> Seconds => _seconds;

    /// <summary>Charges the time since the last mark to phase <paramref name="name"/>.</summary>
    public void Charge(string name)
    {
        long now = Stopwatch.GetTimestamp();
        _seconds[Array.IndexOf(Names, name)] += Stopwatch.GetElapsedTime(_mark, now).TotalSeconds;
        _mark = now;
    }

    /// <summary>A thread-safe running total over many cases.</summary>
    public sealed class Totals
    {
        private readonly double[] _sum = new double[Names.Length];
        private readonly object _lock = new();

        /// <summary>Adds a case's phases.</summary>
        public void Add(CasePhases p)
        {
            lock (_lock) for (int i = 0; i < _sum.Length; i++) _sum[i] += p._seconds[i];
        }

        /// <summary>Phase → total seconds.</summary>
        public Dictionary<string, double> Snapshot()
        {
            lock (_lock) return Names.Select((n, i) => (n, _sum[i])).ToDictionary(t => t.n, t => t.Item2);
        }
    }
}

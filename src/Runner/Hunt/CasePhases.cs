using System.Diagnostics;

namespace ResidualSheaf.Runner.Hunt;

/// <summary>
/// Where a hunt case's time went, phase by phase (seconds of the worker thread): set-up (network, sheaf, static solve, spectra),
/// λ_*, the rate certificate, the stationary-point enumeration, the case's own run, and the exact and tightened re-runs of a
/// candidate, as wall time and as the worker thread's CPU time (<see cref="ThreadCpuClock"/>; on a loaded machine the two differ).
/// Not a results.csv column (it varies between runs); the hunt sums it into its log and summary.json.
/// </summary>
public sealed class CasePhases
{
    /// <summary>Phase names, in the order they run.</summary>
    public static readonly string[] Names = ["setup", "lambda_star", "certificate", "stationary", "run", "exact", "tight"];

    private readonly double[] _seconds = new double[Names.Length];
    private readonly double[] _cpuSeconds = new double[Names.Length];
    private long _mark = Stopwatch.GetTimestamp();
    private double _cpuMark = ThreadCpuClock.Seconds();

    /// <summary>Seconds per phase, in <see cref="Names"/> order.</summary>
    public IReadOnlyList<double> Seconds => _seconds;

    /// <summary>Charges the time since the last mark to phase <paramref name="name"/>.</summary>
    public void Charge(string name)
    {
        long now = Stopwatch.GetTimestamp();
        double cpu = ThreadCpuClock.Seconds();
        int i = Array.IndexOf(Names, name);
        _seconds[i] += Stopwatch.GetElapsedTime(_mark, now).TotalSeconds;
        _cpuSeconds[i] += cpu - _cpuMark;
        _mark = now;
        _cpuMark = cpu;
    }

    /// <summary>A thread-safe running total over many cases.</summary>
    public sealed class Totals
    {
        private readonly double[] _sum = new double[Names.Length];
        private readonly double[] _cpuSum = new double[Names.Length];
        private readonly object _lock = new();

        /// <summary>Adds a case's phases.</summary>
        public void Add(CasePhases p)
        {
            lock (_lock)
            {
                for (int i = 0; i < _sum.Length; i++)
                {
                    _sum[i] += p._seconds[i];
                    _cpuSum[i] += p._cpuSeconds[i];
                }
            }
        }

        /// <summary>Phase → total wall seconds.</summary>
        public Dictionary<string, double> Snapshot() => Of(_sum);

        /// <summary>Phase → total CPU seconds of the worker threads (NaN where the thread clock is unavailable).</summary>
        public Dictionary<string, double> CpuSnapshot() => Of(_cpuSum);

        private Dictionary<string, double> Of(double[] sums)
        {
            lock (_lock) return Names.Select((n, i) => (n, sums[i])).ToDictionary(t => t.n, t => t.Item2);
        }
    }
}

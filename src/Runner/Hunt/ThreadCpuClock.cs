using System.Runtime.InteropServices;

namespace ResidualSheaf.Runner.Hunt;

/// <summary>
/// CPU time of the calling thread (Linux <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>): on a shared machine a phase's wall time
/// counts the time other processes had the core, its CPU time does not. Elsewhere (no such clock) it reports NaN.
/// </summary>
internal static class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3;
    private static readonly bool Available = OperatingSystem.IsLinux() && Probe();

    /// <summary>Seconds of CPU the calling thread has used, or NaN where the clock is unavailable.</summary>
    public static double Seconds()
    {
        if (!Available || ClockGetTime(ClockThreadCpuTimeId, out var ts) != 0) return double.NaN;
        return ts.Seconds + (ts.Nanoseconds * 1e-9);
    }

    private static bool Probe()
    {
        try
        {
            return ClockGetTime(ClockThreadCpuTimeId, out _) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int ClockGetTime(int clock, out TimeSpec time);
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Hotline.Cti.Media.Clock;

/// <summary>
/// Sub-millisecond sleeps for the clock lanes. <see cref="Thread.Sleep(TimeSpan)"/> has millisecond granularity,
/// so the last millisecond before a deadline used to be spent yielding and spinning: with four deadlines per period
/// that burnt ~20 % of a core per lane, and a SCHED_FIFO thread spinning starves everything else on its core.
/// On Linux <c>nanosleep(2)</c> wakes a SCHED_FIFO thread within tens of µs (its timer slack is 0).
/// </summary>
internal static partial class PreciseSleep
{
    public static bool IsAvailable { get; } = Probe();

    /// <summary>Sleeps about <paramref name="microseconds"/>; false when not available (caller falls back).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool Sleep(long microseconds)
    {
        if (!IsAvailable) return false;
        var request = new TimeSpec { Seconds = microseconds / 1_000_000, Nanoseconds = microseconds % 1_000_000 * 1000 };
        NanoSleep(ref request, IntPtr.Zero); // EINTR: the caller re-checks the deadline anyway
        return true;
    }

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            var zero = default(TimeSpec);
            return NanoSleep(ref zero, IntPtr.Zero) == 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
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

    [LibraryImport("libc", EntryPoint = "nanosleep")]
    private static partial int NanoSleep(ref TimeSpec request, IntPtr remaining);
}

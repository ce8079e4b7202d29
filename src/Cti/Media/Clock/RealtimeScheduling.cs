using System.Runtime.InteropServices;

namespace Hotline.Cti.Media.Clock;

/// <summary>
/// Puts the calling thread in Linux's SCHED_FIFO real-time class, as media servers do (Asterisk <c>-p</c>,
/// FreeSWITCH <c>-rp</c>): a 20 ms clock must wake on time even when compilers or batch jobs keep every core busy.
/// .NET's <see cref="ThreadPriority"/> does nothing on Linux. Needs root or CAP_SYS_NICE; without it the clock
/// keeps normal priority and says so. The kernel's RT throttling (sched_rt_runtime_us) still bounds a runaway.
/// </summary>
internal static partial class RealtimeScheduling
{
    private const int SchedFifo = 1;

    /// <summary>Returns null on success, else why it could not.</summary>
    public static string? TryEnterForCurrentThread(int priority)
    {
        if (!OperatingSystem.IsLinux()) return "real-time scheduling is only implemented on Linux";
        var param = new SchedParam { Priority = priority };
        try
        {
            return SchedSetScheduler(0, SchedFifo, ref param) == 0 ? null : $"sched_setscheduler failed (errno {Marshal.GetLastPInvokeError()})";
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return ex.Message;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct SchedParam
    {
        public int Priority;
    }

    // pid 0 = the calling thread (Linux schedules threads individually).
    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static partial int SchedSetScheduler(int pid, int policy, ref SchedParam param);
}

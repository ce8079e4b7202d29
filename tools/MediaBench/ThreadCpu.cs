using System.Globalization;

namespace Hotline.MediaBench;

/// <summary>
/// CPU time of this process's threads by role, from <c>/proc/self/task/*/schedstat</c> (first field: ns on a CPU,
/// kernel time in system calls included). The clock lanes (<c>media-clock-N</c>) are the engine's send path; the
/// sinks (<c>sink</c>) stand in for the callers' phones and are not the engine. Zeros off Linux.
/// </summary>
internal readonly record struct ThreadCpu(double ClockSeconds, double SinkSeconds, double OtherSeconds)
{
    public static ThreadCpu Now()
    {
        if (!Directory.Exists("/proc/self/task")) return default;
        double clock = 0, sink = 0, other = 0;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            string comm, schedstat;
            try
            {
                comm = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                schedstat = File.ReadAllText(Path.Combine(task, "schedstat"));
            }
            catch (IOException)
            {
                continue; // the thread ended meanwhile
            }
            var seconds = long.Parse(schedstat.AsSpan(0, schedstat.IndexOf(' ')), CultureInfo.InvariantCulture) / 1e9;
            if (comm.StartsWith("media-clock", StringComparison.Ordinal)) clock += seconds;
            else if (comm == "sink") sink += seconds;
            else other += seconds;
        }
        return new ThreadCpu(clock, sink, other);
    }

    public static ThreadCpu operator -(ThreadCpu a, ThreadCpu b) =>
        new(a.ClockSeconds - b.ClockSeconds, a.SinkSeconds - b.SinkSeconds, a.OtherSeconds - b.OtherSeconds);
}

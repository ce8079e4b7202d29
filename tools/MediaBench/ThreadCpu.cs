using System.Globalization;

namespace Hotline.MediaBench;

/// <summary>
/// CPU time of this process's threads by role, from <c>/proc/self/task/*/schedstat</c> (first field: ns on a CPU,
/// kernel time in system calls included). The clock lanes (<c>media-clock-N</c>) are the engine's send path; the
/// receive threads (<c>media-receive-N</c>) the engine's receive path; the sinks (<c>sink</c>) stand in for the callers'
/// phones and are not the engine. Per thread, so threads that ended
/// or started between two snapshots count only for what they ran in between. Empty off Linux.
/// </summary>
internal sealed class ThreadCpu
{
    private readonly Dictionary<int, (string Role, long Nanoseconds)> _threads = [];

    public static ThreadCpu Now()
    {
        var snapshot = new ThreadCpu();
        if (!Directory.Exists("/proc/self/task")) return snapshot;
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
            var role = comm.StartsWith("media-clock", StringComparison.Ordinal) ? "clock"
                : comm.StartsWith("media-receive", StringComparison.Ordinal) ? "receive"
                : comm == "sink" ? "sink" : "other";
            var ns = long.Parse(schedstat.AsSpan(0, schedstat.IndexOf(' ')), CultureInfo.InvariantCulture);
            snapshot._threads[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] = (role, ns);
        }
        return snapshot;
    }

    /// <summary>Seconds of CPU per role between <paramref name="before"/> and this snapshot.</summary>
    public (double Clock, double Sink, double Receive, double Other) Since(ThreadCpu before)
    {
        double clock = 0, sink = 0, receive = 0, other = 0;
        foreach (var (tid, now) in _threads)
        {
            var seconds = (now.Nanoseconds - (before._threads.TryGetValue(tid, out var then) ? then.Nanoseconds : 0)) / 1e9;
            switch (now.Role)
            {
                case "clock": clock += seconds; break;
                case "sink": sink += seconds; break;
                case "receive": receive += seconds; break;
                default: other += seconds; break;
            }
        }
        return (clock, sink, receive, other);
    }
}

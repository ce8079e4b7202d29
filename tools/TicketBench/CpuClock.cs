using System.Globalization;

namespace Hotline.TicketBench;

/// <summary>
/// CPU time from /proc (clock ticks of 1/100 s): a process's own, a process tree's (PostgreSQL's backends are the
/// postmaster's children), and the machine's steal. On a shared machine CPU per event is steadier than wall time.
/// </summary>
internal static class CpuClock
{
    /// <summary>utime + stime of one process (fields 14 and 15 of /proc/PID/stat).</summary>
    public static double Seconds(int pid) => Fields(pid) is { } f ? (Tick(f[11]) + Tick(f[12])) / 100.0 : 0;

    /// <summary>
    /// utime + stime + cutime + cstime of a process and every live descendant: a child that has exited and been waited
    /// for is in its parent's cutime/cstime, a live one in its own utime/stime, so each tick is counted once.
    /// </summary>
    public static double TreeSeconds(int root) =>
        Tree(root).Sum(pid => Fields(pid) is { } f ? Tick(f[11]) + Tick(f[12]) + Tick(f[13]) + Tick(f[14]) : 0) / 100.0;

    /// <summary>The processes under <paramref name="root"/>, itself included (PostgreSQL's backends under its postmaster).</summary>
    public static List<int> Tree(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            if (Fields(pid) is { } f) parents[pid] = int.Parse(f[1], CultureInfo.InvariantCulture);
        }
        var tree = new List<int>();
        foreach (var pid in parents.Keys)
            for (var p = pid; p > 1; p = parents.GetValueOrDefault(p, 1))
                if (p == root)
                {
                    tree.Add(pid);
                    break;
                }
        return tree;
    }

    /// <summary>
    /// The machine's (total, steal, idle) jiffies from the first line of /proc/stat; idle counts idle and iowait,
    /// the time no process could use a core.
    /// </summary>
    public static (long Total, long Steal, long Idle) Machine()
    {
        var f = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long total = 0;
        for (var i = 1; i < f.Length && i <= 8; i++) total += Tick(f[i]);
        return (total, Tick(f[8]), Tick(f[4]) + Tick(f[5]));
    }

    public static string StealSince((long Total, long Steal, long Idle) before)
    {
        var now = Machine();
        var total = now.Total - before.Total;
        return total <= 0 ? "n/a" : $"{100.0 * (now.Steal - before.Steal) / total:F2} %";
    }

    /// <summary>
    /// How much of the machine's cores were busy (not idle, not waiting for I/O) since <paramref name="before"/>:
    /// near 100 % means the run was bounded by the cores, not by the program.
    /// </summary>
    public static string BusySince((long Total, long Steal, long Idle) before)
    {
        var now = Machine();
        var total = now.Total - before.Total;
        return total <= 0 ? "n/a" : $"{100.0 * (total - (now.Idle - before.Idle)) / total:F0} % of {Environment.ProcessorCount} cores";
    }

    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static string[]? Fields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after "(comm)": state is [0], ppid [1], utime [11], stime [12], cutime [13], cstime [14].
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;   // The process ended between the listing and the read.
        }
    }

    private static long Tick(string s) => long.Parse(s, CultureInfo.InvariantCulture);
}

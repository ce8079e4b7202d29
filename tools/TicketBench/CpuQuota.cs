using System.Globalization;

namespace Hotline.TicketBench;

/// <summary>
/// A process confined to a share of one core (<c>--instance-cpu P</c>: P % of one core), through the cgroup v1 cpu
/// controller (<c>/sys/fs/cgroup/cpu</c>, root) or cgroup v2 (<c>cpu.max</c>). It stands in for "an instance with a core of
/// its own" on a machine too small to give each TicketApi, the database server and the publishers their own cores: each
/// instance gets the same CPU whether it runs alone or beside another, so the two-instance rate says how the instances
/// scale, not what two cores shared by five processes leave them. Removed on dispose (after the process ended).
/// </summary>
internal sealed class CpuQuota : IDisposable
{
    private const int PeriodMicroseconds = 100_000;
    private readonly string _group;

    private CpuQuota(string group) => _group = group;

    public static CpuQuota Confine(int pid, int percentOfOneCore, string name)
    {
        var v1 = "/sys/fs/cgroup/cpu";
        var v2 = "/sys/fs/cgroup";
        var quota = (PeriodMicroseconds * percentOfOneCore / 100).ToString(CultureInfo.InvariantCulture);
        if (File.Exists(Path.Combine(v1, "cpu.cfs_quota_us")))
        {
            var group = Directory.CreateDirectory(Path.Combine(v1, name)).FullName;
            File.WriteAllText(Path.Combine(group, "cpu.cfs_period_us"), PeriodMicroseconds.ToString(CultureInfo.InvariantCulture));
            File.WriteAllText(Path.Combine(group, "cpu.cfs_quota_us"), quota);
            File.WriteAllText(Path.Combine(group, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));
            return new CpuQuota(group);
        }
        if (File.Exists(Path.Combine(v2, "cgroup.controllers")))
        {
            var group = Directory.CreateDirectory(Path.Combine(v2, name)).FullName;
            File.WriteAllText(Path.Combine(group, "cpu.max"), $"{quota} {PeriodMicroseconds}");
            File.WriteAllText(Path.Combine(group, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));
            return new CpuQuota(group);
        }
        throw new InvalidOperationException("--instance-cpu needs a writable cgroup cpu controller (/sys/fs/cgroup/cpu or cgroup v2), i.e. root");
    }

    /// <summary>Microseconds the group was held back by its quota (cpu.stat <c>throttled_time</c>, ns → µs), when known.</summary>
    public long ThrottledMicroseconds()
    {
        foreach (var line in File.ReadLines(Path.Combine(_group, "cpu.stat")))
        {
            var parts = line.Split(' ');
            if (parts[0] == "throttled_time") return long.Parse(parts[1], CultureInfo.InvariantCulture) / 1000;   // v1: ns
            if (parts[0] == "throttled_usec") return long.Parse(parts[1], CultureInfo.InvariantCulture);          // v2
        }
        return 0;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_group); // Empty once its process ended (rmdir of a cgroup).
        }
        catch (IOException)
        {
        }
    }
}

using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Hotline.TestSupport;

/// <summary>
/// Loopback ports the OS says are free right now (TCP and UDP both), picked where nothing else picks:
/// <list type="bullet">
/// <item>Outside the kernel's ephemeral range (<c>/proc/sys/net/ipv4/ip_local_port_range</c>) and outside the engine's
/// default RTP range (20000–29999): 10000–19999, 30000 up to the ephemeral range, and above it. A port from the
/// ephemeral range, free when probed, can be taken by any outgoing connection on the machine before its peer binds it:
/// a TicketApi host once failed to start on such a port (CI, 4 Dec: "address already in use", five tests lost).</item>
/// <item>Never one handed out in the last ten minutes, by this process or by another test process of the same user
/// (a claim file per port in the temp folder): a port chosen but not yet bound by its peer looks free to the next
/// caller (a sipp once got its own SIP port as its media port).</item>
/// <item>In order from a cursor that starts at a random place of the pool (so test processes start apart), not at
/// random places: the ports held lie together, and the rest of the pool stays in long free runs for callers that want
/// 10–25 consecutive ports (random singles had left no such run by mid-run, 4 Dec).</item>
/// </list>
/// Where the machine leaves too few such ports (a wide ephemeral range), the kernel's own choice is used instead.
/// </summary>
public static class FreePort
{
    private const long HoldMilliseconds = 10 * 60 * 1000;
    private static readonly Dictionary<int, long> HandedOut = [];
    private static readonly (int First, int End)[] Pool = PoolOutsideEphemeral();
    private static readonly string? ClaimFolder = CreateClaimFolder();
    private static int _cursor = -1; // under HandedOut's lock

    /// <summary>A port free for both TCP and UDP on 127.0.0.1; with <paramref name="consecutive"/> &gt; 1, the first of that many free ones.</summary>
    public static int Next(int consecutive = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(consecutive, 1);
        if (!Pool.Any(s => s.End - s.First >= consecutive)) return FromKernel(consecutive);
        lock (HandedOut) // Two tests asking at once must not both get the port.
        {
            var size = Pool.Sum(s => s.End - s.First);
            if (_cursor < 0) _cursor = PortAt(Random.Shared.Next(size));
            var first = _cursor;
            for (var scanned = 0; scanned <= 2 * size;)
            {
                var segment = Array.FindIndex(Pool, s => first >= s.First && first < s.End);
                if (segment < 0 || first + consecutive > Pool[segment].End)
                {
                    // Off the end of a segment (or between two): on to the next segment; after the last, the first.
                    var next = Array.FindIndex(Pool, s => s.First > first);
                    scanned += segment < 0 ? 1 : Pool[segment].End - first;
                    first = Pool[next < 0 ? 0 : next].First;
                    continue;
                }
                var taken = Enumerable.Range(first, consecutive).FirstOrDefault(p => RecentlyHandedOut(p) || !IsFree(p), -1);
                if (taken < 0)
                {
                    taken = ClaimAcrossProcesses(first, consecutive);
                    if (taken < 0)
                    {
                        var now = Environment.TickCount64;
                        foreach (var p in Enumerable.Range(first, consecutive)) HandedOut[p] = now;
                        _cursor = first + consecutive;
                        return first;
                    }
                }
                scanned += taken + 1 - first;
                first = taken + 1;
            }
        }
        throw new InvalidOperationException($"No {consecutive} free consecutive loopback port(s) left in the test pool.");
    }

    private static int PortAt(int index)
    {
        foreach (var (first, end) in Pool)
        {
            if (index < end - first) return first + index;
            index -= end - first;
        }
        return Pool[0].First;
    }

    private static int FromKernel(int consecutive)
    {
        for (var attempt = 0; attempt < 500; attempt++)
        {
            int first;
            using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                first = ((IPEndPoint)probe.LocalEndPoint!).Port;
            }
            if (first + consecutive >= 65535) continue;
            lock (HandedOut)
            {
                if (!Enumerable.Range(first, consecutive).All(p => !RecentlyHandedOut(p) && IsFree(p))) continue;
                if (ClaimAcrossProcesses(first, consecutive) >= 0) continue;
                var now = Environment.TickCount64;
                foreach (var p in Enumerable.Range(first, consecutive)) HandedOut[p] = now;
                return first;
            }
        }
        throw new InvalidOperationException("No free loopback port found.");
    }

    /// <summary>10000–19999, 30000 up to the ephemeral range, and above it up to 65534; empty when together under 2000 ports.</summary>
    private static (int First, int End)[] PoolOutsideEphemeral()
    {
        int low = 32768, high = 60999; // Linux's default.
        try
        {
            var parts = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            low = int.Parse(parts[0], CultureInfo.InvariantCulture);
            high = int.Parse(parts[1], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // Not Linux, or unreadable: assume the default.
        }
        // The engine's default RTP range (Rtp:PortMin/PortMax 20000–29999) is left out: engines under test use it.
        (int First, int End)[] wanted = [(10000, 20000), (30000, 65535)];
        var segments = new List<(int, int)>();
        foreach (var (first, end) in wanted)
        {
            // Each wanted range less the ephemeral one [low, high]: what lies below it and what lies above it.
            if (first < low) segments.Add((first, Math.Min(end, low)));
            if (end > high + 1) segments.Add((Math.Max(first, high + 1), end));
        }
        return segments.Sum(s => s.Item2 - s.Item1) >= 2000 ? [.. segments] : [];
    }

    private static bool RecentlyHandedOut(int port) =>
        HandedOut.TryGetValue(port, out var at) && Environment.TickCount64 - at < HoldMilliseconds;

    private static string? CreateClaimFolder()
    {
        try
        {
            var folder = Path.Combine(Path.GetTempPath(), $"hotline-test-ports-{Environment.UserName}");
            Directory.CreateDirectory(folder);
            return folder;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // Claims then hold within this process only.
        }
    }

    /// <summary>
    /// Claims the ports for ten minutes against the other test processes: a claim file per port, created only if absent
    /// (or older than ten minutes). All or none: a range partly claimed elsewhere is given back, and the first port
    /// claimed elsewhere is returned; -1 when all are now ours.
    /// </summary>
    private static int ClaimAcrossProcesses(int first, int consecutive)
    {
        if (ClaimFolder is null) return -1;
        var claimed = new List<string>();
        foreach (var port in Enumerable.Range(first, consecutive))
        {
            var path = Path.Combine(ClaimFolder, port.ToString(CultureInfo.InvariantCulture));
            if (TryClaim(path))
            {
                claimed.Add(path);
                continue;
            }
            foreach (var mine in claimed) File.Delete(mine);
            return port;
        }
        return -1;
    }

    private static bool TryClaim(string path)
    {
        try
        {
            using (new FileStream(path, FileMode.CreateNew, FileAccess.Write)) { }
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            try
            {
                if (DateTime.UtcNow - File.GetLastWriteTimeUtc(path) < TimeSpan.FromMilliseconds(HoldMilliseconds)) return false;
                File.SetLastWriteTimeUtc(path, DateTime.UtcNow); // A stale claim: take it over.
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true; // The folder went away or is not ours: this process's own record still holds.
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

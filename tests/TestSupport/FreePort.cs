using System.Net;
using System.Net.Sockets;

namespace Hotline.TestSupport;

/// <summary>
/// Loopback ports the OS says are free right now (TCP and UDP both), picked where nothing else picks:
/// <list type="bullet">
/// <item>Outside the kernel's ephemeral range (<c>/proc/sys/net/ipv4/ip_local_port_range</c>) and outside the engine's
/// default RTP range (20000–29999). A port from the ephemeral range, free when probed, can be taken by any outgoing
/// connection on the machine before its peer binds it: a TicketApi host once failed to start on such a port
/// (CI, 4 Dec: "address already in use", five tests of one fixture lost).</item>
/// <item>Never one handed out in the last ten minutes, by this process or by another test process of the same user
/// (a claim file per port in the temp folder): a port chosen but not yet bound by its peer looks free to the next
/// caller (a sipp once got its own SIP port as its media port).</item>
/// </list>
/// Where the machine leaves too few such ports (a wide ephemeral range), the kernel's own choice is used as before.
/// </summary>
public static class FreePort
{
    private const long HoldMilliseconds = 10 * 60 * 1000;
    private static readonly Dictionary<int, long> HandedOut = [];
    private static readonly (int First, int End)[] Pool = PoolOutsideEphemeral();
    private static readonly string? ClaimFolder = CreateClaimFolder();

    /// <summary>A port free for both TCP and UDP on 127.0.0.1; with <paramref name="consecutive"/> &gt; 1, the first of that many free ones.</summary>
    public static int Next(int consecutive = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(consecutive, 1);
        for (var attempt = 0; attempt < 2000; attempt++)
        {
            var first = Candidate(consecutive);
            if (first < 0) continue;
            lock (HandedOut) // Two tests asking at once must not both get the port.
            {
                if (!Enumerable.Range(first, consecutive).All(p => !RecentlyHandedOut(p) && IsFree(p))) continue;
                if (!ClaimAcrossProcesses(first, consecutive)) continue;
                var now = Environment.TickCount64;
                foreach (var p in Enumerable.Range(first, consecutive)) HandedOut[p] = now;
                return first;
            }
        }
        throw new InvalidOperationException("No free loopback port found.");
    }

    private static int Candidate(int consecutive)
    {
        var fitting = Pool.Where(s => s.End - s.First >= consecutive).ToArray();
        if (fitting.Length == 0)
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)probe.LocalEndPoint!).Port;
            return port + consecutive >= 65535 ? -1 : port;
        }
        // Segments weighted by size, so every port of the pool is equally likely.
        var pick = Random.Shared.Next(fitting.Sum(s => s.End - s.First - consecutive + 1));
        foreach (var (first, end) in fitting)
        {
            var starts = end - first - consecutive + 1;
            if (pick < starts) return first + pick;
            pick -= starts;
        }
        return -1;
    }

    /// <summary>30000 up to the ephemeral range, and above it up to 65534; empty when together under 2000 ports.</summary>
    private static (int, int)[] PoolOutsideEphemeral()
    {
        int low = 32768, high = 60999; // Linux's default.
        try
        {
            var parts = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            low = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
            high = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // Not Linux, or unreadable: assume the default.
        }
        const int floor = 30000; // Above the engine's default RTP range (Rtp:PortMin/PortMax 20000–29999).
        var segments = new List<(int, int)>();
        if (low > floor) segments.Add((floor, Math.Min(low, 65535)));
        if (high + 1 < 65535) segments.Add((Math.Max(high + 1, floor), 65535));
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
    /// (or older than ten minutes). All or none: a range partly claimed elsewhere is given back.
    /// </summary>
    private static bool ClaimAcrossProcesses(int first, int consecutive)
    {
        if (ClaimFolder is null) return true;
        var claimed = new List<string>();
        foreach (var port in Enumerable.Range(first, consecutive))
        {
            var path = Path.Combine(ClaimFolder, port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (TryClaim(path))
            {
                claimed.Add(path);
                continue;
            }
            foreach (var mine in claimed) File.Delete(mine);
            return false;
        }
        return true;
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
            return true; // The folder went away or is not ours: fall back to this process's own record.
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

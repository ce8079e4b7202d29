using System.Net;
using System.Net.Sockets;

namespace Hotline.TestSupport;

/// <summary>
/// Loopback ports the OS says are free right now (TCP and UDP both), never one this process handed out in the last
/// ten minutes: a port chosen but not yet bound by its peer looks free to the next caller, and the kernel happily
/// returns a just-released ephemeral port again (a sipp whose media port was its own SIP port, issue 21's loop run).
/// </summary>
public static class FreePort
{
    /// <summary>A port free for both TCP and UDP on 127.0.0.1; with <paramref name="consecutive"/> &gt; 1, the first of that many free ones.</summary>
    public static int Next(int consecutive = 1)
    {
        for (var attempt = 0; attempt < 500; attempt++)
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var first = ((IPEndPoint)probe.LocalEndPoint!).Port;
            if (first + consecutive >= 65535) continue;
            probe.Close();
            lock (HandedOut) // Two tests asking at once must not both get the port.
            {
                if (!Enumerable.Range(first, consecutive).All(p => !RecentlyHandedOut(p) && IsFree(p))) continue;
                var now = Environment.TickCount64;
                foreach (var p in Enumerable.Range(first, consecutive)) HandedOut[p] = now;
                return first;
            }
        }
        throw new InvalidOperationException("No free loopback port found.");
    }

    private static readonly Dictionary<int, long> HandedOut = [];

    private static bool RecentlyHandedOut(int port) =>
        HandedOut.TryGetValue(port, out var at) && Environment.TickCount64 - at < 10 * 60 * 1000;

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

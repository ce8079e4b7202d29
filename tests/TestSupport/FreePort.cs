using System.Net;
using System.Net.Sockets;

namespace Hotline.TestSupport;

/// <summary>Loopback ports the OS says are free right now (TCP and UDP both).</summary>
public static class FreePort
{
    /// <summary>A port free for both TCP and UDP on 127.0.0.1; with <paramref name="consecutive"/> &gt; 1, the first of that many free ones.</summary>
    public static int Next(int consecutive = 1)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var first = ((IPEndPoint)probe.LocalEndPoint!).Port;
            if (first + consecutive >= 65535) continue;
            probe.Close();
            if (Enumerable.Range(first, consecutive).All(IsFree))
                return first;
        }
        throw new InvalidOperationException("No free loopback port found.");
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

using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Hotline.MediaBench;

/// <summary>
/// The anchor for CPU per relayed RTP packet: Debian's rtpengine in userspace forwarding (<c>--table=-1</c>), driven
/// over its ng control protocol (bencoded dictionaries over UDP, "cookie dict"). For each stream the sink's SDP is
/// offered and the engine session's SDP answered, so the session sends to rtpengine and rtpengine relays to the sink.
/// Loopback only; a bench tool, not part of the engine.
/// </summary>
internal sealed class RtpengineNg(IPEndPoint control, int processId) : IDisposable
{
    private readonly Socket _socket = NewSocket();
    private int _cookie;

    private static Socket NewSocket()
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 5000 };
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return s;
    }

    public static RtpengineNg Parse(string value, int processId)
    {
        var parts = value.Split(':');
        return new RtpengineNg(new IPEndPoint(IPAddress.Parse(parts[0]), int.Parse(parts[1], CultureInfo.InvariantCulture)), processId);
    }

    /// <summary>The offer as rtpengine rewrote it (its own port in m=), for the engine session to answer.</summary>
    public string Offer(string callId, string sdp) => Command("offer", callId, "caller", null, sdp);

    public void Answer(string callId, string sdp) => Command("answer", callId, "caller", "engine", sdp);

    /// <summary>rtpengine's CPU time so far (all its threads), from /proc.</summary>
    public double CpuSeconds()
    {
        double total = 0;
        foreach (var task in Directory.EnumerateDirectories($"/proc/{processId}/task"))
        {
            var schedstat = File.ReadAllText(Path.Combine(task, "schedstat"));
            total += long.Parse(schedstat.AsSpan(0, schedstat.IndexOf(' ')), CultureInfo.InvariantCulture) / 1e9;
        }
        return total;
    }

    private string Command(string command, string callId, string fromTag, string? toTag, string sdp)
    {
        var body = new StringBuilder("d");
        Pair(body, "call-id", callId);
        Pair(body, "command", command);
        Pair(body, "from-tag", fromTag);
        Pair(body, "sdp", sdp);
        if (toTag is not null) Pair(body, "to-tag", toTag);
        body.Append('e');
        var cookie = (++_cookie).ToString(CultureInfo.InvariantCulture);
        _socket.SendTo(Encoding.ASCII.GetBytes(cookie + " " + body), control);
        var buffer = new byte[65536];
        var n = _socket.Receive(buffer);
        var reply = Encoding.ASCII.GetString(buffer, 0, n);
        if (!reply.StartsWith(cookie + " ", StringComparison.Ordinal) || !reply.Contains("6:result2:ok", StringComparison.Ordinal))
            throw new InvalidOperationException($"rtpengine {command} failed: {reply}");
        var at = reply.IndexOf("3:sdp", StringComparison.Ordinal) + 5;
        var colon = reply.IndexOf(':', at);
        var length = int.Parse(reply.AsSpan(at, colon - at), CultureInfo.InvariantCulture);
        return reply.Substring(colon + 1, length);
    }

    // Bencoding: keys sorted (they are, above), strings as <length>:<bytes> (ASCII here).
    private static void Pair(StringBuilder b, string key, string value) =>
        b.Append(key.Length).Append(':').Append(key).Append(Encoding.ASCII.GetByteCount(value)).Append(':').Append(value);

    public void Dispose() => _socket.Dispose();
}

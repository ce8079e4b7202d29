using System.Net;
using System.Net.Sockets;
using Hotline.Cti.Media.Codecs;
using Hotline.Cti.Media.Rtp;

namespace Hotline.Cti.Tests.Media.Support;

/// <summary>A plain UDP socket on loopback playing the far end of an RTP stream in tests.</summary>
internal sealed class RtpPeer : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private ushort _sequence = 1000;
    private uint _timestamp = 50_000;

    public RtpPeer(int port = 0)
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
    }

    public IPEndPoint EndPoint => (IPEndPoint)_socket.LocalEndPoint!;
    public uint Ssrc { get; } = 0x1234_5678;

    /// <summary>An SDP offer as a softphone would send it, from this peer's address.</summary>
    public string Offer(string direction = "sendrecv", string formats = "0 101", string address = "127.0.0.1") =>
        $"v=0\r\no=peer 1 1 IN IP4 {address}\r\ns=-\r\nc=IN IP4 {address}\r\nt=0 0\r\n" +
        $"m=audio {EndPoint.Port} RTP/AVP {formats}\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n" +
        $"a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na={direction}\r\n";

    public void SendRaw(byte[] datagram, IPEndPoint to) => _socket.SendTo(datagram, to);

    /// <summary>Sends one 20 ms μ-law frame of <paramref name="pcm"/>.</summary>
    public void SendAudio(ReadOnlySpan<short> pcm, IPEndPoint to)
    {
        var packet = new byte[RtpPacket.HeaderLength + pcm.Length];
        RtpPacket.WriteHeader(packet, false, 0, _sequence++, _timestamp, Ssrc);
        G711.Encode(G711Law.Ulaw, pcm, packet.AsSpan(RtpPacket.HeaderLength));
        _timestamp += (uint)pcm.Length;
        _socket.SendTo(packet, to);
    }

    /// <summary>The next datagram, or null after <paramref name="timeoutMs"/>.</summary>
    public byte[]? Receive(int timeoutMs = 2000)
    {
        if (!_socket.Poll(timeoutMs * 1000, SelectMode.SelectRead)) return null;
        var buffer = new byte[2048];
        var n = _socket.Receive(buffer);
        return buffer[..n];
    }

    public void Dispose() => _socket.Dispose();
}

/// <summary>Test-side waits on conditions the code under test reaches asynchronously (a packet processed).</summary>
internal static class Eventually
{
    public static void True(Func<bool> condition, string what)
    {
        Assert.That(SpinWait.SpinUntil(condition, TimeSpan.FromSeconds(5)), Is.True, $"timed out waiting for {what}");
    }
}

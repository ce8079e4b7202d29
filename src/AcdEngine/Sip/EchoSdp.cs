using System.Globalization;
using System.Text;

namespace Hotline.AcdEngine.Sip;

/// <summary>
/// A minimal SDP answer (RFC 4566, RFC 3264) for the echo number until the media core answers for real:
/// PCMU plus telephone-event, on an even RTP port taken round-robin from a range.
/// </summary>
public sealed class EchoSdp(string address, int firstPort = 40000, int lastPort = 49998)
{
    private int _next = -2;

    public int NextPort()
    {
        var span = (lastPort - firstPort) / 2 + 1;
        var n = Interlocked.Add(ref _next, 2);
        return firstPort + (int)((uint)n / 2 % (uint)span) * 2;
    }

    public byte[] Answer(int rtpPort)
    {
        var ip = address.Contains(':', StringComparison.Ordinal) ? "IP6" : "IP4";
        var session = (rtpPort * 7919L).ToString(CultureInfo.InvariantCulture);
        var sdp = new StringBuilder()
            .Append("v=0\r\n")
            .Append("o=hotline ").Append(session).Append(' ').Append(session).Append(" IN ").Append(ip).Append(' ').Append(address).Append("\r\n")
            .Append("s=Hotline\r\n")
            .Append("c=IN ").Append(ip).Append(' ').Append(address).Append("\r\n")
            .Append("t=0 0\r\n")
            .Append("m=audio ").Append(rtpPort.ToString(CultureInfo.InvariantCulture)).Append(" RTP/AVP 0 101\r\n")
            .Append("a=rtpmap:0 PCMU/8000\r\n")
            .Append("a=rtpmap:101 telephone-event/8000\r\n")
            .Append("a=fmtp:101 0-16\r\n")
            .Append("a=ptime:20\r\n")
            .Append("a=sendrecv\r\n")
            .ToString();
        return Encoding.ASCII.GetBytes(sdp);
    }
}

using System.Globalization;
using System.Net;
using System.Text;

namespace Hotline.Cti.Media.WebRtc;

/// <summary>
/// The WebRTC lines of our answer for a browser's single audio m-line (RFC 8829 §5.3, RFC 8839, RFC 8843):
/// session-level <c>a=group:BUNDLE</c> and <c>a=ice-lite</c> (RFC 8445 §2.5: we only answer checks), and in the
/// m-section <c>a=mid</c> (the offer's), <c>a=ice-ufrag/ice-pwd</c>, our one host candidate (RFC 8839 §5.1,
/// priority per RFC 8445 §5.1.2.1 with type preference 126), <c>a=end-of-candidates</c>, <c>a=rtcp-mux</c> (RFC 5761:
/// one port), and the DTLS <c>a=fingerprint</c>/<c>a=setup</c> (RFC 8122, RFC 5763 §5) when given.
/// </summary>
public static class WebRtcSdp
{
    /// <summary>Session-level lines: after <c>t=</c>, before the first <c>m=</c>.</summary>
    public static void AppendSession(StringBuilder b, string mid)
    {
        b.Append("a=group:BUNDLE ").Append(mid).Append("\r\n");
        b.Append("a=ice-lite\r\n");
        b.Append("a=msid-semantic: WMS\r\n");
    }

    /// <summary>Media-level lines of the audio m-section.</summary>
    public static void AppendMedia(StringBuilder b, string mid, IceCredentials ice, IPEndPoint host, string? fingerprintSha256 = null, string? setup = null)
    {
        b.Append("a=mid:").Append(mid).Append("\r\n");
        b.Append("a=ice-ufrag:").Append(ice.Ufrag).Append("\r\n");
        b.Append("a=ice-pwd:").Append(ice.Pwd).Append("\r\n");
        b.Append(CultureInfo.InvariantCulture, $"a=candidate:1 1 udp {HostPriority} {host.Address} {host.Port} typ host\r\n");
        b.Append("a=end-of-candidates\r\n");
        b.Append("a=rtcp-mux\r\n");
        if (fingerprintSha256 is not null) b.Append("a=fingerprint:sha-256 ").Append(fingerprintSha256).Append("\r\n");
        if (setup is not null) b.Append("a=setup:").Append(setup).Append("\r\n");
    }

    /// <summary>
    /// Our stream's identity (RFC 8830 <c>a=msid</c>, RFC 5576 <c>a=ssrc</c> with the CNAME our RTCP carries): the
    /// browser then delivers our RTP to a track of a named stream rather than an unsignalled one.
    /// </summary>
    public static void AppendSource(StringBuilder b, uint ssrc)
    {
        var cname = Encoding.ASCII.GetString(Rtp.RtcpPacket.DefaultCname(ssrc));
        b.Append("a=msid:hotline hotline-audio\r\n");
        b.Append(CultureInfo.InvariantCulture, $"a=ssrc:{ssrc} cname:{cname}\r\n");
        b.Append(CultureInfo.InvariantCulture, $"a=ssrc:{ssrc} msid:hotline hotline-audio\r\n");
    }

    /// <summary>RFC 8445 §5.1.2.1: (2^24)·126 + (2^8)·65535 + (256 − 1), host type, one component.</summary>
    public const uint HostPriority = (126u << 24) | (65535u << 8) | 255u;

    /// <summary>
    /// RFC 5763 §5: the answerer's role. To <c>actpass</c> (what browsers offer) or <c>active</c> we answer
    /// <c>passive</c> (we are the DTLS server, and the browser starts the handshake as soon as ICE completes); to
    /// <c>passive</c> we answer <c>active</c> (we are the DTLS client). In a re-offer the role the leg already has
    /// (<paramref name="established"/>) stays (RFC 5763 §5: a new role would be a new DTLS association, which we do
    /// not run): <c>actpass</c> gets it again, an offer that demands the other role is unusable. Null for anything
    /// else (holdconn, garbage): the offer is unusable.
    /// </summary>
    public static string? AnswerSetup(string? offered, DtlsRole? established = null) => (offered, established) switch
    {
        ("actpass", DtlsRole.Client) => "active",
        ("actpass", _) => "passive",
        ("active" or null, DtlsRole.Client) => null, // RFC 4145 §4: absent means active
        ("active" or null, _) => "passive",
        ("passive", DtlsRole.Server) => null,
        ("passive", _) => "active",
        _ => null,
    };

    /// <summary>Our role when we answer <paramref name="ourSetup"/> (<c>passive</c>: server; <c>active</c>: client).</summary>
    public static DtlsRole RoleOf(string ourSetup) => ourSetup == "active" ? DtlsRole.Client : DtlsRole.Server;
}

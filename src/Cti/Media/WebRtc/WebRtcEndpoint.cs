using Hotline.Cti.Media.WebRtc.Dtls;

namespace Hotline.Cti.Media.WebRtc;

/// <summary>
/// Our side of a WebRTC leg, fixed for the leg's life: the ICE credentials (fresh per leg, RFC 8445 §5.3), the
/// engine's DTLS certificate (its fingerprint goes in our SDP) and the leg's RTP SSRC (announced with
/// <c>a=ssrc</c>, RFC 5576, so the browser ties our stream to the track it plays).
/// </summary>
public sealed record WebRtcEndpoint(IceCredentials Ice, DtlsCertificate Certificate, uint Ssrc);

/// <summary>
/// What the browser's SDP told us (RFC 8839, RFC 5763): its ICE ufrag (checks must name it), its certificate's
/// fingerprint (the DTLS client must present that certificate), and our own side. We are always the ICE-lite agent
/// and the DTLS server (the browser answered or offered so that it is <c>active</c>).
/// </summary>
public sealed record WebRtcPeer(string RemoteUfrag, string RemoteFingerprint, WebRtcEndpoint Local)
{
    /// <summary>Same ICE and DTLS identity (a re-INVITE for hold keeps the transport, its keys and its ROC).</summary>
    public bool SameTransportAs(WebRtcPeer? other) =>
        other is not null && other.RemoteUfrag == RemoteUfrag && DtlsCertificate.SameFingerprint(other.RemoteFingerprint, RemoteFingerprint)
        && ReferenceEquals(other.Local, Local);
}

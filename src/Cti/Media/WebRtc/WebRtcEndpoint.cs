using Hotline.Cti.Media.WebRtc.Dtls;

namespace Hotline.Cti.Media.WebRtc;

/// <summary>
/// Our side of a WebRTC leg, fixed for the leg's life: the ICE credentials (fresh per leg, RFC 8445 §5.3), the
/// engine's DTLS certificate (its fingerprint goes in our SDP) and the leg's RTP SSRC (announced with
/// <c>a=ssrc</c>, RFC 5576, so the browser ties our stream to the track it plays).
/// </summary>
public sealed record WebRtcEndpoint(IceCredentials Ice, DtlsCertificate Certificate, uint Ssrc);

/// <summary>Our DTLS role on a WebRTC leg (RFC 5763 §5, from the <c>a=setup</c> exchange).</summary>
public enum DtlsRole
{
    /// <summary>We answered or were answered so that the peer is <c>active</c>: the peer connects, we accept.</summary>
    Server,
    /// <summary>The peer is <c>passive</c> (we answered or were answered <c>active</c>): we send the ClientHello.</summary>
    Client,
}

/// <summary>
/// What the browser's SDP told us (RFC 8839, RFC 5763): its ICE ufrag (checks must name it), its certificate's
/// fingerprint (the DTLS peer must present that certificate), our own side, and our DTLS role. We are always the
/// ICE-lite agent; the DTLS server unless the peer said <c>a=setup:passive</c>.
/// </summary>
public sealed record WebRtcPeer(string RemoteUfrag, string RemoteFingerprint, WebRtcEndpoint Local, DtlsRole Role = DtlsRole.Server)
{
    /// <summary>Same ICE and DTLS identity and role (a re-INVITE for hold keeps the transport, its keys and its ROC).</summary>
    public bool SameTransportAs(WebRtcPeer? other) =>
        other is not null && other.RemoteUfrag == RemoteUfrag && DtlsCertificate.SameFingerprint(other.RemoteFingerprint, RemoteFingerprint)
        && ReferenceEquals(other.Local, Local) && other.Role == Role;
}

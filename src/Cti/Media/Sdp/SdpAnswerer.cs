using System.Globalization;
using System.Net;
using System.Text;
using Hotline.Cti.Media.Codecs;
using Hotline.Cti.Media.Srtp;
using Hotline.Cti.Media.WebRtc;

namespace Hotline.Cti.Media.Sdp;

/// <summary>The result of answering an offer: our SDP and what was agreed, or why the offer is unusable (488).</summary>
public sealed record SdpAnswerResult(bool IsAccepted, string? AnswerSdp, NegotiatedMedia? Media, string? RejectReason)
{
    /// <summary>RFC 3261 §21.4.26: 488 Not Acceptable Here when no media is usable.</summary>
    public const int RejectStatusCode = 488;

    internal static SdpAnswerResult Reject(string reason) => new(false, null, null, reason);
}

/// <summary>
/// One leg's side of SDP offer/answer (RFC 3264): our origin (its version goes up each time our SDP changes,
/// RFC 3264 §8), answers to the peer's offers (initial INVITE and hold/resume re-INVITEs), our offers for outbound
/// legs, and the peer's answers to them. We support PCMU, PCMA and telephone-event, 20 ms, one audio stream, as
/// RTP/AVP or (SDES, RFC 4568) RTP/SAVP according to the leg's <see cref="SrtpPolicy"/>, or — for a browser —
/// UDP/TLS/RTP/SAVPF with ICE-lite and DTLS-SRTP (RFC 8829, <see cref="WebRtcSdp"/>) when the leg has a
/// <see cref="WebRtcEndpoint"/>: a browser's offer is answered that way, and a leg created for a browser offers it;
/// WebRTC media may also use Opus (RFC 7587, <see cref="AllowsOpus"/>).
/// </summary>
public sealed class SdpAnswerer
{
    private readonly IPAddress _localAddress;
    private readonly int _localPort;
    private readonly string _sessionId;
    private ulong _version;
    private string? _lastSdp;
    private SrtpMasterKey? _localKey;
    private DtlsRole? _dtlsRole;

    public SdpAnswerer(IPAddress localAddress, int localPort, long sessionId, SrtpPolicy policy = SrtpPolicy.Optional,
        WebRtcEndpoint? webRtc = null, bool offersWebRtc = false, bool opus = false)
    {
        if (offersWebRtc && webRtc is null) throw new ArgumentException("A WebRTC offer needs the leg's WebRTC endpoint.", nameof(webRtc));
        _localAddress = localAddress;
        _localPort = localPort;
        _sessionId = sessionId.ToString(CultureInfo.InvariantCulture);
        _version = (ulong)sessionId;
        Policy = policy;
        WebRtc = webRtc;
        OffersWebRtc = offersWebRtc;
        AllowsOpus = opus;
    }

    /// <summary>
    /// Opus (RFC 7587) on this leg's WebRTC media (<c>Rtp:WebRtc:Opus</c>): offered first to a browser and accepted in
    /// a browser's offer; decoded/encoded at the edge (<see cref="OpusFrameDecoder"/>). Never on RTP/AVP or SDES legs.
    /// </summary>
    public bool AllowsOpus { get; }

    /// <summary>The payload types of our WebRTC offer's Opus and its 48 kHz telephone-event (dynamic, RFC 3551 §3; Chromium's own numbers).</summary>
    public const byte OpusPayloadType = 111, OpusEventPayloadType = 110;

    /// <summary>Our ICE/DTLS side, when this leg may use WebRTC media (null: RTP/AVP and SDES only).</summary>
    public WebRtcEndpoint? WebRtc { get; }

    /// <summary>Our offers are WebRTC offers (the leg rings a browser).</summary>
    public bool OffersWebRtc { get; }

    /// <summary>RFC 8829 §5.1.2: the profile of a WebRTC audio m-line (UDP/TLS/RTP/SAVP also names DTLS-SRTP, RFC 5764 §8).</summary>
    public const string WebRtcProtocol = "UDP/TLS/RTP/SAVPF";

    private static bool IsDtlsProtocol(string protocol) => protocol is WebRtcProtocol or "UDP/TLS/RTP/SAVP";

    /// <summary>Whether this leg's media is encrypted (fixed for the leg's life).</summary>
    public SrtpPolicy Policy { get; }

    // RFC 4568 §6.1: one master key per leg for what we send, kept across re-INVITEs (the ROC continues).
    private SrtpMasterKey LocalKey => _localKey ??= SrtpMasterKey.Generate();

    /// <summary>Answers an offer. On failure nothing changes and the reason is for the 488's reason phrase.</summary>
    public SdpAnswerResult Answer(string offerText) => Negotiate(offerText, ourOffer: false);

    private SdpAnswerResult Negotiate(string offerText, bool ourOffer)
    {
        if (!SessionDescription.TryParse(offerText, out var offer, out var error))
            return SdpAnswerResult.Reject(error);
        var audioIndex = offer.Media.FindIndex(m => m.Media == "audio" && m.Port != 0);
        if (audioIndex < 0) return SdpAnswerResult.Reject("no audio stream offered");
        var audio = offer.Media[audioIndex];
        if (IsDtlsProtocol(audio.Protocol)) return NegotiateWebRtc(offer, audioIndex, ourOffer);
        if (ourOffer && OffersWebRtc) return SdpAnswerResult.Reject($"we offered {WebRtcProtocol}; the answer has {audio.Protocol}");
        if (audio.Protocol is not ("RTP/AVP" or "RTP/SAVP"))
            return SdpAnswerResult.Reject($"unsupported transport {audio.Protocol} (only RTP/AVP and RTP/SAVP)");
        if (!TryChooseCrypto(audio, ourOffer, out var crypto, out var cryptoError)) return SdpAnswerResult.Reject(cryptoError);
        var (codecPt, law, _, eventPt) = ChooseCodec(audio);
        if (codecPt is null) return SdpAnswerResult.Reject("no common codec (we support PCMU, PCMA)");
        var address = audio.ConnectionAddress ?? offer.ConnectionAddress;
        if (address is null || !IPAddress.TryParse(address, out var remoteIp))
            return SdpAnswerResult.Reject("no usable connection address");
        var offered = audio.Direction ?? offer.Direction ?? MediaDirection.SendRecv;
        // RFC 3264 §8.4: c=0.0.0.0 is the RFC 2543 way to say "hold"; treat it as sendonly.
        if (remoteIp.Equals(IPAddress.Any) && offered == MediaDirection.SendRecv) offered = MediaDirection.SendOnly;
        var local = offered.Reverse();
        SrtpKeying? keying = crypto is null ? null : new SrtpKeying(crypto.Value.Suite, LocalKey, crypto.Value.Key);
        var media = new NegotiatedMedia(law, codecPt.Value, eventPt, new IPEndPoint(remoteIp, audio.Port), local, keying);
        var answerCrypto = crypto is null ? null : SdpCrypto.Format(crypto.Value.Tag, crypto.Value.Suite, LocalKey);
        var sdp = Build(offer.Media, audioIndex, audio.Protocol, codecPt.Value, law, eventPt, local, answerCrypto);
        return new SdpAnswerResult(true, sdp, media, null);
    }

    /// <summary>
    /// RFC 3264 §6.1: keep the offerer's preference order; the first codec we support and the telephone-event of its
    /// clock (RFC 4733 §2.1: events share the audio's RTP clock, 8 kHz for G.711, 48 kHz for Opus). Opus (RFC 7587:
    /// always <c>opus/48000/2</c>) only when <paramref name="opus"/> (browser legs with <c>Rtp:WebRtc:Opus</c>).
    /// </summary>
    private static (byte? Codec, G711Law Law, bool Opus, byte? Event) ChooseCodec(MediaDescription audio, bool opus = false)
    {
        byte? codecPt = null;
        var law = G711Law.Ulaw;
        var isOpus = false;
        byte? event8k = null, event48k = null;
        foreach (var pt in audio.Formats)
        {
            var map = audio.MapOf(pt);
            if (map is null) continue;
            if (map.Encoding.Equals("telephone-event", StringComparison.OrdinalIgnoreCase))
            {
                if (map.ClockRate == AudioFormat.SampleRate) event8k ??= (byte)pt;
                else if (map.ClockRate == Opus.RtpClockRate) event48k ??= (byte)pt;
                continue;
            }
            if (codecPt is not null) continue;
            if (opus && map.ClockRate == Opus.RtpClockRate && map.Encoding.Equals("opus", StringComparison.OrdinalIgnoreCase))
            {
                codecPt = (byte)pt;
                isOpus = true;
            }
            else if (map.ClockRate != AudioFormat.SampleRate) continue;
            else if (map.Encoding.Equals("PCMU", StringComparison.OrdinalIgnoreCase)) { codecPt = (byte)pt; law = G711Law.Ulaw; }
            else if (map.Encoding.Equals("PCMA", StringComparison.OrdinalIgnoreCase)) { codecPt = (byte)pt; law = G711Law.Alaw; }
        }
        return (codecPt, law, isOpus, isOpus ? event48k : event8k);
    }

    /// <summary>
    /// A browser's offer, or its answer to our WebRTC offer (RFC 8829 §5.3, §5.9). It must carry ICE credentials
    /// (RFC 8839 §5.4), a SHA-256 certificate fingerprint (RFC 8122) and rtcp-mux (RFC 5761: we have one port for the
    /// browser; RFC 8829 §4.1.3 lets browsers require it). DTLS role (RFC 5763 §5, <see cref="WebRtcSdp.AnswerSetup"/>):
    /// to <c>actpass</c> or <c>active</c> we answer <c>passive</c> (we are the server), to <c>passive</c> <c>active</c>
    /// (we are the client); a peer's answer to our <c>actpass</c> may be either. The role stays for the leg's life.
    /// The <c>c=</c> address is not used (RFC 8839 §4.2.1.1: ICE decides where media goes), so <c>c=0.0.0.0</c> is
    /// not hold here; only the direction attributes are.
    /// </summary>
    private SdpAnswerResult NegotiateWebRtc(SessionDescription offer, int audioIndex, bool ourOffer)
    {
        if (WebRtc is null) return SdpAnswerResult.Reject("WebRTC media (UDP/TLS/RTP/SAVPF) is not available for this leg");
        var audio = offer.Media[audioIndex];
        var attributes = audio.WebRtc.Or(offer.WebRtc);
        if (!IceCredentials.IsValid(attributes.IceUfrag, attributes.IcePwd))
            return SdpAnswerResult.Reject("no valid a=ice-ufrag/a=ice-pwd (RFC 8839 §5.4)");
        if (attributes.FingerprintSha256 is not { Length: 95 } fingerprint)
            return SdpAnswerResult.Reject("no a=fingerprint:sha-256 (RFC 8122; DTLS-SRTP needs the peer's certificate fingerprint)");
        if (!attributes.RtcpMux) return SdpAnswerResult.Reject("no a=rtcp-mux (RFC 5761; required for WebRTC media here)");
        string? ourSetup;
        DtlsRole role;
        if (ourOffer)
        {
            // We offered actpass (RFC 5763 §5): the answerer picks; active makes us the server, passive the client.
            DtlsRole? answered = attributes.Setup switch
            {
                "active" => DtlsRole.Server,
                "passive" => DtlsRole.Client,
                _ => null,
            };
            if (answered is not { } chosen)
                return SdpAnswerResult.Reject($"a=setup:{attributes.Setup ?? "(none)"} in the answer to our actpass: must be active or passive (RFC 5763 §5)");
            role = chosen;
            if (_dtlsRole is { } kept && kept != role)
                return SdpAnswerResult.Reject($"a=setup:{attributes.Setup} would change our DTLS role ({kept}): a new DTLS association is not supported");
            ourSetup = null;
        }
        else
        {
            ourSetup = WebRtcSdp.AnswerSetup(attributes.Setup, _dtlsRole);
            if (ourSetup is null)
                return SdpAnswerResult.Reject(_dtlsRole is { } kept
                    ? $"a=setup:{attributes.Setup ?? "(none)"} in the re-offer would change our DTLS role ({kept}): a new DTLS association is not supported"
                    : $"a=setup:{attributes.Setup} in the offer: must be actpass, active or passive (RFC 5763 §5)");
            role = WebRtcSdp.RoleOf(ourSetup);
        }
        var (codecPt, law, opus, eventPt) = ChooseCodec(audio, AllowsOpus);
        if (codecPt is null) return SdpAnswerResult.Reject(AllowsOpus ? "no common codec (we support Opus, PCMU, PCMA)" : "no common codec (we support PCMU, PCMA)");
        var local = (audio.Direction ?? offer.Direction ?? MediaDirection.SendRecv).Reverse();
        var peer = new WebRtcPeer(attributes.IceUfrag!, fingerprint, WebRtc, role);
        var media = new NegotiatedMedia(law, codecPt.Value, eventPt, new IPEndPoint(IPAddress.Any, 0), local, null, peer, opus);
        _dtlsRole = role; // kept for re-offers (RFC 5763 §5: the association and its roles stay)
        if (ourOffer) return new SdpAnswerResult(true, null, media, null);
        var sdp = BuildWebRtc(attributes.Mid ?? "0", codecPt.Value, law, opus, eventPt, local, ourSetup!, offer.Media, audioIndex);
        return new SdpAnswerResult(true, sdp, media, null);
    }

    private string BuildWebRtc(string mid, byte codecPt, G711Law law, bool opus, byte? eventPt, MediaDirection direction, string setup,
        List<MediaDescription>? offered = null, int audioIndex = 0)
    {
        var b = StartSession();
        WebRtcSdp.AppendSession(b, mid);
        var count = offered?.Count ?? 1;
        for (var i = 0; i < count; i++)
        {
            if (offered is not null && i != audioIndex)
            {
                var m = offered[i];
                b.Append(CultureInfo.InvariantCulture, $"m={m.Media} 0 {m.Protocol} {(m.Formats.Count > 0 ? m.Formats[0] : 0)}\r\n");
                if (m.WebRtc.Mid is { } otherMid) b.Append("a=mid:").Append(otherMid).Append("\r\n"); // RFC 8843 §7.3.3
                continue;
            }
            b.Append(CultureInfo.InvariantCulture, $"m=audio {_localPort} {WebRtcProtocol} {codecPt}");
            if (eventPt is not null) b.Append(CultureInfo.InvariantCulture, $" {eventPt}");
            b.Append("\r\n");
            b.Append(CultureInfo.InvariantCulture, $"c=IN {(_localAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "IP6" : "IP4")} {_localAddress}\r\n");
            WebRtcSdp.AppendMedia(b, mid, WebRtc!.Ice, new IPEndPoint(_localAddress, _localPort), WebRtc.Certificate.Fingerprint, setup);
            if (opus) AppendOpus(b, codecPt);
            else b.Append(CultureInfo.InvariantCulture, $"a=rtpmap:{codecPt} {(law == G711Law.Ulaw ? "PCMU" : "PCMA")}/8000\r\n");
            if (eventPt is not null)
                b.Append(CultureInfo.InvariantCulture, $"a=rtpmap:{eventPt} telephone-event/{(opus ? Opus.RtpClockRate : AudioFormat.SampleRate)}\r\na=fmtp:{eventPt} 0-15\r\n");
            b.Append("a=ptime:20\r\n");
            b.Append("a=").Append(direction.ToAttribute()).Append("\r\n");
            WebRtcSdp.AppendSource(b, WebRtc.Ssrc);
        }
        return Finish(b);
    }

    /// <summary>
    /// Our offer for an outbound leg: PCMU, PCMA and telephone-event 101, sendrecv (or a hold direction); with
    /// <see cref="SrtpPolicy.Srtp"/>, RTP/SAVP with both suites keyed by our one master key (RFC 4568 §7.1.1).
    /// </summary>
    public string CreateOffer(MediaDirection direction = MediaDirection.SendRecv)
    {
        // RFC 8829 §5.2.1 / RFC 5763 §5: a WebRTC offer says actpass; the browser answers active (it connects).
        if (OffersWebRtc) return BuildWebRtcOffer(direction);
        var b = StartSession();
        var secure = Policy == SrtpPolicy.Srtp;
        b.Append(CultureInfo.InvariantCulture, $"m=audio {_localPort} {(secure ? "RTP/SAVP" : "RTP/AVP")} 0 8 101\r\n");
        b.Append("a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n");
        if (secure)
        {
            b.Append(SdpCrypto.Format(1, SrtpSuite.AesCm128HmacSha1_80, LocalKey)).Append("\r\n");
            b.Append(SdpCrypto.Format(2, SrtpSuite.AesCm128HmacSha1_32, LocalKey)).Append("\r\n");
        }
        b.Append("a=ptime:20\r\n");
        b.Append("a=").Append(direction.ToAttribute()).Append("\r\n");
        return Finish(b);
    }

    private string BuildWebRtcOffer(MediaDirection direction)
    {
        var b = StartSession();
        WebRtcSdp.AppendSession(b, "0");
        // Opus first (RFC 3264 §5.1: order is preference), with its own 48 kHz telephone-event (RFC 4733 §2.1).
        b.Append(CultureInfo.InvariantCulture, $"m=audio {_localPort} {WebRtcProtocol} {(AllowsOpus ? $"{OpusPayloadType} 0 8 {OpusEventPayloadType} 101" : "0 8 101")}\r\n");
        b.Append(CultureInfo.InvariantCulture, $"c=IN {(_localAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "IP6" : "IP4")} {_localAddress}\r\n");
        WebRtcSdp.AppendMedia(b, "0", WebRtc!.Ice, new IPEndPoint(_localAddress, _localPort), WebRtc.Certificate.Fingerprint, "actpass");
        if (AllowsOpus) AppendOpus(b, OpusPayloadType);
        b.Append("a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n");
        if (AllowsOpus) b.Append(CultureInfo.InvariantCulture, $"a=rtpmap:{OpusEventPayloadType} telephone-event/48000\r\na=fmtp:{OpusEventPayloadType} 0-15\r\n");
        b.Append("a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n");
        b.Append("a=ptime:20\r\n");
        b.Append("a=").Append(direction.ToAttribute()).Append("\r\n");
        WebRtcSdp.AppendSource(b, WebRtc.Ssrc);
        return Finish(b);
    }

    /// <summary>RFC 7587 §7: <c>a=rtpmap:&lt;pt&gt; opus/48000/2</c> and our fmtp (<see cref="Opus.Fmtp"/>).</summary>
    private static void AppendOpus(StringBuilder b, byte payloadType) =>
        b.Append(CultureInfo.InvariantCulture, $"a=rtpmap:{payloadType} {Opus.RtpMapEncoding}\r\na=fmtp:{payloadType} {Opus.Fmtp}\r\n");

    /// <summary>Reads the peer's answer to our offer (RFC 3264 §7): it must pick one of our codecs.</summary>
    public SdpAnswerResult AcceptAnswer(string answerText)
    {
        // Reuse the offer logic, but an answer does not change our SDP: keep our origin version as it was.
        var (version, last) = (_version, _lastSdp);
        var result = Negotiate(answerText, ourOffer: true);
        (_version, _lastSdp) = (version, last);
        return result.IsAccepted ? result with { AnswerSdp = null } : result;
    }

    /// <summary>
    /// RFC 4568 §7.1.2 / §7.2: the first offered crypto line we can use (offer order is preference). The policy
    /// decides what its absence means: 488 when SRTP is required or the offer is RTP/SAVP; plain RTP otherwise.
    /// A Plain leg ignores a=crypto on RTP/AVP and refuses RTP/SAVP.
    /// An answer to our own offer may only pick what we offered: crypto when we offered it (tags 1 and 2), none otherwise.
    /// </summary>
    private bool TryChooseCrypto(MediaDescription audio, bool ourOffer, out (int Tag, SrtpSuite Suite, SrtpMasterKey Key)? chosen, out string error)
    {
        chosen = null;
        error = "";
        var savp = audio.Protocol == "RTP/SAVP";
        if (Policy == SrtpPolicy.Plain || (ourOffer && Policy == SrtpPolicy.Optional))
        {
            if (!savp) return true;
            error = "SRTP (RTP/SAVP) is not allowed for this account";
            return false;
        }
        foreach (var line in audio.Crypto)
        {
            if (!line.TryGetKey(out var suite, out var key)) continue;
            if (ourOffer && line.Tag != (suite == SrtpSuite.AesCm128HmacSha1_80 ? 1 : 2)) continue;
            chosen = (line.Tag, suite, key!);
            return true;
        }
        if (!savp && Policy == SrtpPolicy.Optional) return true;
        error = audio.Crypto.Count == 0
            ? "SRTP is required: no a=crypto offered (use RTP/SAVP with AES_CM_128_HMAC_SHA1_80 or _32)"
            : "no acceptable a=crypto (we support AES_CM_128_HMAC_SHA1_80 and _32 with one inline key, no MKI)";
        return false;
    }

    private string Build(List<MediaDescription> offered, int audioIndex, string protocol, byte codecPt, G711Law law, byte? eventPt,
        MediaDirection direction, string? crypto)
    {
        var b = StartSession();
        for (var i = 0; i < offered.Count; i++)
        {
            var m = offered[i];
            if (i != audioIndex)
            {
                // RFC 3264 §6: every offered stream gets an m= line; rejected ones have port 0.
                b.Append(CultureInfo.InvariantCulture, $"m={m.Media} 0 {m.Protocol} {(m.Formats.Count > 0 ? m.Formats[0] : 0)}\r\n");
                continue;
            }
            b.Append(CultureInfo.InvariantCulture, $"m=audio {_localPort} {protocol} {codecPt}");
            if (eventPt is not null) b.Append(CultureInfo.InvariantCulture, $" {eventPt}");
            b.Append("\r\n");
            b.Append(CultureInfo.InvariantCulture, $"a=rtpmap:{codecPt} {(law == G711Law.Ulaw ? "PCMU" : "PCMA")}/8000\r\n");
            if (eventPt is not null)
                b.Append(CultureInfo.InvariantCulture, $"a=rtpmap:{eventPt} telephone-event/8000\r\na=fmtp:{eventPt} 0-15\r\n");
            if (crypto is not null) b.Append(crypto).Append("\r\n");
            b.Append("a=ptime:20\r\n");
            b.Append("a=").Append(direction.ToAttribute()).Append("\r\n");
        }
        return Finish(b);
    }

    private StringBuilder StartSession()
    {
        var ip = _localAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "IP6" : "IP4";
        var b = new StringBuilder(256);
        b.Append("v=0\r\n");
        b.Append(CultureInfo.InvariantCulture, $"o=hotline {_sessionId} {{VERSION}} IN {ip} {_localAddress}\r\n");
        b.Append("s=hotline\r\n");
        b.Append(CultureInfo.InvariantCulture, $"c=IN {ip} {_localAddress}\r\n");
        b.Append("t=0 0\r\n");
        return b;
    }

    // RFC 3264 §8: the o= version goes up only when the SDP actually changes.
    private string Finish(StringBuilder b)
    {
        var body = b.ToString();
        if (_lastSdp != body)
        {
            _version++;
            _lastSdp = body;
        }
        return body.Replace("{VERSION}", _version.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }
}

using System.Net;
using Hotline.Cti.Media.Codecs;
using Hotline.Cti.Media.Srtp;
using Hotline.Cti.Media.WebRtc;

namespace Hotline.Cti.Media.Sdp;

/// <summary>
/// What offer/answer agreed for the audio stream: the codec and its payload type, the telephone-event payload type
/// (if the peer supports RFC 4733), where to send, the direction from our side, and the SDES keys when the leg
/// uses SRTP (null: plain RTP). A WebRTC leg (<see cref="WebRtc"/> set) has no SDP address or keys: media goes to the
/// ICE-selected address with the keys DTLS-SRTP exports (RFC 5763/5764), both learnt on the media port.
/// With <see cref="IsOpus"/> the codec is Opus (RFC 7587, browser legs only; <see cref="Law"/> is then unused) and
/// the stream's RTP clock, telephone-event's included, is 48 kHz.
/// </summary>
public sealed record NegotiatedMedia(
    G711Law Law,
    byte PayloadType,
    byte? TelephoneEventPayloadType,
    IPEndPoint RemoteEndPoint,
    MediaDirection LocalDirection,
    SrtpKeying? Srtp = null,
    WebRtcPeer? WebRtc = null,
    bool IsOpus = false)
{
    /// <summary>The RTP timestamp clock of the stream (RFC 3551 §4.5.14: 8000 for G.711; RFC 7587 §4.1: 48000 for Opus).</summary>
    public int ClockRate => IsOpus ? Opus.RtpClockRate : AudioFormat.SampleRate;

    /// <summary>How far the RTP timestamp advances per 20 ms frame: 160 for G.711, 960 for Opus.</summary>
    public int TimestampPerFrame => IsOpus ? Opus.TimestampPerFrame : AudioFormat.SamplesPerFrame;

    /// <summary>RFC 3264 §8.4 (and the older c=0.0.0.0 hold of RFC 2543): the peer asked us not to send.</summary>
    public bool IsOnHold => !LocalDirection.Sends();
}

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
/// </summary>
public sealed record NegotiatedMedia(
    G711Law Law,
    byte PayloadType,
    byte? TelephoneEventPayloadType,
    IPEndPoint RemoteEndPoint,
    MediaDirection LocalDirection,
    SrtpKeying? Srtp = null,
    WebRtcPeer? WebRtc = null)
{
    /// <summary>RFC 3264 §8.4 (and the older c=0.0.0.0 hold of RFC 2543): the peer asked us not to send.</summary>
    public bool IsOnHold => !LocalDirection.Sends();
}

using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Hotline.Cti.Media.Sdp;
using Hotline.Cti.Media.Srtp;
using Hotline.Cti.Media.WebRtc;
using Microsoft.Extensions.Logging;

namespace Hotline.Cti.Media;

/// <summary>
/// A browser leg's media (issue 18): ICE-lite, DTLS-SRTP and rtcp-mux on the one RTP socket. The SDP gives no address
/// and no keys; the ICE-selected address becomes the destination and the DTLS-exported keys the SRTP contexts, and
/// nothing is sent before both exist (RFC 8826 §4.2: no media without consent; RFC 5764: no clear RTP).
/// </summary>
public sealed partial class MediaSession
{
    // Set by the first WebRTC answer and kept for the leg's life (an ICE restart or new DTLS identity is refused).
    private WebRtcTransport? _webRtc;
    private int _firstSrtpSeen;

    /// <summary>True when the leg's media runs over ICE and DTLS-SRTP (a browser).</summary>
    public bool IsWebRtc => _webRtc is not null;

    private void ApplyWebRtc(NegotiatedMedia? old, NegotiatedMedia media)
    {
        // (PrepareCodec ran in Apply: Opus is decoded/encoded at this leg's edge, RFC 7587.)
        if (_webRtc is null)
        {
            var transport = new WebRtcTransport(media.WebRtc!, _endpoint.Rtp, _time, _logger);
            transport.KeysReady += OnDtlsKeys;
            _webRtc = transport;
        }
        else if (media.WebRtc is null || !media.WebRtc.SameTransportAs(_webRtc.Peer))
        {
            // RFC 8839 §4.4.1.1.1 ICE restart / a new DTLS association: not supported; keep the running one.
            LogRestartIgnored(_logger, LocalEndPoint.Port);
        }
        if (old is not null && old.LocalDirection != media.LocalDirection) _markNext = true;
        Interlocked.Exchange(ref _lastReceived, _time.GetTimestamp());
        Volatile.Write(ref _media, media with { WebRtc = _webRtc.Peer });
    }

    // On the thread pool, after the handshake thread finished: keys first, then the destination that releases the clock.
    private void OnDtlsKeys(SrtpKeying keying, SocketAddress destination)
    {
        Volatile.Write(ref _srtp, new SrtpStreams(keying, null));
        _latch.Reset(destination);
        Volatile.Write(ref _rtcpRemote, destination);
        Volatile.Write(ref _remote, destination);
        _markNext = true;
    }

    /// <summary>
    /// RFC 7983 demultiplexing on the receive loop: STUN answered, DTLS queued, RTCP (rtcp-mux, RFC 5761 §4: payload
    /// type 192–223 with the marker bit) read here. Returns true for an SRTP packet that should go on as RTP.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool OnWebRtcDatagram(WebRtcTransport webRtc, ref Span<byte> datagram, SocketAddress from)
    {
        switch (WebRtc.MediaPacketDemux.Classify(datagram))
        {
            case MediaPacketKind.Stun:
                // A new nominated pair after the keys: media follows it (RFC 8445 §8.1.1, the controlling agent decides).
                if (webRtc.OnStun(datagram, from) && Volatile.Read(ref _srtp) is not null && webRtc.Destination is { } moved)
                {
                    _latch.Reset(moved);
                    Volatile.Write(ref _rtcpRemote, moved);
                    Volatile.Write(ref _remote, moved);
                }
                return false;
            case MediaPacketKind.Dtls:
                webRtc.OnDtls(datagram, from);
                return false;
            case MediaPacketKind.Rtp:
                // Nothing before the keys: a browser never sends clear RTP, anything else is not ours.
                if (Volatile.Read(ref _srtp) is null) return false;
                if (datagram.Length > 1 && datagram[1] is >= 192 and <= 223)
                {
                    OnRtcp(datagram);
                    return false;
                }
                return true;
            default:
                return false;
        }
    }

    /// <summary>Called after a WebRTC leg's SRTP packet authenticated: the first one is logged with the set-up timings.</summary>
    private void OnWebRtcSrtpAccepted()
    {
        if (_firstSrtpSeen != 0 || Interlocked.Exchange(ref _firstSrtpSeen, 1) != 0) return;
        _webRtc?.OnFirstSrtp(LocalEndPoint.Port);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "WebRTC media on {Port}: a re-offer changed ICE or DTLS (restart); not supported, the running transport is kept")]
    private static partial void LogRestartIgnored(ILogger logger, int port);
}

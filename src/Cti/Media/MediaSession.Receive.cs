using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Hotline.Cti.Media.Codecs;
using Hotline.Cti.Media.Rtp;
using Hotline.Cti.Media.Srtp;
using Microsoft.Extensions.Logging;

namespace Hotline.Cti.Media;

/// <summary>The receive side of a session: RTP latching, decoding into the jitter buffer, RFC 4733 in, RTCP.</summary>
public sealed partial class MediaSession
{
    /// <summary>RFC 3550 §6.2: a report every 5 s (250 ticks) is plenty for one two-party stream.</summary>
    private const int RtcpIntervalTicks = 250;
    private readonly byte[] _rtcpPacket = new byte[256];
    // RFC 3550 §6.3.1: the first report after a random 0.5–1.5 × the interval, so sessions started together (a
    // conference, a burst of queued callers) do not all report in the same tick.
    private int _ticksSinceReport = -Random.Shared.Next(RtcpIntervalTicks / 2, RtcpIntervalTicks * 3 / 2) + RtcpIntervalTicks;
    private SocketAddress? _rtcpRemote;

    // RFC 3550 §11: RTCP goes to the RTP port + 1. Computed when the RTP remote changes (never on the clock thread).
    private static SocketAddress? RtcpAddressFor(SocketAddress? rtp)
    {
        if (rtp is null) return null;
        var ep = (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(rtp);
        return new IPEndPoint(ep.Address, ep.Port + 1).Serialize();
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = GC.AllocateUninitializedArray<byte>(2048, pinned: true);
        var from = new SocketAddress(_endpoint.Rtp.AddressFamily);
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            int length;
            try
            {
                length = await _endpoint.Rtp.ReceiveFromAsync(buffer, SocketFlags.None, from, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // e.g. ICMP unreachable reported on the next receive; keep listening
            }
            OnRtpDatagram(buffer.AsSpan(0, length), from);
        }
    }

    private void OnRtpDatagram(Span<byte> datagram, SocketAddress from)
    {
        if (_webRtc is { } webRtc && !OnWebRtcDatagram(webRtc, ref datagram, from)) return;
        // Decrypt in (RFC 3711 §3.3): before anything looks at the packet, so an unauthenticated one neither latches
        // nor reaches the jitter buffer, DTMF or the inactivity watch.
        if (Volatile.Read(ref _srtp) is { } srtp)
        {
            var result = srtp.RtpIn.Unprotect(datagram, out var plainLength);
            if (result != SrtpUnprotectResult.Ok)
            {
                OnSrtpDropped(result);
                return;
            }
            datagram = datagram[..plainLength];
            if (_webRtc is not null) OnWebRtcSrtpAccepted();
        }
        if (!RtpPacket.TryParse(datagram, out var packet)) return;
        var media = Volatile.Read(ref _media);
        if (media is null) return;
        var isEvent = packet.PayloadType == media.TelephoneEventPayloadType;
        var isAudio = packet.PayloadType == media.PayloadType || packet.PayloadType is 0 or 8;
        if (!isEvent && !isAudio) return; // comfort noise, unknown types: ignored, and never latched on
        // Media only from the SDP's address, or a source that earned a re-latch (symmetric RTP behind NAT, RFC 4961).
        switch (_latch.OnPacket(from, packet.Ssrc, packet.SequenceNumber, _time.GetTimestamp()))
        {
            case RtpSourceVerdict.Reject:
                Statistics.OnStray();
                return;
            case RtpSourceVerdict.Latched:
                var latched = _latch.Accepted;
                Volatile.Write(ref _rtcpRemote, RtcpAddressFor(latched));
                Volatile.Write(ref _remote, latched);
                LogLatched(_logger, LocalEndPoint.Port);
                break;
        }
        Interlocked.Exchange(ref _lastReceived, _time.GetTimestamp());
        Statistics.RemoteSsrc = packet.Ssrc;
        Statistics.OnReceived(packet.SequenceNumber);
        if (isEvent)
        {
            char digit;
            int duration;
            bool ended;
            lock (_dtmfGate)
            {
                ended = _dtmfIn.OnPacket(packet.Timestamp, packet.Payload, CurrentTick, out digit, out duration);
                Volatile.Write(ref _dtmfInProgress, _dtmfIn.IsInProgress);
            }
            if (ended) RaiseDtmf(digit, duration, DtmfSource.Rfc4733);
            return;
        }
        if (media.IsOpus && packet.PayloadType == media.PayloadType)
        {
            _inbound.WriteOpusPacket(packet.SequenceNumber, packet.Payload);
            return;
        }
        var law = packet.PayloadType == media.PayloadType ? media.Law : packet.PayloadType == 0 ? G711Law.Ulaw : G711Law.Alaw;
        _inbound.WritePacket(packet.SequenceNumber, law, packet.Payload);
    }

    private RtpDatagramHandler? _onRtp;
    private RtpDatagramHandler? _onRtcp;

    /// <summary>A datagram on the RTCP port (shared receive threads).</summary>
    private void OnRtcpDatagram(Span<byte> datagram, SocketAddress from)
    {
        // rtcp-mux (WebRTC): RTCP arrives on the RTP port; this port carries nothing of the call's.
        if (_webRtc is not null) return;
        OnRtcp(datagram);
    }

    private async Task RtcpReceiveLoopAsync()
    {
        var buffer = new byte[1500];
        var from = new SocketAddress(_endpoint.Rtcp.AddressFamily);
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            int length;
            try
            {
                length = await _endpoint.Rtcp.ReceiveFromAsync(buffer, SocketFlags.None, from, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }
            // rtcp-mux (WebRTC): RTCP arrives on the RTP port; this port carries nothing of the call's.
            if (_webRtc is not null) continue;
            OnRtcp(buffer.AsSpan(0, length));
        }
    }

    /// <summary>One RTCP compound packet (from the RTCP port, or the RTP port with rtcp-mux): decrypt, read the reports.</summary>
    private void OnRtcp(Span<byte> rtcp)
    {
        if (Volatile.Read(ref _srtp) is { } srtp)
        {
            var result = srtp.RtcpIn.Unprotect(rtcp, out var plainLength);
            if (result != SrtpUnprotectResult.Ok)
            {
                OnSrtpDropped(result);
                return;
            }
            rtcp = rtcp[..plainLength];
        }
        if (!RtcpPacket.TryRead(rtcp, Ssrc, out var aboutUs, out var senderNtp)) return;
        Statistics.OnRtcpReceived();
        if (aboutUs is { } block) Statistics.RemoteReport = (block.FractionLost, block.CumulativeLost);
        if (senderNtp is { } ntp) Statistics.LastSenderReport = ((uint)(ntp >> 16), _time.GetTimestamp());
    }

    // RFC 3550 §6.4.1: SR with one reception report about the peer's stream, plus SDES CNAME. Queued in the batch
    // right behind this tick's RTP packet, so its sender info counts that packet (still in the batch) as sent, with its
    // payload length (160 for G.711, variable for Opus).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SendRtcpReport(RtpSendBatch batch, uint rtpTimestamp, int payloadLength)
    {
        _ticksSinceReport = 0;
        if (Volatile.Read(ref _rtcpRemote) is not { } rtcpRemote) return;
        ReportBlock? block = null;
        if (Statistics.PacketsReceived > 0)
        {
            var (fraction, cumulative) = Statistics.TakeReceptionReport();
            uint lsr = 0, dlsr = 0;
            if (Statistics.LastSenderReport is { } sr)
            {
                lsr = sr.Lsr;
                dlsr = (uint)((_time.GetTimestamp() - sr.ReceivedAt) * 65536 / _time.TimestampFrequency); // 1/65536 s
            }
            block = new ReportBlock(Statistics.RemoteSsrc, fraction, cumulative, Statistics.ExtendedHighestSequence, 0, lsr, dlsr);
        }
        var length = RtcpPacket.WriteSenderReport(_rtcpPacket, Ssrc, RtcpPacket.ToNtp(_time.GetUtcNow()),
            rtpTimestamp, (uint)(Statistics.PacketsSent + 1), (uint)(Statistics.OctetsSent + payloadLength), block, _cname);
        if (Volatile.Read(ref _srtp) is { } srtp) length = srtp.RtcpOut.Protect(_rtcpPacket, length);
        // rtcp-mux (RFC 5761 §5.1.3): a WebRTC leg's RTCP leaves from the RTP port, the one ICE checked.
        batch.Add(_webRtc is null ? _endpoint.Rtcp : _endpoint.Rtp, rtcpRemote, _rtcpPacket.AsSpan(0, length));
        Statistics.OnRtcpSent();
    }

    private int _srtpDropLogged;

    // Counted per session and engine-wide; logged once per session (a flood must not flood the log).
    private void OnSrtpDropped(SrtpUnprotectResult result)
    {
        Statistics.SrtpDrops.Count(result);
        EngineSrtpDrops?.Count(result);
        if (Interlocked.Exchange(ref _srtpDropLogged, 1) == 0) LogSrtpDropped(_logger, LocalEndPoint.Port, result);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "SRTP on port {Port}: dropped a packet ({Reason}); further drops are only counted")]
    private static partial void LogSrtpDropped(ILogger logger, int port, SrtpUnprotectResult reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "RTP on port {Port} re-latched to a new source after a run of consecutive packets (symmetric RTP)")]
    private static partial void LogLatched(ILogger logger, int port);
}

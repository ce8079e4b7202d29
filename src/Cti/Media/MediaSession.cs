using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Hotline.Cti.Media.Clock;
using Hotline.Cti.Media.Codecs;
using Hotline.Cti.Media.Dtmf;
using Hotline.Cti.Media.Recording;
using Hotline.Cti.Media.Rtp;
using Hotline.Cti.Media.Sdp;
using Hotline.Cti.Media.Srtp;
using Hotline.Cti.Media.WebRtc;
using Microsoft.Extensions.Logging;

namespace Hotline.Cti.Media;

/// <summary>
/// One call leg's media anchored on the engine: an RTP socket pair, the negotiated codec, DTMF in and out, what the
/// leg hears (a source, another leg, a mixer, its own voice, or silence), a recorder tap and an inactivity watch.
/// The media clock calls <see cref="OnTick"/> every 20 ms to send one packet; a receive loop takes the peer's packets.
/// Events are raised on the thread pool, never on the clock thread.
/// </summary>
public sealed partial class MediaSession : IMediaClockSubscriber, IAsyncDisposable
{
    private static readonly AudioFeed SilenceFeed = new(new Sources.SilenceSource());
    private readonly MediaClock _clock;
    private readonly RtpEndpoint _endpoint;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _inactivityTimestampTicks;
    private readonly InboundAudioBuffer _inbound;
    private readonly DtmfReceiver _dtmfIn = new();
    private readonly Lock _dtmfGate = new();
    private bool _dtmfInProgress;
    private readonly DtmfSender _dtmfOut = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly short[] _outFrame = new short[AudioFormat.SamplesPerFrame];
    private readonly short[] _inFrame = new short[AudioFormat.SamplesPerFrame];
    private readonly short[] _mixFrame = new short[AudioFormat.SamplesPerFrame];
    private readonly byte[] _cname;
    // Room for the SRTP tag after the payload (RFC 3711 §3.1: protected in place).
    private readonly byte[] _packet = new byte[RtpPacket.HeaderLength + AudioFormat.SamplesPerFrame + 16];
    private SrtpStreams? _srtp;
    // Opus at the edge of a browser leg (RFC 7587): made on the first Opus answer, kept for the leg's life.
    private readonly WebRtcMediaOptions _webRtcOptions;
    private OpusFrameEncoder? _opusOut;
    private AudioFeed _feed = SilenceFeed;
    private NegotiatedMedia? _media;
    private SocketAddress? _remote;
    private readonly RtpSourceLatch _latch;
    private WavRecorder? _recorder;
    private readonly Lock _inboundGate = new();
    private long _inboundTick = -1;
    private long _lastReceived;
    private int _timedOut;
    private bool _markNext = true;
    private ushort _sequence;
    private uint _timestamp;
    private Task? _receiveLoop;
    private Task? _rtcpLoop;
    private int _started;
    private int _disposed;

    internal MediaSession(MediaClock clock, RtpEndpoint endpoint, RtpOptions options, TimeProvider time, ILogger logger)
    {
        _clock = clock;
        _endpoint = endpoint;
        _webRtcOptions = options.WebRtc;
        _time = time;
        _logger = logger;
        _inbound = new InboundAudioBuffer(options.JitterBufferMilliseconds);
        _inactivityTimestampTicks = options.InactivityTimeoutSeconds * time.TimestampFrequency;
        Ssrc = (uint)Random.Shared.Next() ^ ((uint)Random.Shared.Next() << 16);
        _sequence = (ushort)Random.Shared.Next(ushort.MaxValue); // RFC 3550 §5.1: random initial values
        _timestamp = (uint)Random.Shared.Next();
        _lastReceived = time.GetTimestamp();
        _cname = RtcpPacket.DefaultCname(Ssrc);
        _latch = new RtpSourceLatch(endpoint.Rtp.AddressFamily, time.TimestampFrequency);
    }

    /// <summary>Our RTP socket's address (goes in the SDP <c>m=</c> port).</summary>
    public IPEndPoint LocalEndPoint => _endpoint.LocalEndPoint;

    /// <summary>Our RTP synchronisation source, constant for the session's life (across source switches).</summary>
    public uint Ssrc { get; }

    /// <summary>Where we send now: the latched source address once RTP arrived, else the SDP address.</summary>
    public IPEndPoint? RemoteEndPoint => _remote is { } r ? (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(r) : null;

    /// <summary>What offer/answer agreed last (null before the first).</summary>
    public NegotiatedMedia? Media => Volatile.Read(ref _media);

    public RtpStatistics Statistics { get; } = new();

    /// <summary>True while the leg's media is SRTP (SDES-keyed, or DTLS-SRTP once its handshake completed).</summary>
    public bool IsEncrypted => Volatile.Read(ref _srtp) is not null;

    /// <summary>The engine-wide SRTP drop counters this session also adds to (set by the media engine).</summary>
    internal SrtpDropCounters? EngineSrtpDrops { get; init; }

    internal RtpTotals? EngineRtpTotals { get; init; }

    /// <summary>The shared receive threads (<c>Rtp:SharedReceive</c>); null: this session's own receive loops.</summary>
    internal RtpReceiver? Receiver { get; init; }

    private IDisposable? _rtpReceiving;
    private IDisposable? _rtcpReceiving;

    /// <summary>The tick being processed (so readers in one tick see the same inbound frame).</summary>
    internal long CurrentTick { get; private set; } = -1;

    /// <summary>A DTMF key press (RFC 4733 or SIP INFO), reported once.</summary>
    public event EventHandler<DtmfDigitEventArgs>? Dtmf;

    /// <summary>No RTP from the peer for <c>Rtp:InactivityTimeoutSeconds</c> while it should be sending. Raised once.</summary>
    public event EventHandler? MediaTimeout;

    /// <summary>
    /// Applies the result of offer/answer (initial, or a hold/resume re-INVITE). A new remote address re-opens
    /// latching; a direction change takes effect on the next tick with the marker bit set.
    /// </summary>
    public void Apply(NegotiatedMedia media)
    {
        var old = Volatile.Read(ref _media);
        PrepareCodec(media);
        if (media.WebRtc is not null || _webRtc is not null)
        {
            ApplyWebRtc(old, media);
            return;
        }
        if (old is null || !old.RemoteEndPoint.Equals(media.RemoteEndPoint))
        {
            var remote = media.RemoteEndPoint.Address.Equals(IPAddress.Any) ? null : ToSocketFamily(media.RemoteEndPoint).Serialize();
            _latch.Reset(remote);
            Volatile.Write(ref _rtcpRemote, RtcpAddressFor(remote));
            Volatile.Write(ref _remote, remote);
        }
        if (old is not null && old.LocalDirection != media.LocalDirection) _markNext = true;
        // New SDES keys (first answer, or a re-INVITE that re-keyed): new crypto contexts; unchanged keys keep theirs.
        var srtp = Volatile.Read(ref _srtp);
        if (media.Srtp is null) Volatile.Write(ref _srtp, null);
        else if (!media.Srtp.SameAs(srtp?.Keying)) Volatile.Write(ref _srtp, new SrtpStreams(media.Srtp, srtp));
        // Coming back from a direction where the peer was silent: the inactivity watch starts afresh.
        Interlocked.Exchange(ref _lastReceived, _time.GetTimestamp());
        Volatile.Write(ref _media, media);
    }

    /// <summary>
    /// Before the media that names it is published: the Opus encoder/decoder of the leg (one each, made once), and the
    /// DTMF clock (RFC 4733 §2.1: telephone-event runs on the audio's RTP clock).
    /// </summary>
    private void PrepareCodec(NegotiatedMedia media)
    {
        if (media.IsOpus && _opusOut is null)
        {
            _inbound.Opus = new OpusFrameDecoder();
            _opusOut = new OpusFrameEncoder(_webRtcOptions.OpusBitrate, _webRtcOptions.OpusComplexity);
            LogOpus(_logger, LocalEndPoint.Port, media.PayloadType, _webRtcOptions.OpusBitrate, _webRtcOptions.OpusComplexity);
        }
        lock (_dtmfGate) _dtmfIn.ClockRate = media.ClockRate;
    }

    /// <summary>Opus packets rebuilt from in-band FEC or concealment (one packet lost before a received one).</summary>
    public long OpusRecoveredPackets => _inbound.RecoveredPackets;

    /// <summary>The SDP address in the form our socket reports sources (IPv4-mapped on a dual-mode IPv6 socket).</summary>
    private IPEndPoint ToSocketFamily(IPEndPoint sdp) =>
        _endpoint.Rtp.AddressFamily == AddressFamily.InterNetworkV6 && sdp.AddressFamily == AddressFamily.InterNetwork
            ? new IPEndPoint(sdp.Address.MapToIPv6(), sdp.Port) : sdp;

    /// <summary>
    /// Starts receiving and joins the media clock. Call <see cref="Apply"/> first. Whatever reached the ports before
    /// (the pair was bound when the offer was answered) is discarded: it cannot be the call's media.
    /// </summary>
    public void Start()
    {
        if (Media is null) throw new InvalidOperationException("Apply the negotiated media before starting the session.");
        if (Interlocked.Exchange(ref _started, 1) != 0) return;
        // A leg that ended before it was answered (the 200 raced a BYE/CANCEL) is disposed already: its sockets are
        // closed and its ports back in the pool; joining the clock now would keep the session alive for nothing.
        if (Volatile.Read(ref _disposed) != 0) return;
        // A browser's ICE checks may arrive before its answer reached us: they are the call's, keep them.
        if (_webRtc is null) Discard(_endpoint.Rtp);
        else _webRtc.MarkStart();
        Discard(_endpoint.Rtcp);
        Interlocked.Exchange(ref _lastReceived, _time.GetTimestamp());
        if (Receiver is { } receiver)
        {
            try
            {
                _rtpReceiving = receiver.Register(_endpoint.Rtp, _onRtp ??= OnRtpDatagram);
                _rtcpReceiving = receiver.Register(_endpoint.Rtcp, _onRtcp ??= OnRtcpDatagram);
            }
            catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException && Volatile.Read(ref _disposed) != 0)
            {
                // DisposeAsync closed the sockets meanwhile.
            }
            if (Volatile.Read(ref _disposed) != 0)
            {
                // DisposeAsync ran meanwhile and may have found nothing to remove yet.
                _rtpReceiving?.Dispose();
                _rtcpReceiving?.Dispose();
                return;
            }
        }
        else
        {
            _receiveLoop = Task.Run(ReceiveLoopAsync);
            _rtcpLoop = Task.Run(RtcpReceiveLoopAsync);
        }
        _clock.Subscribe(this);
        if (Volatile.Read(ref _disposed) != 0) _clock.Unsubscribe(this); // DisposeAsync ran meanwhile.
    }

    /// <summary>Drops what is queued on a socket now (bounded: a spray cannot keep us here).</summary>
    private static void Discard(Socket socket)
    {
        Span<byte> sink = stackalloc byte[256];
        for (var i = 0; i < 4096 && socket.Available > 0; i++)
        {
            try
            {
                socket.Receive(sink, SocketFlags.None);
            }
            catch (SocketException)
            {
                // A truncated datagram (larger than the sink) or an ICMP error: dropped either way.
            }
        }
    }

    /// <summary>
    /// Plays a source, replacing what the leg heard (a bridge or mixer is left). Completes when the source ends or is
    /// replaced or stopped; never faults for that. Cancelling the token stops the playback.
    /// </summary>
    public Task PlayAsync(IAudioSource source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var feed = new AudioFeed(source, done);
        Hear(feed);
        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(() => StopIfCurrent(feed));
            done.Task.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
        }
        return done.Task;
    }

    /// <summary>Silence; leaves any bridge or mixer.</summary>
    public void StopAudio() => Hear(SilenceFeed);

    /// <summary>This leg hears <paramref name="other"/>'s voice (one direction of a bridge).</summary>
    public void ListenTo(MediaSession other) => Hear(new AudioFeed(new SessionAudioSource(this, other)));

    /// <summary>Bridges two legs: each hears the other.</summary>
    public static void Bridge(MediaSession a, MediaSession b)
    {
        a.ListenTo(b);
        b.ListenTo(a);
    }

    /// <summary>The echo test (<c>*43</c>): the caller hears their own voice.</summary>
    public void Echo() => ListenTo(this);

    /// <summary>Sends a digit as RFC 4733 telephone-events (needs telephone-event in the SDP).</summary>
    public void SendDtmf(char digit, int durationMs = 100)
    {
        if (!TrySendDtmf(digit, durationMs))
            throw new InvalidOperationException("The peer did not negotiate telephone-event; cannot send RFC 4733 DTMF.");
    }

    /// <summary>Sends a digit as RFC 4733 telephone-events; false (nothing sent) when the peer negotiated none.</summary>
    public bool TrySendDtmf(char digit, int durationMs = 100)
    {
        if (Media?.TelephoneEventPayloadType is null) return false;
        _dtmfOut.Enqueue(digit, durationMs);
        return true;
    }

    /// <summary>
    /// Entry point for a SIP INFO <c>application/dtmf-relay</c> body. Returns false (and reports nothing) when the
    /// body is not a valid DTMF relay; the SIP layer then answers 415/400 as it sees fit.
    /// </summary>
    public bool ReceiveSipInfo(string body)
    {
        if (!DtmfRelayBody.TryParse(body, out var digit, out var durationMs)) return false;
        RaiseDtmf(digit, durationMs, DtmfSource.SipInfo);
        return true;
    }

    /// <summary>Starts recording what the leg says and hears (mixed, mono) to a WAV file streamed to disk.</summary>
    public void StartRecording(string path)
    {
        var recorder = new WavRecorder(path);
        Interlocked.Exchange(ref _recorder, recorder)?.Dispose();
    }

    /// <summary>Stops recording and finalises the WAV header. No-op when not recording.</summary>
    public void StopRecording() => Interlocked.Exchange(ref _recorder, null)?.Dispose();

    /// <summary>
    /// One tick of the media clock, run just before this leg's deadline: read what the leg hears, record, and queue
    /// one packet in the clock's <paramref name="batch"/> (sent at the deadline).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void OnTick(long tick, RtpSendBatch batch)
    {
        CurrentTick = tick;
        var media = Volatile.Read(ref _media);
        if (media is null || _disposed != 0) return;
        var inbound = ReadInbound(tick);
        CheckDtmfTimeout(tick);
        CheckInactivity(media);

        var feed = Volatile.Read(ref _feed);
        var recorder = Volatile.Read(ref _recorder);
        // A clip's frame comes out already encoded (IEncodedFrameSource: encoded once per clip, shared by every leg
        // playing it) when nothing else needs this tick's PCM: no recorder (a DTMF event simply overwrites it).
        var prompt = Volatile.Read(ref _prompt);
        var encoded = recorder is null && prompt is null && !media.IsOpus && feed.Source is IEncodedFrameSource clipSource
            && clipSource.TryReadEncodedFrame(media.Law, _packet.AsSpan(RtpPacket.HeaderLength, AudioFormat.SamplesPerFrame));
        if (!encoded && !feed.Source.ReadFrame(_outFrame))
        {
            // The source ended: back to silence, complete the play (continuations run off this thread).
            if (Interlocked.CompareExchange(ref _feed, SilenceFeed, feed) == feed)
            {
                feed.Finish();
                _markNext = true;
            }
        }
        if (prompt is not null) AddPrompt(prompt);
        if (recorder is not null) RecordFrame(recorder, inbound);

        var timestamp = _timestamp;
        // RFC 3550 §5.1: the timestamp advances with time, sent or not; RFC 7587 §4.1: at 48 kHz for Opus (960 per frame).
        _timestamp += (uint)media.TimestampPerFrame;
        if (!media.LocalDirection.Sends() || Volatile.Read(ref _remote) is not { } remote)
        {
            _markNext = true;
            return;
        }
        if (media.TelephoneEventPayloadType is { } eventPt
            && _dtmfOut.Next(timestamp, _packet.AsSpan(RtpPacket.HeaderLength), out var eventMarker, out var eventTs, out var repeats, media.TimestampPerFrame))
        {
            for (var i = 0; i < repeats; i++)
                Send(batch, remote, eventMarker && i == 0, eventPt, eventTs, TelephoneEvent.Length);
            _markNext = true; // audio after a digit starts a new talkspurt
            return;
        }
        var payloadLength = AudioFormat.SamplesPerFrame;
        if (media.IsOpus && _opusOut is { } opus)
        {
            // One 20 ms Opus packet (RFC 7587 §4.2), at most as long as a G.711 frame: fits the packet buffer.
            payloadLength = opus.Encode(_outFrame, _packet.AsSpan(RtpPacket.HeaderLength, AudioFormat.SamplesPerFrame));
            if (payloadLength <= 0) return;
        }
        else if (!encoded) G711.Encode(media.Law, _outFrame, _packet.AsSpan(RtpPacket.HeaderLength));
        Send(batch, remote, _markNext, media.PayloadType, timestamp, payloadLength);
        _markNext = false;
        if (++_ticksSinceReport >= RtcpIntervalTicks) SendRtcpReport(batch, timestamp, payloadLength);
    }

    /// <summary>The peer's voice for this tick, decoded (silence where packets were missing); read once per tick.</summary>
    /// <remarks>
    /// Thread-safe: with a parallel clock, a bridge peer or mixer on another clock thread may ask during the same
    /// tick; the frame is taken once under the lock and is not rewritten until the next tick.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal ReadOnlySpan<short> ReadInbound(long tick)
    {
        lock (_inboundGate)
        {
            // Only forward: a reader still on an older period (another lane running behind) gets the newest frame
            // rather than consuming an extra one from the buffer.
            if (tick > _inboundTick)
            {
                _inbound.Read(_inFrame);
                _inboundTick = tick;
            }
        }
        return _inFrame;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Send(RtpSendBatch batch, SocketAddress remote, bool marker, byte payloadType, uint timestamp, int payloadLength)
    {
        RtpPacket.WriteHeader(_packet, marker, payloadType, _sequence++, timestamp, Ssrc);
        var length = RtpPacket.HeaderLength + payloadLength;
        // Encrypt out (RFC 3711 §3.3), after everything that reads the plain frame (recording, mixing) has run.
        if (Volatile.Read(ref _srtp) is { } srtp) length = srtp.RtpOut.Protect(_packet, length);
        // Counted in Statistics when really sent (or failed) at the flush.
        batch.Add(_endpoint.Rtp, remote, _packet.AsSpan(0, length), Statistics, payloadLength, timestamp);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RecordFrame(WavRecorder recorder, ReadOnlySpan<short> inbound)
    {
        for (var i = 0; i < _mixFrame.Length; i++)
            _mixFrame[i] = (short)Math.Clamp(_outFrame[i] + inbound[i], short.MinValue, short.MaxValue);
        recorder.Write(_mixFrame);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CheckInactivity(NegotiatedMedia media)
    {
        if (_inactivityTimestampTicks <= 0 || _timedOut != 0) return;
        // RFC 3264 §5.1: a peer that is sendonly-held by us or inactive sends nothing; that is not a dead call.
        if (!media.LocalDirection.Receives())
        {
            Interlocked.Exchange(ref _lastReceived, _time.GetTimestamp());
            return;
        }
        if (_time.GetTimestamp() - Interlocked.Read(ref _lastReceived) < _inactivityTimestampTicks) return;
        if (Interlocked.Exchange(ref _timedOut, 1) != 0) return;
        LogInactive(_logger, LocalEndPoint.Port);
        ThreadPool.UnsafeQueueUserWorkItem(s => s.MediaTimeout?.Invoke(s, EventArgs.Empty), this, preferLocal: false);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CheckDtmfTimeout(long tick)
    {
        // Lock only while a digit is in progress (rare): the receive loop holds this lock at normal priority.
        if (!Volatile.Read(ref _dtmfInProgress)) return;
        char digit;
        int duration;
        bool ended;
        lock (_dtmfGate)
        {
            ended = _dtmfIn.OnTick(tick, out digit, out duration);
            _dtmfInProgress = _dtmfIn.IsInProgress;
        }
        if (ended) RaiseDtmf(digit, duration, DtmfSource.Rfc4733);
    }

    private void RaiseDtmf(char digit, int durationMs, DtmfSource source)
    {
        LogDigit(_logger, LocalEndPoint.Port, source);
        var args = new DtmfDigitEventArgs(digit, durationMs, source);
        ThreadPool.UnsafeQueueUserWorkItem(a => Dtmf?.Invoke(this, a), args, preferLocal: false);
    }

    private void Hear(AudioFeed feed)
    {
        var old = Interlocked.Exchange(ref _feed, feed);
        if (!ReferenceEquals(old, feed))
        {
            old.Finish();
            _markNext = true; // RFC 3550 §5.1: a new source starts a new talkspurt; SSRC/seq/timestamp continue
        }
    }

    internal void HearFeed(AudioFeed feed) => Hear(feed);

    private void StopIfCurrent(AudioFeed feed)
    {
        if (Interlocked.CompareExchange(ref _feed, SilenceFeed, feed) == feed) feed.Finish();
    }

    /// <summary>Leaves the clock, closes the sockets (ports go back to the pool), finishes any play and recording.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _clock.Unsubscribe(this);
        await _stop.CancelAsync().ConfigureAwait(false);
        StopAudio();
        Volatile.Read(ref _feed).Finish();
        if (Volatile.Read(ref _prompt) is { } prompt) StopPromptIfCurrent(prompt);
        _webRtc?.Dispose();
        _rtpReceiving?.Dispose();
        _rtcpReceiving?.Dispose();
        _endpoint.Dispose();
        foreach (var loop in new[] { _receiveLoop, _rtcpLoop })
        {
            if (loop is null) continue;
            try { await loop.ConfigureAwait(false); }
            catch (OperationCanceledException) { }
        }
        StopRecording();
        _stop.Dispose();
        EngineRtpTotals?.End(Statistics);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Opus (RFC 7587) on port {Port}: payload type {PayloadType}, 48 kHz RTP clock, decoded to and encoded from 8 kHz at the edge ({Bitrate} bit/s, complexity {Complexity})")]
    private static partial void LogOpus(ILogger logger, int port, byte payloadType, int bitrate, int complexity);

    [LoggerMessage(Level = LogLevel.Information, Message = "No RTP on port {Port} for the inactivity timeout; media timed out")]
    private static partial void LogInactive(ILogger logger, int port);

    [LoggerMessage(Level = LogLevel.Debug, Message = "DTMF digit on port {Port} via {Source}")]
    private static partial void LogDigit(ILogger logger, int port, DtmfSource source);
}

/// <summary>How a DTMF digit arrived.</summary>
public enum DtmfSource
{
    Rfc4733,
    SipInfo,
}

public sealed class DtmfDigitEventArgs(char digit, int durationMs, DtmfSource source) : EventArgs
{
    public char Digit { get; } = digit;
    public int DurationMs { get; } = durationMs;
    public DtmfSource Source { get; } = source;
}
